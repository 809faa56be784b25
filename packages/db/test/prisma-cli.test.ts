// Compatibility with the stock Prisma CLI (offline, through prisma.config.ts). Slow: ~2-8 s per
// command, and `migrate deploy` lingers ~10 s on a timer inside Prisma's wasm schema engine.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checksumOf, migrate } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { migrationsDir, query, schemaPath } from "./helpers";

const SLOW = { timeout: 60_000 };
const bin = (name: string) => path.resolve("node_modules/.bin", name);

function run(cmd: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: 45_000,
    env: { PATH: `${path.resolve("node_modules/.bin")}:${process.env.PATH}`, HOME: process.env.HOME ?? "/tmp", ...env },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

describe("stock prisma CLI", () => {
  it("`prisma migrate status` calls a database migrated by migrate() up to date", SLOW, async () => {
    const db = await createTestDatabase({ prefix: "gh_cli_status" });
    dbs.push(db);
    const r = run(bin("prisma"), ["migrate", "status"], { DATABASE_URL: db.url });
    expect(r.out).toMatch(/Database schema is up to date/);
    expect(r.status).toBe(0);
  });

  it("`prisma migrate deploy` output is accepted by migrate() (same rows, same checksums)", SLOW, async () => {
    const db = await createTestDatabase({ prefix: "gh_cli_deploy", migrate: false });
    dbs.push(db);
    const r = run(bin("prisma"), ["migrate", "deploy"], { DATABASE_URL: db.url });
    expect(r.status, r.out).toBe(0);
    expect((await migrate(db.url)).applied).toEqual([]);
    const rows = await query<{ migration_name: string; checksum: string }>(
      db.url,
      'SELECT migration_name, checksum FROM "_prisma_migrations"',
    );
    for (const row of rows) {
      expect(row.checksum).toBe(checksumOf(readFileSync(path.join(migrationsDir, row.migration_name, "migration.sql"))));
    }
  });
});

describe("check:drift", () => {
  it("finds no drift between the migrations and the schema", SLOW, () => {
    const r = run("pnpm", ["run", "--silent", "check:drift"], {});
    expect(r.out).toMatch(/No difference detected/);
    expect(r.status).toBe(0);
  });

  it("exits 2 when the schema has a field no migration creates", SLOW, () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gh-drift-"));
    try {
      const copy = path.join(dir, "schema.prisma");
      const schema = readFileSync(schemaPath, "utf8");
      const changed = schema.replace(/^(model Tenant \{\n)/m, "$1  driftProbe String?\n");
      expect(changed).not.toBe(schema);
      writeFileSync(copy, changed);
      const r = run(
        bin("tsx"),
        [
          "src/cli/with-database.ts",
          "prisma",
          "migrate",
          "diff",
          "--from-migrations",
          migrationsDir,
          "--to-schema-datamodel",
          copy,
          "--exit-code",
        ],
        {},
      );
      expect(r.out).toMatch(/driftProbe/);
      expect(r.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
