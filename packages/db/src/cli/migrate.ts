/**
 * `pnpm db:migrate`: apply pending migrations to DATABASE_URL.
 * Exit 0 when up to date, 1 (one line on stderr) otherwise.
 */
import { migrate } from "../migrate";
import { redactUrl } from "../pg-config";

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url || url.trim() === "") {
    process.stderr.write("db:migrate: DATABASE_URL is not set (e.g. postgres://user:password@localhost:5432/gatehouse)\n");
    return 1;
  }
  try {
    const { applied } = await migrate(url);
    if (applied.length === 0) {
      process.stdout.write("Database is up to date\n");
    } else {
      for (const name of applied) process.stdout.write(`Applied ${name}\n`);
      process.stdout.write(`${applied.length} migration(s) applied to ${redactUrl(url)}\n`);
    }
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    process.stderr.write(`db:migrate: ${message.replace(/\s+/g, " ").trim() || String(code ?? "failed")}\n`);
    return 1;
  }
}

process.exitCode = await main();
