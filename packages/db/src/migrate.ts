/**
 * Our migration runner: applies prisma/migrations/<name>/migration.sql in name order, keeping
 * the bookkeeping exactly as Prisma does (`_prisma_migrations`, sha256 checksums, advisory
 * lock 72707369), so stock `prisma migrate deploy` / `migrate status` accept the same
 * database and the same folder. Uses `pg` directly: no schema engine, starts in milliseconds.
 *
 * Differences from `prisma migrate deploy`, all on the safe side:
 * - each migration runs in its own transaction together with its bookkeeping row, so a
 *   failure leaves neither partial schema changes nor a "failed" row behind (the next run
 *   simply retries);
 * - a migration whose migration.sql changed after it was applied is refused (Prisma's deploy
 *   ignores it; `migrate dev` would want to reset);
 * - a failed row left by Prisma itself (finished_at and rolled_back_at both null) is refused
 *   just like Prisma does (P3009), with the fix in the message.
 *
 * Remove when stock `prisma migrate deploy` runs offline with no engine download and exits when
 * done (6.19.3 idles ~10 s and needs prisma.config.ts's workarounds; Prisma 7 cannot migrate offline).
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { pgConfigFromUrl } from "./pg-config";

/** The key Prisma's schema engine locks on Postgres (`pg_advisory_lock(72707369)`). */
export const PRISMA_ADVISORY_LOCK_ID = 72707369;

/** `_prisma_migrations`, byte for byte the table Prisma's schema engine creates. */
export const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateOptions {
  /** Folder holding `<timestamp>_<name>/migration.sql`. Default: see findMigrationsDir(). */
  migrationsDir?: string;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
  /** How long to wait for another migrator holding the advisory lock. Default 60 s. */
  lockTimeoutMs?: number;
  /** Give up connecting after this long. Default 5 s. */
  connectionTimeoutMs?: number;
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order (empty when up to date). */
  applied: string[];
}

export interface LocalMigration {
  name: string;
  /** Absolute path of migration.sql. */
  file: string;
  sql: string;
  /** Lowercase hex sha256 of the file's bytes (Prisma's checksum). */
  checksum: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export function checksumOf(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function walkUpFor(start: string, relative: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, relative);
    if (isDir(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function thisModuleDir(): string | undefined {
  try {
    const url = import.meta.url;
    return url.startsWith("file:") ? path.dirname(fileURLToPath(url)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The migrations folder: `explicit`, else env GATEHOUSE_MIGRATIONS_DIR, else the first
 * `prisma/migrations` found walking up from process.cwd(), then from this module's folder.
 */
export function findMigrationsDir(explicit?: string): string {
  const given = explicit ?? (process.env.GATEHOUSE_MIGRATIONS_DIR || undefined);
  if (given !== undefined) {
    const resolved = path.resolve(given);
    if (!isDir(resolved)) throw new MigrationError(`Migrations folder not found: ${resolved}`);
    return resolved;
  }
  const starts = [process.cwd(), thisModuleDir()].filter((s): s is string => !!s);
  for (const start of starts) {
    const found = walkUpFor(start, path.join("prisma", "migrations"));
    if (found) return found;
  }
  throw new MigrationError(`Could not find a prisma/migrations folder above ${starts.join(" or ")}; set GATEHOUSE_MIGRATIONS_DIR`);
}

/** The migrations in `dir`, sorted by name (Prisma's order). */
export function readMigrations(dir: string): LocalMigration[] {
  const lockFile = path.join(dir, "migration_lock.toml");
  if (existsSync(lockFile)) {
    const provider = readFileSync(lockFile, "utf8").match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
    if (provider && provider !== "postgresql") {
      throw new MigrationError(`${lockFile} is for provider "${provider}", not "postgresql"`);
    }
  }
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => {
    const file = path.join(dir, name, "migration.sql");
    if (!existsSync(file)) throw new MigrationError(`Migration ${name} has no migration.sql (${file})`);
    const bytes = readFileSync(file);
    return { name, file, sql: bytes.toString("utf8"), checksum: checksumOf(bytes) };
  });
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function acquireLock(client: pg.Client, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [PRISMA_ADVISORY_LOCK_ID]);
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) {
      throw new MigrationError(
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${PRISMA_ADVISORY_LOCK_ID})): another migrator is running`,
      );
    }
    if (!announced) {
      log("Waiting for another migrator to finish…");
      announced = true;
    }
    await sleep(100 + Math.floor(Math.random() * 100));
  }
}

/**
 * Apply the pending migrations to `databaseUrl`. Idempotent; safe to run from several
 * processes at once (they serialise on Prisma's advisory lock).
 */
export async function migrate(databaseUrl: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const dir = findMigrationsDir(opts.migrationsDir);
  const local = readMigrations(dir);

  const client = new pg.Client({
    ...pgConfigFromUrl(databaseUrl),
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    application_name: "gatehouse-migrate",
  });
  // An idle-connection error after a failure must not crash the process.
  client.on("error", () => {});
  await client.connect();
  const applied: string[] = [];
  try {
    await acquireLock(client, opts.lockTimeoutMs ?? 60_000, log);
    await client.query(CREATE_MIGRATIONS_TABLE_SQL);
    const { rows } = await client.query<MigrationRow>(
      `SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs
         FROM "_prisma_migrations" ORDER BY started_at ASC`,
    );

    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed.length > 0) {
      const names = failed.map((r) => r.migration_name).join(", ");
      throw new MigrationError(
        `Refusing to migrate: failed migration(s) recorded in _prisma_migrations: ${names}. ` +
          `Fix the database by hand, then mark each one with \`prisma migrate resolve --rolled-back <name>\` ` +
          `(or --applied) before running migrations again.`,
      );
    }

    const done = new Map<string, MigrationRow>();
    for (const row of rows) if (row.finished_at !== null && row.rolled_back_at === null) done.set(row.migration_name, row);

    const localNames = new Set(local.map((m) => m.name));
    const changed = local.filter((m) => {
      const row = done.get(m.name);
      return row !== undefined && row.checksum !== m.checksum;
    });
    if (changed.length > 0) {
      const detail = changed.map((m) => `${m.name} (applied ${done.get(m.name)?.checksum}, file ${m.checksum})`).join("; ");
      throw new MigrationError(
        `Refusing to migrate: migration.sql changed after it was applied: ${detail}. ` +
          `Never edit an applied migration; restore it and add a new migration instead.`,
      );
    }
    for (const name of done.keys()) {
      if (!localNames.has(name)) log(`Warning: ${name} is applied in the database but missing from ${dir}`);
    }

    for (const m of local) {
      if (done.has(m.name)) continue;
      log(`Applying ${m.name}`);
      await client.query("BEGIN");
      try {
        const id = randomUUID();
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, clock_timestamp(), 0)`,
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        const message = err instanceof Error ? err.message : String(err);
        const position = (err as { position?: string }).position;
        throw new MigrationError(
          `Migration ${m.name} failed and was rolled back: ${message}${position ? ` (at character ${position} of ${m.file})` : ""}`,
          { cause: err },
        );
      }
      applied.push(m.name);
    }
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_ID]).catch(() => {});
    return { applied };
  } finally {
    await client.end().catch(() => {});
  }
}
