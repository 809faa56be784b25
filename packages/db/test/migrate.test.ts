import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findMigrationsDir, migrate, PRISMA_ADVISORY_LOCK_ID } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { migrationsDir, query, schemaEnums, schemaModels, withClient } from "./helpers";

const localMigrations = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

const dbs: TestDatabase[] = [];
async function freshDb(): Promise<TestDatabase> {
  const db = await createTestDatabase({ prefix: "gh_migrate", migrate: false });
  dbs.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.drop()));
});

const tmpDirs: string[] = [];
function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gh-migrations-"));
  tmpDirs.push(dir);
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}
afterEach(() => {
  for (const dir of tmpDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function publicTables(url: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    url,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  return rows.map((r) => r.table_name).sort();
}

describe("the migrations folder", () => {
  it("is in Prisma's format", () => {
    expect(readFileSync(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toMatch(/^provider = "postgresql"$/m);
    expect(localMigrations.length).toBeGreaterThan(0);
    for (const name of localMigrations) {
      expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8").length).toBeGreaterThan(0);
    }
  });

  it("is found from an option, from GATEHOUSE_MIGRATIONS_DIR, or by walking up", () => {
    const copy = copyOfMigrations();
    expect(findMigrationsDir(copy)).toBe(copy);
    const saved = process.env.GATEHOUSE_MIGRATIONS_DIR;
    try {
      process.env.GATEHOUSE_MIGRATIONS_DIR = copy;
      expect(findMigrationsDir()).toBe(copy);
      delete process.env.GATEHOUSE_MIGRATIONS_DIR;
      expect(findMigrationsDir()).toBe(migrationsDir); // cwd is packages/db
    } finally {
      if (saved === undefined) delete process.env.GATEHOUSE_MIGRATIONS_DIR;
      else process.env.GATEHOUSE_MIGRATIONS_DIR = saved;
    }
    expect(() => findMigrationsDir(path.join(copy, "nope"))).toThrow(/not found/);
  });
});

describe("migrate()", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDb();
  });

  it("creates every table of the schema on an empty database", async () => {
    expect(await publicTables(db.url)).toEqual([]);
    const result = await migrate(db.url);
    expect(result.applied).toEqual(localMigrations);

    const tables = await publicTables(db.url);
    for (const t of ["Tenant", "User", "Session", "StaffUser", "AuditEvent", "SigningKey", "_prisma_migrations"]) {
      expect(tables).toContain(t);
    }
    for (const model of schemaModels()) expect(tables).toContain(model);
    const enums = await query<{ typname: string }>(db.url, "SELECT typname FROM pg_type WHERE typtype = 'e' ORDER BY typname");
    expect(schemaEnums()).toContain("UserRole");
    expect(enums.map((e) => e.typname)).toEqual(schemaEnums());
  });

  it("records each migration as Prisma does, with checksum = sha256(migration.sql)", async () => {
    const rows = await query<{
      id: string;
      checksum: string;
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      started_at: Date;
      applied_steps_count: number;
    }>(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(localMigrations);
    for (const row of rows) {
      const bytes = readFileSync(path.join(migrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("creates _prisma_migrations with exactly Prisma's columns", async () => {
    const cols = await query<{
      column_name: string;
      data_type: string;
      character_maximum_length: number | null;
      is_nullable: string;
      column_default: string | null;
    }>(
      db.url,
      `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(cols).toEqual([
      { column_name: "id", data_type: "character varying", character_maximum_length: 36, is_nullable: "NO", column_default: null },
      { column_name: "checksum", data_type: "character varying", character_maximum_length: 64, is_nullable: "NO", column_default: null },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "migration_name",
        data_type: "character varying",
        character_maximum_length: 255,
        is_nullable: "NO",
        column_default: null,
      },
      { column_name: "logs", data_type: "text", character_maximum_length: null, is_nullable: "YES", column_default: null },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "NO",
        column_default: "now()",
      },
      { column_name: "applied_steps_count", data_type: "integer", character_maximum_length: null, is_nullable: "NO", column_default: "0" },
    ]);
    const pk = await query<{ indexdef: string }>(db.url, "SELECT indexdef FROM pg_indexes WHERE tablename = '_prisma_migrations'");
    expect(pk.map((r) => r.indexdef)).toEqual([expect.stringMatching(/UNIQUE INDEX _prisma_migrations_pkey .*\(id\)/)]);
  });

  it("applies nothing the second time and leaves the rows unchanged", async () => {
    const before = await query(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY id');
    const lines: string[] = [];
    const result = await migrate(db.url, { log: (l) => lines.push(l) });
    expect(result.applied).toEqual([]);
    expect(lines.filter((l) => l.startsWith("Applying"))).toEqual([]);
    expect(await query(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY id')).toEqual(before);
  });

  it("refuses when an applied migration's migration.sql changed", async () => {
    const copy = copyOfMigrations();
    appendFileSync(path.join(copy, localMigrations[0]!, "migration.sql"), "\n-- edited after the fact\n");
    const before = await query(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY id');
    await expect(migrate(db.url, { migrationsDir: copy })).rejects.toThrow(
      new RegExp(`changed after it was applied: ${localMigrations[0]}`),
    );
    expect(await query(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY id')).toEqual(before);
  });

  it("applies a new migration later, and only that one", async () => {
    const copy = copyOfMigrations();
    const name = "29991231235959_add_probe";
    mkdirSync(path.join(copy, name));
    writeFileSync(path.join(copy, name, "migration.sql"), 'CREATE TABLE "Probe" ("id" INTEGER PRIMARY KEY);\n');
    expect((await migrate(db.url, { migrationsDir: copy })).applied).toEqual([name]);
    expect(await publicTables(db.url)).toContain("Probe");
    expect((await migrate(db.url, { migrationsDir: copy })).applied).toEqual([]);
  });
});

describe("migrate() failure handling", () => {
  it("rolls a failing migration back completely and records nothing, so a fixed one applies next time", async () => {
    const db = await freshDb();
    await migrate(db.url);
    const copy = copyOfMigrations();
    const name = "29991231235959_broken";
    mkdirSync(path.join(copy, name));
    const file = path.join(copy, name, "migration.sql");
    writeFileSync(file, 'CREATE TABLE "Half" ("id" INTEGER);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;\n');
    await expect(migrate(db.url, { migrationsDir: copy })).rejects.toThrow(
      /Migration 29991231235959_broken failed and was rolled back: .*NoSuchTable/,
    );
    expect(await publicTables(db.url)).not.toContain("Half");
    expect(await query(db.url, `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1`, [name])).toEqual([]);

    writeFileSync(file, 'CREATE TABLE "Half" ("id" INTEGER);\n');
    expect((await migrate(db.url, { migrationsDir: copy })).applied).toEqual([name]);
  });

  it("refuses while a failed migration (as Prisma records it) is in the table", async () => {
    const db = await freshDb();
    await migrate(db.url);
    await query(
      db.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000000', repeat('0', 64), '29991231235959_failed', 'boom', now(), 0)`,
    );
    await expect(migrate(db.url)).rejects.toThrow(/failed migration\(s\).*29991231235959_failed.*migrate resolve/);
    // Marked rolled back (prisma migrate resolve --rolled-back), it no longer blocks.
    await query(db.url, `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '29991231235959_failed'`);
    expect((await migrate(db.url)).applied).toEqual([]);
  });

  it("fails with a connection error on a closed port", async () => {
    await expect(migrate("postgres://postgres@127.0.0.1:1/nothing")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("concurrent migrate()", () => {
  it("two runners on one fresh database both succeed and the migrations apply once", async () => {
    const db = await freshDb();
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    const all = [...a.applied, ...b.applied].sort();
    expect(all).toEqual(localMigrations);
    expect(a.applied.length === 0 || b.applied.length === 0).toBe(true);
    const rows = await query<{ migration_name: string }>(db.url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(rows.map((r) => r.migration_name).sort()).toEqual(localMigrations);
  });

  it("waits for the advisory lock another session holds (as `prisma migrate deploy` would)", async () => {
    const db = await freshDb();
    await withClient(db.url, async (holder) => {
      await holder.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_ID]);
      const started = Date.now();
      const lines: string[] = [];
      const running = migrate(db.url, { log: (l) => lines.push(l) });
      await new Promise((r) => setTimeout(r, 500));
      expect(await publicTables(db.url)).toEqual([]); // still waiting
      await holder.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_ID]);
      expect((await running).applied).toEqual(localMigrations);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect(lines).toContain("Waiting for another migrator to finish…");
    });
    await withClient(db.url, async (holder) => {
      await holder.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_ID]);
      await expect(migrate(db.url, { lockTimeoutMs: 300 })).rejects.toThrow(/Timed out .* migration lock/);
    });
  });
});

describe("pnpm db:migrate (src/cli/migrate.ts)", () => {
  const tsx = path.resolve("node_modules/.bin/tsx");
  const run = (env: Record<string, string | undefined>) => {
    const clean = { ...process.env, ...env };
    for (const [k, v] of Object.entries(clean)) if (v === undefined) delete clean[k];
    return spawnSync(tsx, ["src/cli/migrate.ts"], { env: clean, encoding: "utf8", timeout: 30_000 });
  };

  it("needs DATABASE_URL", () => {
    const r = run({ DATABASE_URL: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/DATABASE_URL is not set/);
  });

  it("applies, then says the database is up to date", async () => {
    const db = await freshDb();
    const first = run({ DATABASE_URL: db.url });
    expect(first.status).toBe(0);
    for (const name of localMigrations) expect(first.stdout).toContain(name);
    const second = run({ DATABASE_URL: db.url });
    expect(second.status).toBe(0);
    expect(second.stdout.trim()).toBe("Database is up to date");
  });

  it("exits 1 with one line when the database is unreachable", () => {
    const r = run({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/nothing" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });
});
