import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { SignJWT, base64url, decodeJwt } from "jose";
import { getPrisma, type Tenant, type User } from "@gatehouse/db";
import { hashPassword } from "../src/lib/password-hasher";
import { createSession } from "../src/services/sessions";
import { startStandIns, type StandIns } from "@gatehouse/provider-stand-ins";
import { issueResetToken } from "../src/services/password-reset-token";
import { issueCode } from "../src/services/social/rounds";
import { hasRedis, plantSession, unique, type TestServer } from "./kit";
import { pkce, socialTenant } from "./social-support";
import { startSmsCapture, type SmsCapture } from "./sms-capture";
import { restRoutes } from "@gatehouse/contract";
import {
  FUZZ_REST_RUNS,
  FUZZ_RUNS,
  expectFuzzSuiteClean,
  expectFuzzedDeep,
  fuzz,
  fuzzTally,
  problemsOf,
  procedureCase,
  regressionCases,
  restProcedureCase,
  sendCase,
  startFuzzServer,
  valid,
  weirdString,
  type FuzzCase,
  type J,
  type ProcedureSpec,
} from "./fuzz-harness";

/**
 * Property-based fuzzing of every clientAuth and clientEmailVerification procedure through the
 * real HTTP handler: FUZZ_RUNS (default 2,000) adversarial cases each, as a verified, an
 * unverified, a password-change-required and a suspended user, anonymously, and with forged or
 * broken tokens. Every answer: no 5xx, a catalogue appCode, nothing leaked; and no forged or
 * foreign credential ever gets a success. Each procedure's REST route (/api/v1) gets the same
 * inputs and checks, FUZZ_REST_RUNS of them, as problem details instead of tRPC's envelope.
 */

const PASSWORD = "Fuzz-fixture-passphrase-7";
const OWN_REFRESH = "$OWN_REFRESH$";
const OWN_SESSION = "$OWN_SESSION_ID$";

type Kind = "verified" | "unverified" | "mustChange" | "suspended" | "manager" | "deletedTenant";

interface World {
  tenant: Tenant;
  /** A tenant with email-code sign-in on (clientPasswordless; `tenant` has it off, the default). */
  codeTenant: Tenant;
  domainTenant: Tenant;
  deletedTenant: Tenant;
  /** A tenant with the three providers (stand-ins) configured and redirect URIs (clientSocial). */
  socialTenant: Tenant;
  /** One-time social codes for the verified user, some issued with a PKCE challenge (its verifier kept). */
  socialCodes: { code: string; verifier: string | null }[];
  /** clientPasswordReset: the verified user's number (verified), and live resetTokens for them. */
  verifiedPhone: string;
  resetTokens: string[];
  users: Record<Kind, User>;
  /** A live access token per kind of user. */
  tokens: Record<Kind, string>;
  /** Authorization headers that must never open an `A` procedure. */
  forged: string[];
  /** Sessions (refresh tokens) to spend in refresh/signOut cases. */
  pool: { refreshToken: string; sessionId: string }[];
  /** Another user's session: revokeSession must never touch it. */
  foreign: { sessionId: string; refreshToken: string; accessToken: string };
  secrets: string[];
}

let passwordHash: string;
/** The provider stand-ins the fuzz server talks to (a tenant's providers are never the real ones here). */
let standIns: StandIns;
const SOCIAL_REDIRECTS = ["https://app.example.com/cb?x=1", "http://127.0.0.1/cb", "com.example.app:/oauth"];
const client = { ip: "10.200.0.1", userAgent: "fuzz-fixture" };

async function makeTenant(data: { allowedEmailDomains?: string[]; deleted?: boolean; emailCodeSignIn?: boolean } = {}): Promise<Tenant> {
  const key = unique("fz").slice(0, 30);
  return getPrisma().tenant.create({
    data: {
      key,
      name: `Fuzz ${key}`,
      allowedEmailDomains: data.allowedEmailDomains ?? [],
      locale: "en",
      deletedAt: data.deleted ? new Date() : null,
      emailCodeSignIn: data.emailCodeSignIn ?? false,
    },
  });
}

