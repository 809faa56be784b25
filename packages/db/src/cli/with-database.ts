/**
 * Run a command (e.g. `prisma migrate diff …`) with DATABASE_URL pointing at a PostgreSQL
 * server, for Prisma CLI commands that need one only as scratch space (the schema engine
 * connects even for `--from-empty`, and `--from-migrations` builds a shadow database).
 *
 * DATABASE_URL if set; else the test server (TEST_DATABASE_URL, the local
 * postgres://postgres@127.0.0.1:5432/postgres, or, outside CI, an embedded PostgreSQL in a
 * temp folder, stopped afterwards). The command's exit code is passed through (2 = drift
 * for `migrate diff --exit-code`).
 *
 * Usage: tsx src/cli/with-database.ts <command> [args…]
 */
import { spawn } from "node:child_process";
import { acquireAdminServer } from "../testing";

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    process.stderr.write("usage: with-database <command> [args…]\n");
    return 64;
  }
  let release = async () => {};
  let url = process.env.DATABASE_URL;
  if (!url || url.trim() === "") {
    const server = await acquireAdminServer();
    url = server.url;
    release = server.release;
  }
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on("SIGINT", forward);
      process.on("SIGTERM", forward);
      child.on("error", reject);
      child.on("exit", (code, signal) => {
        process.off("SIGINT", forward);
        process.off("SIGTERM", forward);
        resolve(code ?? (signal ? 128 + 1 : 1));
      });
    });
  } finally {
    await release();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`with-database: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
