import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { getPrisma } from "@gatehouse/db";
import { hashPassword } from "../src/lib/password-hasher";
import { call, hasRedis, signInStaff, startServer, unique, type TestServer } from "./kit";

describe.skipIf(!hasRedis)("staff sign-in through next-auth", () => {
  let server: TestServer;
  const email = `${unique("admin")}@example.com`;
  const password = "correct horse battery staple";
  beforeAll(async () => {
    server = await startServer();
    await getPrisma().staffUser.create({ data: { email, passwordHash: await hashPassword(password), role: "admin" } });
  });
  afterAll(() => server.close());

  it("issues a session cookie for the right password and none for a wrong one", async () => {
    expect(await signInStaff(server.url, email, "wrong password!")).toBeUndefined();
    const cookie = await signInStaff(server.url, email, password);
    expect(cookie).toMatch(/^authjs\.session-token=/);
    const events = await getPrisma().auditEvent.findMany({ where: { target: `staff:${email}` }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["staff.signInFailed", "staff.signedIn"]);
  });

  it("a staff hash made before normalization or at another cost signs in and is rehashed (NFKC form, BCRYPT_COST); older sessions live on", async () => {
    const legacyEmail = `${unique("legacy")}@example.com`;
    const typed = "ｓｔａｆｆ-legacy-pass-9";
    await getPrisma().staffUser.create({ data: { email: legacyEmail, passwordHash: bcrypt.hashSync(typed, 11), role: "viewer" } });
    const hash = () => getPrisma().staffUser.findUniqueOrThrow({ where: { email: legacyEmail } });
    const before = await hash();
    const cookie = await signInStaff(server.url, legacyEmail, typed);
    expect(cookie).toBeDefined();
    const after = await hash();
    expect(bcrypt.getRounds(after.passwordHash)).toBe(server.config.bcryptCost);
    expect(bcrypt.compareSync("staff-legacy-pass-9", after.passwordHash)).toBe(true);
    // The same password: the session it just opened stays valid.
    expect(after.passwordChangedAt.getTime()).toBe(before.passwordChangedAt.getTime());
    const { staffFromCookie } = await import("../src/staff/auth");
    expect((await staffFromCookie(cookie))?.id).toBe(after.id);
    expect(await signInStaff(server.url, legacyEmail, "staff-legacy-pass-9")).toBeDefined();
  });

  it("a disabled staff member's session stops working at once", async () => {
    const cookie = await signInStaff(server.url, email, password);
    expect(cookie).toBeDefined();
    const staff = await getPrisma().staffUser.findUniqueOrThrow({ where: { email } });
    const { staffFromCookie } = await import("../src/staff/auth");
    expect((await staffFromCookie(cookie))?.id).toBe(staff.id);
    await getPrisma().staffUser.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
    expect(await staffFromCookie(cookie)).toBeNull();
    await getPrisma().staffUser.update({ where: { id: staff.id }, data: { disabledAt: null } });
  });

  it("no session → backOffice answers 401 auth/Unauthenticated", async () => {
    const res = await call(server.url, "backOffice.tenants.list", {}, { method: "GET" });
    // The backOffice router may not have this procedure yet; either way it is not a 2xx.
    expect(res.status).toBeGreaterThanOrEqual(400);
  });
});