async function makeUser(tenant: Tenant, kind: Kind): Promise<User> {
  const userId = unique(kind.slice(0, 3)).toLowerCase().slice(0, 30);
  return getPrisma().user.create({
    data: {
      tenantId: tenant.id,
      userId,
      email: `${userId}@example.com`,
      verifiedEmail: kind === "verified" ? `${userId}@example.com` : null,
      emailVerifiedAt: kind === "verified" || kind === "deletedTenant" ? new Date() : null,
      displayName: `Fuzz ${kind}`,
      passwordHash,
      role: kind === "manager" ? "manager" : "member",
      source: kind === "manager" ? "admin_issued" : "self_signup",
      mustChangePassword: kind === "mustChange",
      suspendedAt: kind === "suspended" ? new Date() : null,
    },
  });
}

/** Forged credentials built from a real token: none of them may authenticate. */
async function forgeries(token: string, otherUserToken: string, deletedTenantToken: string): Promise<string[]> {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = decodeJwt(token);
  const otherPayload = otherUserToken.split(".")[1]!;
  const kid = (JSON.parse(Buffer.from(header, "base64url").toString()) as { kid: string }).kid;
  const none = `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
  const hs256 = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "HS256", kid })
    .sign(new TextEncoder().encode("the public key is not a secret"));
  const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })
    .setProtectedHeader({ alg: "HS256", kid })
    .sign(new TextEncoder().encode("x"));
  const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return [
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    `Basic ${token}`,
    token,
    `Bearer ${none}`,
    `Bearer ${hs256}`,
    `Bearer ${expired}`,
    `Bearer ${header}.${otherPayload}.${signature}`,
    `Bearer ${header}.${payload}.${flipped}`,
    `Bearer ${token}x`,
    `Bearer ${token} ${token}`,
    `Bearer ${token.slice(0, -2)}`,
    `Bearer ${deletedTenantToken}`,
    `Bearer ${"a".repeat(5000)}`,
    `Bearer ${header}..${signature}`,
    `Bearer ${base64url.encode(JSON.stringify({ alg: "EdDSA", kid: "nope" }))}.${payload}.${signature}`,
    `Bearer ${base64url.encode(JSON.stringify({ alg: "EdDSA", kid: { $ne: 1 } }))}.${payload}.${signature}`,
    `Bearer ${base64url.encode(JSON.stringify({ alg: "EdDSA", kid: "../../etc/passwd\u0000" }))}.${payload}.${signature}`,
    "Bearer %E0%A4%A",
  ];
}

async function buildWorld(): Promise<World> {
  const tenant = await makeTenant();
  const domainTenant = await makeTenant({ allowedEmailDomains: ["example.com", "mail.example.com"] });
  const deletedTenant = await makeTenant();
  const codeTenant = await makeTenant({ emailCodeSignIn: true, allowedEmailDomains: ["example.com", "mail.example.com"] });
  const kinds: Kind[] = ["verified", "unverified", "mustChange", "suspended", "manager"];
  const users = {} as Record<Kind, User>;
  const tokens = {} as Record<Kind, string>;
  const secrets: string[] = [PASSWORD, passwordHash, process.env.AUTH_SECRET!];
  for (const kind of kinds) {
    users[kind] = await makeUser(kind === "unverified" ? domainTenant : tenant, kind);
    // Planted: openSession refuses a suspended user, but the gates must be fuzzed with one.
    const session = await plantSession(users[kind], kind === "unverified" ? domainTenant : tenant, client);
    tokens[kind] = session.accessToken;
    secrets.push(session.accessToken, session.refreshToken);
  }
  users.deletedTenant = await makeUser(deletedTenant, "deletedTenant");
  const deletedSession = await createSession(users.deletedTenant, deletedTenant, client);
  await getPrisma().tenant.update({ where: { id: deletedTenant.id }, data: { deletedAt: new Date() } });
  tokens.deletedTenant = deletedSession.accessToken;
  secrets.push(deletedSession.accessToken, deletedSession.refreshToken);

  const other = await makeUser(tenant, "verified");
  const foreignSession = await createSession(other, tenant, client);
  const foreign = {
    sessionId: decodeJwt(foreignSession.accessToken).sid as string,
    refreshToken: foreignSession.refreshToken,
    accessToken: foreignSession.accessToken,
  };
  secrets.push(foreign.accessToken, foreign.refreshToken);

  const pool: World["pool"] = [];
  for (let i = 0; i < 60; i++) {
    const owner = i % 10 === 0 ? users.suspended : users.verified;
    const s = await plantSession(owner, tenant, client);
    pool.push({ refreshToken: s.refreshToken, sessionId: decodeJwt(s.accessToken).sid as string });
  }
  const social = await socialTenant(standIns, { redirectUris: SOCIAL_REDIRECTS });
  secrets.push(...Object.values(standIns.credentials).map((c) => c.clientSecret));
  const socialCodes: World["socialCodes"] = [];
  for (let i = 0; i < 40; i++) {
    const pair = i % 2 === 0 ? pkce() : null;
    const grant = { tenantId: tenant.id, userId: users.verified.id, provider: "google" as const, isNewUser: false };
    const code = await issueCode({ ...grant, appCodeChallenge: pair?.challenge ?? null });
    socialCodes.push({ code, verifier: pair?.verifier ?? null });
  }
  const verifiedPhone = `+8210${String(10_000_000 + Math.floor(Math.random() * 89_999_999))}`;
  users.verified = await getPrisma().user.update({
    where: { id: users.verified.id },
    data: { phone: verifiedPhone, verifiedPhone, phoneVerifiedAt: new Date() },
  });
  const resetTokens: string[] = [];
  for (let i = 0; i < 20; i++) resetTokens.push((await issueResetToken(tenant, users.verified)).resetToken);
  secrets.push(...resetTokens);
  const d = await createSession(users.deletedTenant, deletedTenant, client).catch(() => undefined);
  if (d) pool.push({ refreshToken: d.refreshToken, sessionId: decodeJwt(d.accessToken).sid as string });

  return {
    tenant,
    codeTenant,
    domainTenant,
    deletedTenant,
    socialTenant: social,
    socialCodes,
    verifiedPhone,
    resetTokens,
    users,
    tokens,
    forged: await forgeries(tokens.verified, foreign.accessToken, tokens.deletedTenant),
    pool,
    foreign,
    secrets,
  };
}

/** ASCII as a full-width keyboard types it (NFKC maps it back). */
const fullWidth = (ascii: string) => ascii.replace(/[!-~]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));

const pick = <T>(...items: [number, fc.Arbitrary<T>][]) => fc.oneof(...items.map(([weight, arbitrary]) => ({ weight, arbitrary })));
const one = <T>(value: T) => fc.constant(value);

/** Identities for `A` procedures (weights): live users of each kind, nobody, forged tokens. */
function userIdentities(world: World) {
  return [
    { weight: 40, identity: "verified" },
    { weight: 10, identity: "unverified" },
    { weight: 3, identity: "mustChange" },
    { weight: 3, identity: "suspended" },
    { weight: 3, identity: "manager" },
    { weight: 2, identity: "deletedTenant" },
    { weight: 3, identity: "none" },
    ...world.forged.map((_, i) => ({ weight: 1, identity: `forged:${i}` })),
  ];
}

const publicIdentities = [
  { weight: 10, identity: "none" },
  { weight: 1, identity: "verified" },
  { weight: 1, identity: "forged:5" },
];

function specs(world: World): (ProcedureSpec & { fresh?: boolean; issuesTokens?: boolean; public?: boolean })[] {
  const liveUserIds = (["verified", "unverified", "mustChange", "suspended", "manager"] as const).map((k) => world.users[k].userId);
  const ids = userIdentities(world);
  // Mostly the tenant that has the method on; the others answer 400 (off), 404 (deleted, unknown).
  const codeTenantKey = pick<J>(
    [5, one(world.codeTenant.key)],
    [1, one(world.tenant.key)],
    [1, one(world.deletedTenant.key)],
    [1, valid.tenantKey],
  );
  const socialTenantKey = pick<J>(
    [5, one(world.socialTenant.key)],
    [1, one(world.tenant.key)],
    [1, one(world.deletedTenant.key)],
    [1, valid.tenantKey],
  );
  // Reset works in any live tenant; mostly the world's, whose verified user has an address and a number.
  const resetTenantKey = pick<J>([6, one(world.tenant.key)], [1, one(world.deletedTenant.key)], [1, valid.tenantKey]);
  const phoneInput = pick<J>(
    [3, one(world.verifiedPhone)],
    [3, fc.integer({ min: 10_000_000, max: 99_999_999 }).map((n) => `010${n}`)],
    [1, fc.integer({ min: 10_000_000, max: 99_999_999 }).map((n) => `+8210${n}`)],
    [1, fc.constantFrom("02-312-3456", "+442071838750", "+1 202 555 0100", "010-1234-5678 ext. 9", "++82", "0")],
    [1, weirdString],
  );
  const poolToken = fc.integer({ min: 0, max: world.pool.length - 1 }).map((i) => world.pool[i]!.refreshToken);
  return [
    {
      path: "clientAuth.signUp",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      validWeight: 1,
      fields: {
        // Each accepted sign-up costs a bcrypt hash: most cases name a tenant that is not there.
        tenantKey: pick<J>(
          [1, one(world.tenant.key)],
          [1, one(world.domainTenant.key)],
          [1, one(world.deletedTenant.key)],
          [4, valid.tenantKey],
        ),
        userId: pick<J>([5, valid.userId], [1, fc.constantFrom(...liveUserIds)], [1, valid.userId.map((u) => u.toUpperCase())]),
        password: pick<J>([4, valid.password], [1, fc.constantFrom("password", "Password1", "12345678", "qwertyuiop")]),
        displayName: pick<J>([4, valid.displayName], [1, weirdString]),
        email: pick<J>([4, valid.email], [1, fc.constantFrom(...liveUserIds.map((u) => `${u}@example.com`), "x@evil.example")]),
      },
    },
    {
      path: "clientAuth.signIn",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      validWeight: 1,
      fields: {
        // Each attempt on a live tenant costs a bcrypt comparison: most name one that is not there.
        tenantKey: pick<J>([2, one(world.tenant.key)], [1, one(world.deletedTenant.key)], [5, valid.tenantKey]),
        userId: pick<J>(
          [4, fc.constantFrom(...liveUserIds, world.users.deletedTenant.userId)],
          [2, valid.userId],
          [1, fc.constantFrom(...liveUserIds.map((u) => ` ${u.toUpperCase()} `))],
        ),
        password: pick<J>(
          [3, one(PASSWORD)],
          [3, valid.password],
          [
            2,
            fc.constantFrom(
              `${PASSWORD} `,
              ` ${PASSWORD}`,
              PASSWORD.toLowerCase(),
              PASSWORD.toUpperCase(),
              `${PASSWORD}\u0000`,
              PASSWORD.slice(0, -1),
              fullWidth(PASSWORD),
              fullWidth(PASSWORD).toLowerCase(),
            ),
          ],
        ),
      },
    },
    {
      path: "clientAuth.refresh",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      fields: {
        refreshToken: pick<J>(
          [6, poolToken],
          [1, poolToken.map((t) => t.replace(/.$/, (c) => (c === "A" ? "B" : "A")))],
          [2, fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{22}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)).map(([a, b]) => `${a}.${b}`)],
          [1, poolToken.map((t) => `${t} `)],
        ),
      },
    },
    {
      path: "clientAuth.signOut",
      kind: "mutation",
      fresh: true,
      identities: ids,
      optional: ["refreshToken"],
      fields: {
        refreshToken: pick<J>(
          [4, one(OWN_REFRESH)],
          [2, poolToken],
          [1, one(world.foreign.refreshToken)],
          [1, fc.constantFrom("a.b", `${OWN_REFRESH}x`)],
        ),
      },
    },
    { path: "clientAuth.me", kind: "query", identities: ids, fields: {} },
    {
      path: "clientAuth.updateMe",
      kind: "mutation",
      identities: ids,
      fields: { displayName: pick<J>([4, valid.displayName], [1, weirdString]) },
    },
    {
      path: "clientAuth.changePassword",
      kind: "mutation",
      issuesTokens: true,
      identities: ids,
      validWeight: 2,
      fields: {
        currentPassword: pick<J>([1, one(PASSWORD)], [3, valid.password]),
        newPassword: pick<J>([4, valid.password], [1, one(PASSWORD)], [1, fc.constantFrom("password1", "iloveyou", ...liveUserIds)]),
      },
    },
    { path: "clientAuth.listSessions", kind: "query", identities: ids, fields: {} },
    {
      path: "clientAuth.revokeSession",
      kind: "mutation",
      fresh: true,
      identities: ids,
      fields: {
        id: pick<J>(
          [3, one(OWN_SESSION)],
          [2, fc.integer({ min: 0, max: world.pool.length - 1 }).map((i) => world.pool[i]!.sessionId)],
          [2, one(world.foreign.sessionId)],
          [2, valid.uuid],
        ),
      },
    },
    {
      path: "clientEmailVerification.sendVerification",
      kind: "mutation",
      identities: ids,
      fields: {
        email: pick<J>([4, valid.email], [1, one(world.users.verified.email!)], [1, fc.constantFrom("x@evil.example", "X@EXAMPLE.COM")]),
      },
    },
    {
      path: "clientEmailVerification.verifyEmail",
      kind: "mutation",
      identities: ids,
      issuesTokens: true,
      fields: { code: pick<J>([5, valid.code], [1, fc.constantFrom("１２３４５６", "12345", "1234567", " 123456", 123456 as J)]) },
    },
    {
      path: "clientPasswordless.sendCode",
      kind: "mutation",
      public: true,
      identities: publicIdentities,
      validWeight: 2,
      fields: {
        tenantKey: codeTenantKey,
        email: pick<J>(
          [4, valid.email],
          [1, one(world.users.verified.email!)],
          [1, fc.constantFrom("x@social.local", "X@EXAMPLE.COM", " y@mail.example.com ", "z@evil.example")],
        ),
      },
    },
    {
      path: "clientPasswordless.verify",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      validWeight: 2,
      fields: {
        tenantKey: codeTenantKey,
        email: pick<J>([3, valid.email], [2, one(world.users.verified.email!)]),
        code: pick<J>([5, valid.code], [1, fc.constantFrom("１２３４５６", "12345", " 123456", 123456 as J)]),
      },
    },
    {
      path: "clientPasswordless.register",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      optional: ["userId"],
      validWeight: 2,
      fields: {
        signupToken: pick<J>([3, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)], [1, fc.constantFrom("x", "a.b", "%00")], [1, weirdString]),
        displayName: pick<J>([4, valid.displayName], [1, weirdString]),
        userId: pick<J>([4, valid.userId], [1, fc.constantFrom(...liveUserIds)]),
      },
    },
    {
      path: "clientSocial.start",
      kind: "mutation",
      public: true,
      identities: publicIdentities,
      optional: ["state", "codeChallenge"],
      validWeight: 8,
      fields: {
        tenantKey: socialTenantKey,
        provider: pick<J>([6, fc.constantFrom("google", "kakao", "naver")], [1, fc.constantFrom("github", "GOOGLE", "")]),
        redirectUri: pick<J>(
          [8, fc.constantFrom(...SOCIAL_REDIRECTS)],
          [2, fc.integer({ min: 1, max: 65535 }).map((port) => `http://127.0.0.1:${port}/cb`)],
          [
            2,
            fc.constantFrom(
              "https://app.example.com/cb",
              "https://app.example.com/cb?x=1#f",
              "https://u:p@app.example.com/cb?x=1",
              "http://app.example.com/cb?x=1",
              "javascript:alert(1)",
              "com.example.app:/oauth/../x",
            ),
          ],
          [1, weirdString],
        ),
        state: pick<J>([4, fc.stringMatching(/^[\x20-\x7e]{1,40}$/)], [1, weirdString]),
        codeChallenge: pick<J>([5, fc.constant(pkce().challenge)], [1, fc.stringMatching(/^[A-Za-z0-9_-]{40,45}$/)]),
      },
    },
    {
      path: "clientSocial.exchange",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      optional: ["codeVerifier", "tenantKey"],
      validWeight: 3,
      fields: {
        code: pick<J>(
          [4, fc.integer({ min: 0, max: world.socialCodes.length - 1 }).map((i) => world.socialCodes[i]!.code)],
          [2, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)],
          [1, weirdString],
        ),
        codeVerifier: pick<J>(
          [3, fc.integer({ min: 0, max: world.socialCodes.length - 1 }).map((i) => world.socialCodes[i]!.verifier ?? pkce().verifier)],
          [1, fc.stringMatching(/^[A-Za-z0-9_~.-]{30,130}$/)],
        ),
        tenantKey: pick<J>([4, one(world.tenant.key)], [1, one(world.socialTenant.key)], [1, valid.tenantKey]),
      },
    },
    {
      path: "clientSocial.signInWithToken",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      // Mostly Google with its id_token (what passes the schema's kind check: the deep cases); Kakao
      // or Naver with an id_token, or an added accessToken by mutation, are the kind check's 400s.
      validWeight: 8,
      fields: {
        tenantKey: socialTenantKey,
        provider: pick<J>([10, one("google")], [1, fc.constantFrom("kakao", "naver")], [1, fc.constantFrom("github", "")]),
        idToken: pick<J>(
          [2, fc.constant(world.tokens.verified)],
          [2, fc.tuple(...[1, 2, 3].map(() => fc.stringMatching(/^[A-Za-z0-9_-]{2,60}$/))).map((parts) => parts.join("."))],
          [1, weirdString],
        ),
      },
    },
    { path: "clientSocial.listIdentities", kind: "query", identities: ids, fields: {} },
    {
      path: "clientPasswordReset.sendEmailCode",
      kind: "mutation",
      public: true,
      identities: publicIdentities,
      validWeight: 2,
      fields: {
        tenantKey: resetTenantKey,
        email: pick<J>(
          [4, valid.email],
          [1, one(world.users.verified.email!)],
          [1, fc.constantFrom("x@social.local", "X@EXAMPLE.COM", " y@mail.example.com ")],
        ),
      },
    },
    {
      path: "clientPasswordReset.sendSmsCode",
      kind: "mutation",
      public: true,
      identities: publicIdentities,
      validWeight: 2,
      fields: { tenantKey: resetTenantKey, phone: phoneInput },
    },
    {
      path: "clientPasswordReset.verifyCode",
      kind: "mutation",
      public: true,
      issuesTokens: true,
      identities: publicIdentities,
      optional: ["phone", "email"],
      // Half the valid shapes give both or neither of phone and email (the schema's 400), so more
      // of them, for enough cases to reach the code check.
      validWeight: 14,
      fields: {
        tenantKey: resetTenantKey,
        code: pick<J>([5, valid.code], [1, fc.constantFrom("１２３４５６", "12345", " 123456", 123456 as J)]),
        phone: phoneInput,
        email: pick<J>([3, valid.email], [2, one(world.users.verified.email!)]),
      },
    },
    {
      path: "clientPasswordReset.resetPassword",
      kind: "mutation",
      public: true,
      identities: publicIdentities,
      validWeight: 3,
      fields: {
        resetToken: pick<J>(
          [3, fc.integer({ min: 0, max: world.resetTokens.length - 1 }).map((i) => world.resetTokens[i]!)],
          [2, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)],
          [1, fc.constantFrom("x", "a.b", "%00")],
          [1, weirdString],
        ),
        newPassword: pick<J>([4, valid.password], [1, fc.constantFrom("password", "short", world.users.verified.userId)], [1, weirdString]),
      },
    },
    {
      path: "clientPhoneVerification.sendCode",
      kind: "mutation",
      identities: ids,
      fields: {
        phone: pick<J>(
          [4, fc.stringMatching(/^010-?[0-9]{4}-?[0-9]{4}$/)],
          [2, fc.stringMatching(/^\+8210[0-9]{8}$/)],
          [
            2,
            fc.constantFrom(
              "+12015550123",
              "02-2123-4567",
              "+447400123456",
              "+",
              "(010) 1234 5678",
              "010１２３４５６７８",
              "+82 10 1234 5678 ext 9",
            ),
          ],
          [1, weirdString],
        ),
      },
    },
    {
      path: "clientPhoneVerification.verifyPhone",
      kind: "mutation",
      identities: ids,
      fields: { code: pick<J>([5, valid.code], [1, fc.constantFrom("１２３４５６", "12345", "1234567", " 123456", 123456 as J)]) },
    },
  ];
}

