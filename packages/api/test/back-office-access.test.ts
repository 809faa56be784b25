import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { hasRedis, unique } from "./helpers";
import { backOffice, backOfficeSuite, createSignedInStaff } from "./back-office-fixtures";

type Kind = "query" | "mutation";
type Who = "S" | "admin";

/** Every backOffice procedure of the contract with its kind and gate. */
const procedures: [path: string, kind: Kind, who: Who][] = [
  ["tenants.list", "query", "S"],
  ["tenants.get", "query", "S"],
  ["tenants.create", "mutation", "admin"],
  ["tenants.update", "mutation", "admin"],
  ["tenants.softDelete", "mutation", "admin"],
  ["tenants.restore", "mutation", "admin"],
  ["managers.issue", "mutation", "admin"],
  ["users.list", "query", "S"],
  ["users.get", "query", "S"],
  ["users.suspend", "mutation", "admin"],
  ["users.unsuspend", "mutation", "admin"],
  ["users.resetPassword", "mutation", "admin"],
  ["users.delete", "mutation", "admin"],
  ["auditLog.list", "query", "S"],
  ["staff.list", "query", "admin"],
  ["staff.create", "mutation", "admin"],
  ["staff.update", "mutation", "admin"],
  ["staff.changePassword", "mutation", "S"],
];

