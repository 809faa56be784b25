import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { decode, encode } from "@auth/core/jwt";
import { getPrisma, type StaffRole, type Tenant, type User } from "@gatehouse/db";
import { hashPassword } from "../src/lib/password-hasher";
import { createSession } from "../src/services/sessions";
import { sealClientSecret } from "../src/services/social/credentials";
import { staffSessionCookieName } from "../src/staff/auth";
import { hasRedis, signInStaff, unique, type TestServer } from "./kit";
import {
  FUZZ_RUNS,
  Raw,
  anyValue,
  encodeJson,
  expectFuzzSuiteClean,
  expectFuzzedDeep,
  fuzz,
  fuzzTally,
  problemsOf,
  procedureCase,
  regressionCases,
  randomIp,
  sendCase,
  startFuzzServer,
  valid,
  weirdString,
  type FuzzCase,
  type J,
  type ProcedureSpec,
} from "./fuzz-harness";

/**
 * Property-based fuzzing of every backOffice procedure through the real HTTP handler: FUZZ_RUNS
 * (default 2,000) adversarial cases each, as an admin, a viewer, nobody, with broken or forged
 * session cookies and with an end-user's bearer token. Every answer: no 5xx, a catalogue
 * appCode, nothing leaked; no forged credential ever succeeds and a viewer never mutates.
 */

const STAFF_PASSWORD = "Fuzz-staff-passphrase-11";

interface Staff {
  id: string;
  email: string;
  cookie: string;
}

interface World {
  tenants: Tenant[];
  deletedTenant: Tenant;
  users: User[];
  targetStaff: string[];
  garbageCookies: string[];
  bearer: string;
  secrets: string[];
}

let staffHash: string;
let userHash: string;

async function makeStaff(baseUrl: string, role: StaffRole, prefix: string): Promise<Staff> {
  const email = `${unique(prefix)}@staff.example.com`;
  const row = await getPrisma().staffUser.create({ data: { email, passwordHash: staffHash, role } });
  const cookie = await signInStaff(baseUrl, email, STAFF_PASSWORD, { headers: { "x-forwarded-for": randomIp() } });
  if (!cookie) throw new Error(`could not sign ${email} in`);
  return { id: row.id, email, cookie };
}

/** Session cookies that must never open the BackOffice. */
async function garbageCookies(admin: Staff, disabled: { staffId: string; sessionId: string }): Promise<string[]> {
  const name = staffSessionCookieName();
  const value = admin.cookie.slice(admin.cookie.indexOf("=") + 1);
  const secret = process.env.AUTH_SECRET!;
  const now = Math.floor(Date.now() / 1000);
  const forge = (token: Record<string, unknown>, key = secret) => encode({ token, secret: key, salt: name, maxAge: 3600 });
  // The admin's live server-side session: forgeries carry it, so only the rule under test stops them.
  const sid = (await decode<{ sid: string }>({ token: value, secret, salt: name }))!.sid;
  return [
    `${name}=%E0%A4%A`,
    `${name}=%`,
    `${name}=`,
    `${name}=garbage`,
    `${name}.0=abc; ${name}.1=def`,
    `${name}=${value.slice(0, -3)}xyz`,
    `${name}=${value}${value}`,
    `__Secure-${name}=${value}`,
    `${name}=${await forge({ staffId: admin.id, sid, signedInAt: now }, "another-secret-another-secret-another-secret")}`,
    `${name}=${await forge({ sub: admin.id })}`,
    `${name}=${await forge({ staffId: admin.id, signedInAt: now })}`,
    `${name}=${await forge({ staffId: admin.id, sid: "not-a-uuid", signedInAt: now })}`,
    `${name}=${await forge({ staffId: admin.id, sid, signedInAt: now - 9 * 3600 })}`,
    `${name}=${await forge({ staffId: "00000000-0000-4000-8000-000000000000", sid, signedInAt: now })}`,
    // A session from before this staff member was disabled: dead for good, even once the fuzz
    // re-enables them (minted with the real secret, so only the server-side rule can stop it).
    `${name}=${await forge({ staffId: disabled.staffId, sid: disabled.sessionId, signedInAt: now - 60 })}`,
    `${name}=${await forge({ staffId: { $ne: null }, sid, signedInAt: now })}`,
    `${name}=${await forge({ staffId: admin.id, sid, signedInAt: "now" })}`,
    ";;;===;",
    `a=b; ${"c=d; ".repeat(400)}`,
    `${name}=${"A".repeat(6000)}`,
  ];
}