let sms: SmsCapture | undefined;

describe.skipIf(!hasRedis)("fuzzing the client procedures", () => {
  let server: TestServer;
  const worlds: World[] = [];
  const tally = fuzzTally();

  beforeAll(async () => {
    standIns = await startStandIns();
    sms = await startSmsCapture();
    server = await startFuzzServer({ ...standIns.env, SMS_URL: sms.url });
    passwordHash = await hashPassword(PASSWORD);
  });

  afterAll(async () => {
    await server?.close();
    await standIns?.stop();
    await sms?.close();
  });

  const names = [
    "clientAuth.signUp",
    "clientAuth.signIn",
    "clientAuth.refresh",
    "clientAuth.signOut",
    "clientAuth.me",
    "clientAuth.updateMe",
    "clientAuth.changePassword",
    "clientAuth.listSessions",
    "clientAuth.revokeSession",
    "clientEmailVerification.sendVerification",
    "clientEmailVerification.verifyEmail",
    "clientPasswordless.sendCode",
    "clientPasswordless.verify",
    "clientPasswordless.register",
    "clientSocial.start",
    "clientSocial.exchange",
    "clientSocial.signInWithToken",
    "clientSocial.listIdentities",
    "clientPasswordReset.sendEmailCode",
    "clientPasswordReset.sendSmsCode",
    "clientPasswordReset.verifyCode",
    "clientPasswordReset.resetPassword",
    "clientPhoneVerification.sendCode",
    "clientPhoneVerification.verifyPhone",
  ];

  /** One case as `identity` against `world`, with the suite's checks (either transport). */
  async function runCase(world: World, spec: ReturnType<typeof specs>[number], c: FuzzCase, restProcedure?: string) {
    const path = spec.path;
    const identity = c.identity;
    let own: { refreshToken: string; sessionId: string; accessToken: string } | undefined;
    const headers: Record<string, string | undefined> = {};
    if (identity.startsWith("forged:")) headers.authorization = world.forged[Number(identity.slice(7))];
    else if (identity !== "none") {
      const kind = identity as Kind;
      if (spec.fresh && kind !== "deletedTenant") {
        // signOut and revokeSession end the session they run in: each case gets its own.
        const user = world.users[kind];
        const tenant = kind === "unverified" ? world.domainTenant : world.tenant;
        const s = await plantSession(user, tenant, client);
        own = { refreshToken: s.refreshToken, sessionId: decodeJwt(s.accessToken).sid as string, accessToken: s.accessToken };
        headers.authorization = `Bearer ${s.accessToken}`;
      } else headers.authorization = `Bearer ${world.tokens[kind]}`;
    }
    const substituted = substitute(c, own);
    const res = await sendCase(server.url, substituted, headers);
    const problems = problemsOf(res, {
      issuesTokens: spec.issuesTokens === true,
      secrets: world.secrets,
      echo: substituted.echo,
      hexSeen: tally.hexSeen,
      ...(c.rest === undefined ? {} : { rest: { procedure: restProcedure, head: c.method === "HEAD" } }),
    });
    const success = res.status === 200 || res.status === 201;
    // Security invariants beside "no 5xx": a forged, absent or dead credential opens nothing.
    const credentialDead = identity === "none" || identity.startsWith("forged:") || identity === "deletedTenant";
    if (!spec.public && credentialDead && success) problems.push(`${identity} got a success`);
    if (!spec.public && identity === "suspended" && success) problems.push("a suspended user got a success");
    // A token a success answer issues is the caller's own (the leak check leaves such tokens out).
    const resultOf = (text: string) => {
      const body = JSON.parse(text) as { result?: { data?: unknown } } & Record<string, unknown>;
      return (c.rest === undefined ? body.result?.data : body) as { accessToken?: unknown } | undefined;
    };
    if (!spec.public && success && identity in world.users) {
      const issued = resultOf(res.text)?.accessToken;
      if (typeof issued === "string" && decodeJwt(issued).sub !== world.users[identity as Kind].id)
        problems.push("a success answer issued someone else's token");
    }
    // The procedure that answered (a REST case with another method may reach the path's other route).
    const answered = c.rest === undefined ? path : restProcedure;
    if (answered === "clientAuth.signIn" && success) {
      // Only the password opens, as typed on any keyboard (its NFKC form): no trimming, case
      // folding, truncation or NUL games.
      const sent = JSON.parse(substituted.body?.toString("utf8") ?? "null") as Record<string, { password?: unknown }> & {
        password?: unknown;
      };
      const input = substituted.query?.includes("batch=1") ? sent["0"] : sent;
      const typed = input?.password;
      if (typeof typed !== "string" || typed.normalize("NFKC") !== PASSWORD)
        problems.push(`signed in with ${JSON.stringify(typed)}, not the password`);
    }
    return { res, problems };
  }

  it.each(names)(
    `%s: ${FUZZ_RUNS} adversarial cases, never a 5xx, a catalogue appCode, nothing leaked`,
    async (path) => {
      // A world of its own per procedure: one suite's failed sign-ins never exhaust another's budget.
      const world = await buildWorld();
      worlds.push(world);
      const spec = specs(world).find((s) => s.path === path)!;
      const stats = await fuzz(procedureCase(spec), (c) => runCase(world, spec, c), {
        name: path,
        regressions: regressionCases(spec, { PASSWORD }),
      });
      // The near-valid cases must get past the schema: something other than request/validation errors.
      expectFuzzedDeep(tally, path, stats, /validation\/Invalid|request\//);
      for (const h of stats.hexSeen) tally.hexSeen.add(h);
    },
    600_000,
  );

  const routes = restRoutes.filter((route) => names.includes(route.procedure));

  it("every REST route of these procedures is fuzzed", () => {
    expect(routes.map((route) => route.procedure).sort()).toEqual([...names].sort());
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    `REST %s: ${FUZZ_REST_RUNS} adversarial cases, never a 5xx, problem details with a declared appCode, nothing leaked`,
    async (_label, route) => {
      const world = await buildWorld();
      worlds.push(world);
      const spec = specs(world).find((s) => s.path === route.procedure)!;
      // A wrong method on a path with another route answers that route's procedure.
      const procedureFor = (method: string) => restRoutes.find((r) => r.path === route.path && r.method === method)?.procedure;
      const stats = await fuzz(restProcedureCase(spec, route), (c) => runCase(world, spec, c, procedureFor(c.method)), {
        name: `REST ${route.method} ${route.path}`,
        runs: FUZZ_REST_RUNS,
      });
      expectFuzzedDeep(tally, `REST ${route.method} ${route.path}`, stats, /validation\/Invalid|request\//, FUZZ_REST_RUNS);
      for (const h of stats.hexSeen) tally.hexSeen.add(h);
    },
    600_000,
  );

  it("left no prototype polluted, no foreign session revoked and no stored hash in any answer", async () => {
    const foreign = await getPrisma().session.findMany({ where: { id: { in: worlds.map((w) => w.foreign.sessionId) } } });
    expect(foreign).toHaveLength(worlds.length);
    expect(foreign.filter((s) => s.revokedAt !== null)).toEqual([]);
    // The fuzz reached the deepest paths at least once (proves the cases were not all turned away).
    await expectFuzzSuiteClean(tally, [
      "200 ok",
      "401 auth/InvalidCredentials",
      "401 auth/InvalidRefreshToken",
      "403 auth/EmailNotVerified",
      "404 tenant/NotFound",
    ]);
  });
});

function substitute(c: FuzzCase, own: { refreshToken: string; sessionId: string } | undefined): FuzzCase {
  const values: [string, string][] = [
    [OWN_REFRESH, own?.refreshToken ?? "no-session"],
    [OWN_SESSION, own?.sessionId ?? "00000000-0000-4000-8000-000000000000"],
  ];
  let body = c.body;
  let query = c.query;
  // A REST case carries a path parameter (`{id}`) in its path, percent-encoded.
  let path = c.path;
  for (const [placeholder, value] of values) {
    if (body?.includes(placeholder)) body = Buffer.from(body.toString("utf8").split(placeholder).join(value), "utf8");
    const byteEncoded = [...Buffer.from(placeholder)].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");
    for (const encoded of [byteEncoded, encodeURIComponent(placeholder)]) {
      if (query?.includes(encoded)) query = query.split(encoded).join(encodeURIComponent(value));
      if (c.rest !== undefined && path.includes(encoded)) path = path.split(encoded).join(encodeURIComponent(value));
    }
  }
  return {
    ...c,
    path,
    body,
    query,
    echo: c.echo.map((s) => (s === OWN_REFRESH ? (own?.refreshToken ?? s) : s === OWN_SESSION ? (own?.sessionId ?? s) : s)),
  };
}
