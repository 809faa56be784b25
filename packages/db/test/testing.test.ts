import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../src/testing";
import { query } from "./helpers";

describe("createTestDatabase", () => {
  it("creates a fresh migrated database named <prefix>_<random> and drops it", async () => {
    const db = await createTestDatabase({ prefix: "gh_testing" });
    const name = decodeURIComponent(new URL(db.url).pathname.slice(1));
    expect(name).toMatch(/^gh_testing_[0-9a-f]{12}$/);
    const rows = await query<{ migration_name: string }>(db.url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(rows.length).toBeGreaterThan(0);

    // An open connection does not prevent drop().
    const admin = new URL(db.url);
    admin.pathname = "/postgres";
    const pg = (await import("pg")).default;
    const lingering = new pg.Client({ connectionString: db.url });
    lingering.on("error", () => {});
    await lingering.connect();

    await db.drop();
    await lingering.end().catch(() => {});
    const exists = await query(admin.toString(), "SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    expect(exists).toEqual([]);
    await db.drop(); // idempotent
  });

  it("gives every call its own database", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.url).not.toBe(b.url);
      await query(
        a.url,
        `INSERT INTO "StaffUser" (id, email, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), 'x@y.z', 'h', 'admin', now())`,
      );
      expect(await query(b.url, 'SELECT * FROM "StaffUser"')).toEqual([]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