const pick = <T>(...items: [number, fc.Arbitrary<T>][]) => fc.oneof(...items.map(([weight, arbitrary]) => ({ weight, arbitrary })));
const one = <T>(value: T) => fc.constant(value);
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

/** Cursors: well-formed ones at the edges of what the database can store, and nonsense. */
const createdCursor: fc.Arbitrary<J> = pick<J>(
  [
    3,
    fc
      .tuple(
        pick<string>(
          [3, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())],
          [
            1,
            fc.constantFrom(
              "+275760-09-13T00:00:00.000Z",
              "-271821-04-20T00:00:00.000Z",
              "0000-01-01T00:00:00Z",
              "-004714-11-23T00:00:00Z",
              "2024-02-30",
              "1",
              "",
            ),
          ],
        ),
        pick<string>(
          [3, valid.uuid],
          [
            1,
            fc.constantFrom(
              "00000000-0000-0000-0000-000000000000",
              "------------------------------------",
              "ffffffffffffffffffffffffffffffffffff",
              "0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-",
            ),
          ],
        ),
      )
      .map(([at, id]) => b64(JSON.stringify([at, id]))),
  ],
  [1, anyValue().map((v) => b64(encodeJson(v)))],
  [1, weirdString],
);

const idCursor: fc.Arbitrary<J> = pick<J>(
  [
    3,
    fc.constantFrom("9999999999999999999", "9223372036854775807", "9223372036854775808", "0", "-1", "1").map((s) => b64(JSON.stringify(s))),
  ],
  [2, fc.bigInt({ min: 0n, max: 9_999_999_999_999_999_999n }).map((n) => b64(JSON.stringify(n.toString())))],
  [1, anyValue().map((v) => b64(encodeJson(v)))],
  [1, weirdString],
);

const limit: fc.Arbitrary<J> = pick<J>(
  [4, fc.integer({ min: 1, max: 100 })],
  [1, fc.constantFrom<J>(0, 101, -1, 1.5, new Raw("1e309"), new Raw("-0"), "20")],
);
const domain = pick<J>(
  [4, fc.domain()],
  [
    1,
    fc.constantFrom(
      "EXAMPLE.COM",
      " example.com ",
      "-a.com",
      "a..com",
      "@example.com",
      "xn--80ak6aa92e.com",
      "localhost",
      "a".repeat(64) + ".com",
    ),
  ],
);
const appUrl = pick<J>(
  [3, fc.webUrl()],
  [
    2,
    fc.constantFrom<J>(
      "",
      null,
      "javascript:alert(1)",
      "http://[::1]:3000/x",
      "http://a b.com",
      "https://user:pw@app.example.com/x?y#z",
      "ftp://example.com",
      "http://127.0.0.1:0",
      "https://xn--80ak6aa92e.com",
      "http://%41.com",
      "http://" + "a".repeat(300) + ".com",
      "https://app.example.com:99999",
    ),
  ],
);
/** CONTRACT v2 redirect URIs: each accepted form, and the refused ones next to them. */
const redirectUri = pick<J>(
  [3, fc.webUrl({ validSchemes: ["https"], withQueryParameters: true })],
  [
    2,
    fc.constantFrom<J>(
      "http://localhost:5173/cb",
      "http://127.0.0.1/cb",
      "http://[::1]:8080/cb",
      "com.example.app:/oauth",
      "http://app.example.com/cb",
      "https://app.example.com/cb#x",
      "https://u:p@app.example.com/cb",
      "myapp:/oauth",
      "javascript:alert(1)",
      "/relative",
      "https://app.example.com/a b",
      "https://" + "a".repeat(2100) + ".com",
      "",
    ),
  ],
  [1, weirdString],
);
const redirectUris = fc.array(redirectUri, { maxLength: 4 });
/** Scopes and native client ids: plain words, and the characters and sizes the schemas refuse. */
const word = pick<J>(
  [4, fc.stringMatching(/^[a-z][a-z_.:/-]{0,20}$/)],
  [1, fc.constantFrom<J>("", " ", "two words", 'quo"te', "back\\slash", "x".repeat(300), "\u0000", 123)],
);
const auditActions = ["tenant.created", "tenant.updated", "user.signInFailed", "staff.signedIn", "session.reuseDetected"];

