import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, getPrisma } from "@gatehouse/db";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { apiClient, expectError, hasRedis, randomIp, settle, signInStaff, startServer, suiteEnv, unique, type TestServer } from "./kit";

const run = promisify(execFile);
const packageDir = path.resolve(import.meta.dirname, "..");

/** `pnpm staff:create` runs exactly this: `tsx src/cli/staff-create.ts ...`. */
async function staffCreate(args: string[], env: Record<string, string>) {
  const tsx = path.join(packageDir, "node_modules", ".bin", "tsx");
  try {
    const { stdout, stderr } = await run(tsx, ["src/cli/staff-create.ts", ...args], {
      cwd: packageDir,
      env: { ...process.env, STAFF_PASSWORD: "", ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/**
 * "At least one enabled admin remains" counts every staff member, so this suite runs against a
 * database of its own (this test file is its own process), where it knows all the admins. The
 * first admin is made with the staff:create CLI.
 */
describe.skipIf(!hasRedis)("keeping one enabled admin, and pnpm staff:create", () => {
  const ip = randomIp();
  let db: TestDatabase;
  let server: TestServer;
  const signInStaffFrom = (email: string, password: string) =>
    signInStaff(server.url, email, password, { headers: { "x-forwarded-for": ip } });
  /** The backOffice procedures as the staff member with this cookie. */
  const staff = (cookie: string | undefined) => apiClient(server.url, { ip, cookie }).backOffice;
  const sharedDatabaseUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: "gatehouse_test_staff" });
    await disconnectPrisma();
    process.env.DATABASE_URL = db.url;
    server = await startServer({ env: { ...suiteEnv, DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await server?.close();
    await disconnectPrisma();
    process.env.DATABASE_URL = sharedDatabaseUrl;
    await db?.drop();
  });

  const firstEmail = `${unique("first")}@staff.example.com`;
  let firstPassword = "";

  it("staff:create makes an admin with a generated password printed once", async () => {
    const res = await staffCreate(["--", "--email", firstEmail.toUpperCase(), "--role", "admin"], { DATABASE_URL: db.url });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const match = /Password \(shown once, store it now\): (\S+)/.exec(res.stdout);
    expect(match).not.toBeNull();
    firstPassword = match![1]!;
    expect(firstPassword.length).toBeGreaterThanOrEqual(16);
    const row = await getPrisma().staffUser.findUniqueOrThrow({ where: { email: firstEmail } });
    expect(row.role).toBe("admin");
    expect(row.passwordHash).not.toContain(firstPassword);
    const audit = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `staff:${firstEmail}` } });
    expect(audit).toMatchObject({ action: "staff.created", actorType: "system" });
  });

  it("staff:create takes STAFF_PASSWORD and refuses duplicates, bad roles and weak passwords", async () => {
    const email = `${unique("viewer")}@staff.example.com`;
    const ok = await staffCreate(["--email", email, "--role", "viewer"], { DATABASE_URL: db.url, STAFF_PASSWORD: "a viewer passphrase" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain("a viewer passphrase");
    expect(await signInStaffFrom(email, "a viewer passphrase")).toBeDefined();

    const [dup, role, weak, noEmail] = await Promise.all([
      staffCreate(["--email", email], { DATABASE_URL: db.url }),
      staffCreate(["--email", `${unique("x")}@staff.example.com`, "--role", "owner"], { DATABASE_URL: db.url }),
      staffCreate(["--email", `${unique("x")}@staff.example.com`], { DATABASE_URL: db.url, STAFF_PASSWORD: "password123" }),
      staffCreate(["--role", "admin"], { DATABASE_URL: db.url }),
    ]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("already exists");
    expect(role.code).toBe(1);
    expect(role.stderr).toContain("--role");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("STAFF_PASSWORD");
    expect(noEmail.code).toBe(1);
    expect(noEmail.stderr).toContain("--email");
    expect(await getPrisma().staffUser.count()).toBe(2);
  });

  it("staff:reset-password sets a new password, ends the staff member's sessions, and refuses unknown emails", async () => {
    const email = `${unique("forgot")}@staff.example.com`;
    expect(
      (await staffCreate(["--email", email, "--role", "viewer"], { DATABASE_URL: db.url, STAFF_PASSWORD: "the old passphrase" })).code,
    ).toBe(0);
    const before = await signInStaffFrom(email, "the old passphrase");
    expect(before).toBeDefined();
    const reset = await staffCreate(["--reset", "--email", email], { DATABASE_URL: db.url });
    expect(reset.code).toBe(0);
    const newPassword = /Password \(shown once, store it now\): (\S+)/.exec(reset.stdout)?.[1];
    expect(newPassword).toBeDefined();
    // The old cookie and the old password are dead; the new password signs in; the role is unchanged.
    await expectError(staff(before).auditLog.list.query({}), "auth/Unauthenticated");
    expect(await signInStaffFrom(email, "the old passphrase")).toBeUndefined();
    await staff(await signInStaffFrom(email, newPassword!)).auditLog.list.query({});
    expect((await getPrisma().staffUser.findUniqueOrThrow({ where: { email } })).role).toBe("viewer");
    const unknown = await staffCreate(["--reset", "--email", `${unique("nobody")}@staff.example.com`], { DATABASE_URL: db.url });
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining("No staff member")]);
    // Tidy up: later tests count the admins only, but keep the staff table as they expect it.
    await getPrisma().staffSession.deleteMany({ where: { staff: { email } } });
    await getPrisma().staffUser.delete({ where: { email } });
  });

  it("the last enabled admin can neither demote nor disable themselves", async () => {
    const cookie = await signInStaffFrom(firstEmail, firstPassword);
    expect(cookie).toBeDefined();
    const bo = staff(cookie);
    for (const change of [{ role: "viewer" as const }, { disabled: true }, { role: "viewer" as const, disabled: true }]) {
      const res = await expectError(bo.staff.update.mutate({ email: firstEmail, ...change }), "validation/Invalid");
      expect(res.message, JSON.stringify(change)).toMatch(/admin/);
    }
    await bo.staff.list.query({});
    // A no-op update of the last admin is fine.
    await bo.staff.update.mutate({ email: firstEmail, role: "admin", disabled: false });

    // With a second admin, the first may step down.
    const secondEmail = `${unique("second")}@staff.example.com`;
    await bo.staff.create.mutate({ email: secondEmail, password: "second admin passphrase", role: "admin" });
    await bo.staff.update.mutate({ email: firstEmail, role: "viewer" });
    await expectError(bo.staff.list.query({}), "auth/Forbidden");

    // Now the second is the last enabled admin.
    const second = staff(await signInStaffFrom(secondEmail, "second admin passphrase"));
    await expectError(second.staff.update.mutate({ email: secondEmail, disabled: true }), "validation/Invalid");
    await second.staff.update.mutate({ email: firstEmail, role: "admin" });
  });

  it("two admins disabling each other at once: exactly one succeeds", async () => {
    const admins = await getPrisma().staffUser.findMany({ where: { role: "admin", disabledAt: null } });
    expect(admins).toHaveLength(2);
    // Sign in both again (fresh cookies; neither password changed).
    const [a, b] = admins as [(typeof admins)[number], (typeof admins)[number]];
    const passwordOf = (email: string) => (email === firstEmail ? firstPassword : "second admin passphrase");
    const ca = staff(await signInStaffFrom(a.email, passwordOf(a.email)));
    const cb = staff(await signInStaffFrom(b.email, passwordOf(b.email)));
    const [ra, rb] = await Promise.all([
      settle(ca.staff.update.mutate({ email: b.email, disabled: true })),
      settle(cb.staff.update.mutate({ email: a.email, disabled: true })),
    ]);
    const statuses = [ra.status, rb.status].sort();
    // The loser either hit the guard (400) or was already disabled when its call arrived (401).
    expect(statuses[0]).toBe(200);
    expect([400, 401]).toContain(statuses[1]);
    expect(await getPrisma().staffUser.count({ where: { role: "admin", disabledAt: null } })).toBe(1);
  });
});
