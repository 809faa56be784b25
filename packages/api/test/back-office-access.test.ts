import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { callByName, expectError, hasRedis, unique, useServer, type Api } from "./kit";

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
  ["tenants.stats", "query", "S"],
  ["socialProviders.list", "query", "S"],
  ["socialProviders.set", "mutation", "admin"],
  ["socialProviders.remove", "mutation", "admin"],
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
  const suite = useServer({ staff: true });
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
    "tenants.stats": { key: tenantKey },
    "socialProviders.list": { tenantKey },
    "socialProviders.set": { tenantKey, provider: "google", clientId: "set-by-nobody", clientSecret: "nobody's secret", enabled: true },
    "socialProviders.remove": { tenantKey, provider: "kakao" },
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
      socialProviders: await prisma.tenantSocialProvider.findMany({ where: { tenant: { key: tenantKey } }, orderBy: { id: "asc" } }),
      createdTenant: await prisma.tenant.findUnique({ where: { key: field("tenants.create", "key") } }),
      createdStaff: await prisma.staffUser.findUnique({ where: { email: field("staff.create", "email") } }),
      staff: await prisma.staffUser.findMany({ where: { id: { in: [suite.admin.id, suite.viewer.id] } }, orderBy: { id: "asc" } }),
    };
  }

  beforeAll(async () => {
    await suite.bo.tenants.create.mutate({ key: tenantKey, name: "Access tests", allowedEmailDomains: [] });
    // Something for a refused socialProviders.remove to remove.
    await suite.bo.socialProviders.set.mutate({ tenantKey, provider: "kakao", clientId: "kakao-rest-key", enabled: true });
    const signUp = await suite.client.api.clientAuth.signUp.mutate({
      tenantKey,
      ...endUser,
      displayName: "End User",
      email: `${endUser.userId}@example.com`,
    });
    endUserToken = signUp.accessToken;
  });

  /** Calls every procedure (`who` given: only those) as `api` with the `given` inputs, and expects `appCode` from each. */
  async function expectEveryRefused(
    api: Api,
    appCode: "auth/Unauthenticated" | "auth/Forbidden",
    given: Record<string, unknown>,
    who?: Who,
  ) {
    for (const [path, kind, gate] of procedures) {
      if (who && gate !== who) continue;
      await expectError(callByName(api, kind, `backOffice.${path}`, given[path]), appCode);
    }
  }

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
    await expectEveryRefused(suite.client.api, "auth/Unauthenticated", given);
    expect(await snapshot(given)).toEqual(before);
  });

  it("an end user's access token never opens backOffice (401)", async () => {
    const asEndUser = suite.client.as(endUserToken);
    await asEndUser.clientAuth.me.query(); // the token itself is good
    await expectEveryRefused(asEndUser, "auth/Unauthenticated", inputs());
  });

  it("a forged or tampered session cookie → 401", async () => {
    const tampered = suite.admin.cookie.slice(0, -4) + (suite.admin.cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const cookie of ["authjs.session-token=not-a-jwe", tampered]) {
      await expectError(suite.staffCaller(cookie).backOffice.tenants.list.query({}), "auth/Unauthenticated");
    }
  });

  it("viewer → 403 auth/Forbidden on every admin procedure, and nothing changes", async () => {
    const given = inputs();
    const before = await snapshot(given);
    await expectEveryRefused(suite.viewer.api, "auth/Forbidden", given, "admin");
    expect(await snapshot(given)).toEqual(before);
  });

  it("viewer may use the S queries", async () => {
    const given = inputs();
    for (const [path, kind, who] of procedures) {
      if (who !== "S" || kind !== "query") continue;
      await callByName(suite.viewer.api, kind, `backOffice.${path}`, given[path]);
    }
  });

  it("a disabled staff member → 401 on every procedure at once, even with a live cookie", async () => {
    const soon = await suite.newStaff("admin", "disabled");
    await soon.api.backOffice.tenants.list.query({});
    await suite.bo.staff.update.mutate({ email: soon.email, disabled: true });
    await expectEveryRefused(soon.api, "auth/Unauthenticated", inputs());
  });

  it("queries answer GET only and mutations POST only (405)", async () => {
    // On the wire: the method is the only thing wrong.
    const q = await suite.call("backOffice.tenants.list", {}, { method: "POST", cookie: suite.admin.cookie });
    expect([q.status, q.appCode]).toEqual([405, "request/MethodNotAllowed"]);
    const m = await suite.call("backOffice.tenants.create", { key: "x" }, { method: "GET", cookie: suite.admin.cookie });
    expect([m.status, m.appCode]).toEqual([405, "request/MethodNotAllowed"]);
  });
});