type Spec = ProcedureSpec & { admin: boolean; ownAdmin?: boolean };

function specs(world: World, identities: ProcedureSpec["identities"]): Spec[] {
  const liveKeys = world.tenants.map((t) => t.key);
  const key = pick<J>(
    [5, fc.constantFrom(...liveKeys)],
    [1, one(world.deletedTenant.key)],
    [1, one(liveKeys[0]!.toUpperCase())],
    [2, valid.tenantKey],
  );
  const userIds = world.users.map((u) => u.userId);
  const userId = pick<J>(
    [5, fc.constantFrom(...userIds)],
    [1, fc.constantFrom(...userIds.map((u) => ` ${u.toUpperCase()} `))],
    [2, valid.userId],
    [1, weirdString],
  );
  const name = pick<J>([4, valid.displayName], [1, weirdString]);
  const query = pick<J>(
    [3, fc.string({ maxLength: 12 })],
    [2, fc.constantFrom("%", "_", "\\", "%_%", "'", "fz", "(", "[a-z]", ".*", "\\%")],
    [1, weirdString],
  );
  const base = { identities };
  return [
    {
      ...base,
      admin: false,
      path: "backOffice.tenants.list",
      kind: "query",
      optional: ["query", "includeDeleted", "cursor", "limit"],
      fields: { query, includeDeleted: fc.boolean(), cursor: createdCursor, limit },
    },
    { ...base, admin: false, path: "backOffice.tenants.get", kind: "query", fields: { key } },
    { ...base, admin: false, path: "backOffice.tenants.stats", kind: "query", fields: { key } },
    {
      ...base,
      admin: true,
      path: "backOffice.tenants.create",
      kind: "mutation",
      optional: ["allowedEmailDomains", "locale", "appUrl", "redirectUris"],
      fields: {
        key: pick<J>([4, valid.tenantKey], [1, key]),
        name,
        allowedEmailDomains: fc.array(domain, { maxLength: 4 }),
        locale: fc.constantFrom("ko", "en"),
        appUrl,
        redirectUris,
      },
    },
    {
      ...base,
      admin: true,
      path: "backOffice.tenants.update",
      kind: "mutation",
      optional: ["name", "allowedEmailDomains", "locale", "appUrl", "redirectUris"],
      fields: {
        key,
        name,
        allowedEmailDomains: fc.array(domain, { maxLength: 4 }),
        locale: fc.constantFrom("ko", "en"),
        appUrl,
        redirectUris,
      },
    },
    { ...base, admin: false, path: "backOffice.socialProviders.list", kind: "query", fields: { tenantKey: key } },
    {
      ...base,
      admin: true,
      path: "backOffice.socialProviders.set",
      kind: "mutation",
      optional: ["clientSecret", "nativeClientIds", "scopes"],
      fields: {
        tenantKey: key,
        provider: pick<J>([6, fc.constantFrom("google", "kakao", "naver")], [1, fc.constantFrom<J>("GOOGLE", "facebook", "")]),
        clientId: pick<J>([4, word], [1, weirdString]),
        clientSecret: pick<J>([4, valid.password], [1, word], [1, weirdString]),
        nativeClientIds: fc.array(word, { maxLength: 4 }),
        scopes: fc.array(word, { maxLength: 4 }),
        enabled: fc.boolean(),
      },
    },
    {
      ...base,
      admin: true,
      path: "backOffice.socialProviders.remove",
      kind: "mutation",
      fields: { tenantKey: key, provider: pick<J>([6, fc.constantFrom("google", "kakao", "naver")], [1, fc.constantFrom<J>("line", "")]) },
    },
    { ...base, admin: true, path: "backOffice.tenants.softDelete", kind: "mutation", fields: { key } },
    { ...base, admin: true, path: "backOffice.tenants.restore", kind: "mutation", fields: { key } },
    {
      ...base,
      admin: true,
      path: "backOffice.managers.issue",
      kind: "mutation",
      validWeight: 1,
      optional: ["email", "includePasswordInEmail"],
      fields: {
        tenantKey: key,
        userId: pick<J>([3, valid.userId], [1, userId]),
        displayName: name,
        email: valid.email,
        includePasswordInEmail: fc.boolean(),
      },
    },
    {
      ...base,
      admin: false,
      path: "backOffice.users.list",
      kind: "query",
      optional: ["query", "cursor", "limit"],
      fields: { tenantKey: key, query, cursor: createdCursor, limit },
    },
    { ...base, admin: false, path: "backOffice.users.get", kind: "query", fields: { tenantKey: key, userId } },
    { ...base, admin: true, path: "backOffice.users.suspend", kind: "mutation", fields: { tenantKey: key, userId } },
    { ...base, admin: true, path: "backOffice.users.unsuspend", kind: "mutation", fields: { tenantKey: key, userId } },
    { ...base, admin: true, path: "backOffice.users.resetPassword", kind: "mutation", validWeight: 1, fields: { tenantKey: key, userId } },
    { ...base, admin: true, path: "backOffice.users.delete", kind: "mutation", fields: { tenantKey: key, userId } },
    {
      ...base,
      admin: false,
      path: "backOffice.auditLog.list",
      kind: "query",
      optional: ["tenantKey", "action", "cursor", "limit"],
      fields: { tenantKey: key, action: pick<J>([3, fc.constantFrom(...auditActions)], [1, weirdString]), cursor: idCursor, limit },
    },
    { ...base, admin: true, path: "backOffice.staff.list", kind: "query", fields: {} },
    {
      ...base,
      admin: true,
      path: "backOffice.staff.create",
      kind: "mutation",
      validWeight: 1,
      fields: {
        email: pick<J>([4, valid.email], [1, fc.constantFrom(...world.targetStaff)]),
        password: pick<J>([4, valid.password], [1, fc.constantFrom("password", "12345678")]),
        role: fc.constantFrom("admin", "viewer"),
      },
    },
    {
      ...base,
      admin: true,
      path: "backOffice.staff.update",
      kind: "mutation",
      optional: ["role", "disabled"],
      fields: {
        email: pick<J>([4, fc.constantFrom(...world.targetStaff)], [1, valid.email]),
        role: fc.constantFrom("admin", "viewer"),
        disabled: fc.boolean(),
      },
    },
    {
      ...base,
      admin: false,
      ownAdmin: true,
      path: "backOffice.staff.changePassword",
      kind: "mutation",
      validWeight: 1,
      fields: {
        currentPassword: pick<J>([1, one(STAFF_PASSWORD)], [4, valid.password]),
        newPassword: pick<J>([4, valid.password], [1, one(STAFF_PASSWORD)], [1, one("password")]),
      },
    },
  ];
}

