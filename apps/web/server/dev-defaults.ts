import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * `pnpm dev` on a bare machine: everything CONTRACT.md lets dev default, kept under `.data/`.
 * Production never comes here (`pnpm start` refuses to run without the real variables).
 */
export async function applyDevDefaults(dataDir: string, log: (msg: string) => void): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  let stop = async () => {};

  if (!process.env.AUTH_SECRET) {
    const file = path.join(dataDir, "auth-secret");
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    process.env.AUTH_SECRET = readFileSync(file, "utf8").trim();
    log(`AUTH_SECRET not set: using the one generated in ${path.relative(process.cwd(), file)}`);
  }

  if (!process.env.SMTP_URL && !process.env.MAIL_DIR) {
    process.env.MAIL_DIR = path.join(dataDir, "mail");
    mkdirSync(process.env.MAIL_DIR, { recursive: true });
    log(`SMTP_URL not set: mail is saved as .eml files in ${path.relative(process.cwd(), process.env.MAIL_DIR)}`);
  }

  if (!process.env.DATABASE_URL) {
    const { startEmbeddedPostgres } = await import("@gatehouse/db/embedded");
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres"), port: 54329 });
    process.env.DATABASE_URL = pg.url;
    stop = pg.stop;
    log("DATABASE_URL not set: using embedded PostgreSQL in .data/postgres (port 54329)");
  }
  return stop;
}