describe.skipIf(!hasRedis)("backOffice gates: staffProcedure (401) and adminProcedure (403)", () => {
  const suite = backOfficeSuite();
  const { ip, callAs } = suite;
  const tenantKey = unique("acc").toLowerCase();
  const endUser = { userId: unique("u").toLowerCase(), password: "a sturdy passphrase 1" };
  let endUserToken: string;

  /** Inputs that an admin's call would accept, so a refusal can only come from the gate. */
  const inputs = (): Record<string, unknown> => ({
    "tenants.list": {},
    "tenants.get": { key: tenantKey },
    "tenants.create": { key: unique("nope").toLowerCase(), name: "Must not exist", allowedEmailDomains: [] },
    "tenants.update": { key: tenantKey, name: "Renamed by nobody" },
    "tenants.softDelete": { key: tenantKey },
    "tenants.restore": { key: tenantKey },
    "managers.issue": { tenantKey, userId: unique("mgr").toLowerCase(), displayName: "Nobody's manager" },
    "users.list": { tenantKey },
    "users.get": { tenantKey, userId: endUser.userId },
    "users.suspend": { tenantKey, userId: endUser.userId },
    "users.unsuspend": { tenantKey, userId: endUser.userId },
    "users.resetPassword": { tenantKey, userId: endUser.userId },
    "users.delete": { tenantKey, userId: endUser.userId },
    "auditLog.list": {},
    "staff.list": {},
    "staff.create": { email: `${unique("nobody")}@staff.example.com`, password: "another sturdy passphrase", role: "admin" },
    "staff.update": { email: suite.admin.email, disabled: true },
    "staff.changePassword": { currentPassword: "wrong but irrelevant", newPassword: "another sturdy passphrase" },
  });

  /** What any of the refused calls could have changed (scoped to this suite: other suites run alongside). */
  async function snapshot(given: Record<string, unknown>) {
    const prisma = getPrisma();
    const field = (path: string, name: string) => (given[path] as Record<string, string>)[name]!;
    return {
      tenant: await prisma.tenant.findUniqueOrThrow({ where: { key: tenantKey } }),
      users: await prisma.user.findMany({ where: { tenant: { key: tenantKey } }, orderBy: { id: "asc" } }),
      sessions: await prisma.session.findMany({ where: { tenant: { key: tenantKey } }, orderBy: { id: "asc" } }),
      createdTenant: await prisma.tenant.findUnique({ where: { key: field("tenants.create", "key") } }),
      createdStaff: await prisma.staffUser.findUnique({ where: { email: field("staff.create", "email") } }),
      staff: await prisma.staffUser.findMany({ where: { id: { in: [suite.admin.id, suite.viewer.id] } }, orderBy: { id: "asc" } }),
    };
  }

  beforeAll(async () => {
    const created = await suite.bo.mutate("tenants.create", { key: tenantKey, name: "Access tests", allowedEmailDomains: [] });
    expect(created.status).toBe(200);
    const signUp = await callAs<{ accessToken: string }>("clientAuth.signUp", {
      tenantKey,
      ...endUser,
      displayName: "End User",
      email: `${endUser.userId}@example.com`,
    });
    expect(signUp.status).toBe(200);
    endUserToken = signUp.data.accessToken;
  });

  it("lists every procedure of the contract (and only those) in the router", async () => {
    const { appRouter } = await import("../src/root");
    const paths = Object.keys(appRouter._def.procedures)
      .filter((p) => p.startsWith("backOffice."))
      .map((p) => p.slice("backOffice.".length))
      .sort();
    expect(paths).toEqual(procedures.map(([p]) => p).sort());
  });

  it("no session → 401 auth/Unauthenticated on every procedure", async () => {
    const given = inputs();
    const before = await snapshot(given);
    for (const [path, kind] of procedures) {
      const res = await callAs(`backOffice.${path}`, given[path], { method: kind === "query" ? "GET" : "POST" });
      expect([path, res.status, res.appCode]).toEqual([path, 401, "auth/Unauthenticated"]);
    }
    expect(await snapshot(given)).toEqual(before);
  });

  it("an end user's access token never opens backOffice (401)", async () => {
    const me = await callAs("clientAuth.me", undefined, { method: "GET", token: endUserToken });
    expect(me.status).toBe(200); // the token itself is good
    const given = inputs();
    for (const [path, kind] of procedures) {
      const res = await callAs(`backOffice.${path}`, given[path], { method: kind === "query" ? "GET" : "POST", token: endUserToken });
      expect([path, res.status, res.appCode]).toEqual([path, 401, "auth/Unauthenticated"]);
    }
  });

  it("a forged or tampered session cookie → 401", async () => {
    const tampered = suite.admin.cookie.slice(0, -4) + (suite.admin.cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const cookie of ["authjs.session-token=not-a-jwe", tampered]) {
      const res = await backOffice(suite.server.url, ip, cookie).query("tenants.list", {});
      expect([res.status, res.appCode]).toEqual([401, "auth/Unauthenticated"]);
    }
  });

  it("viewer → 403 auth/Forbidden on every admin procedure, and nothing changes", async () => {
    const given = inputs();
    const before = await snapshot(given);
    const bo = backOffice(suite.server.url, ip, suite.viewer.cookie);
    for (const [path, kind, who] of procedures) {
      if (who !== "admin") continue;
      const res = kind === "query" ? await bo.query(path, given[path]) : await bo.mutate(path, given[path]);
      expect([path, res.status, res.appCode]).toEqual([path, 403, "auth/Forbidden"]);
    }
    expect(await snapshot(given)).toEqual(before);
  });

  it("viewer may use the S queries", async () => {
    const given = inputs();
    const bo = backOffice(suite.server.url, ip, suite.viewer.cookie);
    for (const [path, kind, who] of procedures) {
      if (who !== "S" || kind !== "query") continue;
      const res = await bo.query(path, given[path]);
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  it("a disabled staff member → 401 on every procedure at once, even with a live cookie", async () => {
    const soon = await createSignedInStaff(suite.server.url, ip, "admin", "disabled");
    const ok = await backOffice(suite.server.url, ip, soon.cookie).query("tenants.list", {});
    expect(ok.status).toBe(200);
    const res = await backOffice(suite.server.url, ip, suite.admin.cookie).mutate("staff.update", { email: soon.email, disabled: true });
    expect(res.status).toBe(200);
    const given = inputs();
    const bo = backOffice(suite.server.url, ip, soon.cookie);
    for (const [path, kind] of procedures) {
      const r = kind === "query" ? await bo.query(path, given[path]) : await bo.mutate(path, given[path]);
      expect([path, r.status, r.appCode]).toEqual([path, 401, "auth/Unauthenticated"]);
    }
  });

  it("queries answer GET only and mutations POST only (405)", async () => {
    const q = await callAs("backOffice.tenants.list", {}, { method: "POST", cookie: suite.admin.cookie });
    expect([q.status, q.appCode]).toEqual([405, "request/MethodNotAllowed"]);
    const m = await callAs("backOffice.tenants.create", { key: "x" }, { method: "GET", cookie: suite.admin.cookie });
    expect([m.status, m.appCode]).toEqual([405, "request/MethodNotAllowed"]);
  });
});