describe.skipIf(!hasRedis)("fuzzing the backOffice procedures", () => {
  let server: TestServer;
  let admin: Staff;
  let viewer: Staff;
  const tally = fuzzTally();

  beforeAll(async () => {
    server = await startFuzzServer();
    staffHash = await hashPassword(STAFF_PASSWORD);
    userHash = await hashPassword("Fuzz-user-passphrase-3");
    admin = await makeStaff(server.url, "admin", "fzadmin");
    viewer = await makeStaff(server.url, "viewer", "fzviewer");
  });

  afterAll(async () => {
    await server?.close();
  });

  async function buildWorld(): Promise<World> {
    const prisma = getPrisma();
    const tenants: Tenant[] = [];
    for (let i = 0; i < 3; i++) {
      const key = unique("fzb").slice(0, 30);
      tenants.push(await prisma.tenant.create({ data: { key, name: `Fuzz ${key}`, allowedEmailDomains: i === 1 ? ["example.com"] : [] } }));
    }
    const deletedKey = unique("fzd").slice(0, 30);
    const deletedTenant = await prisma.tenant.create({ data: { key: deletedKey, name: "Deleted", deletedAt: new Date() } });
    const users: User[] = [];
    for (let i = 0; i < 8; i++) {
      const userId = unique("fu").toLowerCase().slice(0, 30);
      users.push(
        await prisma.user.create({
          data: {
            tenantId: tenants[i % 2]!.id,
            userId,
            email: `${userId}@example.com`,
            displayName: `Fuzz user ${i}`,
            passwordHash: userHash,
            role: i % 3 === 0 ? "manager" : "member",
            source: i % 3 === 0 ? "admin_issued" : "self_signup",
            suspendedAt: i % 4 === 1 ? new Date() : null,
          },
        }),
      );
    }
    const targetStaff: string[] = [];
    for (let i = 0; i < 3; i++) {
      const email = `${unique("fzt")}@staff.example.com`;
      // The disabled one as a disable leaves it: its version bumped past its old sessions'.
      await prisma.staffUser.create({
        data: {
          email,
          passwordHash: staffHash,
          role: i === 0 ? "admin" : "viewer",
          ...(i === 2 ? { disabledAt: new Date(), credentialsVersion: 1 } : {}),
        },
      });
      targetStaff.push(email);
    }
    const disabled = await prisma.staffUser.findUniqueOrThrow({ where: { email: targetStaff[2]! } });
    // A session opened before the disable (under version 0), which the disable did not revoke:
    // only the version check can stop it, even once the fuzz re-enables that staff member.
    const oldSession = await prisma.staffSession.create({
      data: { staffId: disabled.id, credentialsVersion: 0, expiresAt: new Date(Date.now() + 3600_000) },
    });
    // A stored provider secret: no answer may ever carry it, nor its sealed form.
    const providerSecret = `fz-provider-secret-${unique("s")}`;
    const provider = await prisma.tenantSocialProvider.create({
      data: {
        tenantId: tenants[0]!.id,
        provider: "google",
        clientId: "fuzz-web",
        clientSecretSealed: sealClientSecret(providerSecret),
        scopes: [],
        enabled: true,
      },
    });
    const session = await createSession(users[2]!, tenants[0]!, { ip: "10.9.9.9", userAgent: "fuzz" });
    return {
      tenants,
      deletedTenant,
      users,
      targetStaff,
      garbageCookies: await garbageCookies(admin, { staffId: disabled.id, sessionId: oldSession.id }),
      bearer: session.accessToken,
      secrets: [
        STAFF_PASSWORD,
        "Fuzz-user-passphrase-3",
        staffHash,
        userHash,
        process.env.AUTH_SECRET!,
        session.accessToken,
        session.refreshToken,
        viewer.cookie.split("=")[1]!,
        providerSecret,
        provider.clientSecretSealed!,
      ],
    };
  }

  const names = [
    "backOffice.tenants.list",
    "backOffice.tenants.get",
    "backOffice.tenants.stats",
    "backOffice.tenants.create",
    "backOffice.tenants.update",
    "backOffice.tenants.softDelete",
    "backOffice.tenants.restore",
    "backOffice.socialProviders.list",
    "backOffice.socialProviders.set",
    "backOffice.socialProviders.remove",
    "backOffice.managers.issue",
    "backOffice.users.list",
    "backOffice.users.get",
    "backOffice.users.suspend",
    "backOffice.users.unsuspend",
    "backOffice.users.resetPassword",
    "backOffice.users.delete",
    "backOffice.auditLog.list",
    "backOffice.staff.list",
    "backOffice.staff.create",
    "backOffice.staff.update",
    "backOffice.staff.changePassword",
  ];

  it.each(names)(
    `%s: ${FUZZ_RUNS} adversarial cases, never a 5xx, a catalogue appCode, nothing leaked`,
    async (path) => {
      const world = await buildWorld();
      const identities = [
        { weight: 40, identity: "admin" },
        { weight: 8, identity: "viewer" },
        { weight: 3, identity: "none" },
        { weight: 2, identity: "bearer" },
        ...world.garbageCookies.map((_, i) => ({ weight: 1, identity: `cookie:${i}` })),
      ];
      const spec = specs(world, identities).find((s) => s.path === path)!;
      // staff.changePassword ends the sessions of whoever changes: that suite has its own admin,
      // whose cookie follows the fresh one each successful change hands back.
      const actingAdmin = spec.ownAdmin ? await makeStaff(server.url, "admin", "fzpw") : admin;
      const cookies: Record<string, string> = { admin: actingAdmin.cookie, viewer: viewer.cookie };
      const viewerBefore = viewer.cookie;
      const stats = await fuzz(
        procedureCase(spec),
        async (c: FuzzCase) => {
          const headers: Record<string, string | undefined> = {};
          if (c.identity === "admin" || c.identity === "viewer") headers.cookie = cookies[c.identity];
          else if (c.identity === "bearer") headers.authorization = `Bearer ${world.bearer}`;
          else if (c.identity.startsWith("cookie:")) headers.cookie = world.garbageCookies[Number(c.identity.slice(7))];
          const res = await sendCase(server.url, c, headers);
          const renewed = ([] as string[])
            .concat(res.headers["set-cookie"] ?? [])
            .find((cookie) => cookie.startsWith(`${staffSessionCookieName()}=`));
          if (renewed && (c.identity === "admin" || c.identity === "viewer")) cookies[c.identity] = renewed.split(";", 1)[0]!;
          const problems = problemsOf(res, {
            issuesTokens: false,
            secrets: [...world.secrets, ...(c.identity === "viewer" ? [] : [viewerBefore.split("=")[1]!])],
            echo: c.echo,
            hexSeen: tally.hexSeen,
          });
          const anonymous = c.identity === "none" || c.identity === "bearer" || c.identity.startsWith("cookie:");
          if (anonymous && res.status === 200) problems.push(`${c.identity} got a success`);
          if (c.identity === "viewer" && spec.admin && res.status === 200) problems.push("a viewer got a success on an admin procedure");
          return { res, problems };
        },
        { name: path, regressions: regressionCases(spec, { TENANT: world.tenants[0]!.key, USER: world.users[0]!.userId }) },
      );
      viewer.cookie = cookies.viewer!;
      expectFuzzedDeep(tally, path, stats, /validation\/Invalid|request\/|auth\/Unauthenticated/);
    },
    600_000,
  );

  it("forged, stale (signed in 9 h ago), foreign-secret and malformed staff session cookies never open the BackOffice", async () => {
    const world = await buildWorld();
    const ask = (cookie: string) =>
      sendCase(
        server.url,
        { method: "GET", path: "backOffice.tenants.list", query: "input=%7B%7D", identity: "x", echo: [], label: "cookie" },
        { cookie },
      );
    // The control: the real cookie is accepted, so a 401 below is the cookie's doing.
    expect((await ask(admin.cookie)).status).toBe(200);
    for (const cookie of world.garbageCookies) {
      const res = await ask(cookie);
      expect([res.status, JSON.parse(res.text).error?.data?.appCode], cookie.slice(0, 60)).toEqual([401, "auth/Unauthenticated"]);
    }
  });

  it("left no prototype polluted and no stored hash in any answer; reached the deep paths", async () => {
    await expectFuzzSuiteClean(tally, [
      "200 ok",
      "403 auth/Forbidden",
      "404 tenant/NotFound",
      "404 user/NotFound",
      "409 tenant/KeyDuplicated",
      "404 staff/NotFound",
    ]);
  });
});
