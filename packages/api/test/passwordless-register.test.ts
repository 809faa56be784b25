import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import type { AppCode } from "@gatehouse/contract";
import { appErrorOf } from "../src/errors";
import { registerWithSignupToken, signInVerifiedAddress } from "../src/services/passwordless-signup";
import type { ClientInfo } from "../src/services/sessions";
import { sha256 } from "../src/services/tokens";
import { rest } from "./rest-wire";
import {
  auditEvents,
  createTenant,
  expectError,
  hasRedis,
  newPassword,
  randomIp,
  signUpUser,
  unique,
  useServer,
  verifiedUser,
  withResponse,
} from "./kit";

/**
 * The sign-in and sign-up half of clientPasswordless (services/passwordless-signup.ts), called
 * as the router calls it once the code is proven; what the new user can and cannot do after is
 * checked through the API.
 */

const USER_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** The appCode a service call is refused with (fails the test if it succeeds). */
async function refusal(call: Promise<unknown>): Promise<AppCode | undefined> {
  try {
    await call;
  } catch (error) {
    return appErrorOf(error)?.appCode;
  }
  throw new Error("expected the call to be refused");
}

const from = (): ClientInfo => ({ ip: randomIp(), userAgent: "passwordless-register.test" });

/** A fresh address nobody in the tenant has. */
const newAddress = () => `${unique("pl")}@example.com`.toLowerCase();

function needSignup(result: Awaited<ReturnType<typeof signInVerifiedAddress>>) {
  if (!result.needSignup) throw new Error(`expected needSignup, got a session for ${result.user.userId}`);
  return result;
}

describe.skipIf(!hasRedis)("clientPasswordless: signing in a verified address, and register", () => {
  const suite = useServer({ mail: true });
  const { client, tenantKey } = suite;
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await getPrisma().tenant.update({ where: { key: tenantKey }, data: { emailCodeSignIn: true } });
  });

  /** verify's answer for a new address: the signupToken. */
  async function tokenFor(address: string, on: Tenant = tenant) {
    return needSignup(await signInVerifiedAddress(on, address, from())).signupToken;
  }

  it("signs in the user whose verified email it is: a rotating session, lastLoginAt, user.signedIn via emailCode", async () => {
    const u = await verifiedUser(client, tenantKey, suite.smtp);
    const who = from();
    const before = Date.now();
    const result = await signInVerifiedAddress(tenant, u.email, who);
    if (result.needSignup) throw new Error("a verified address must sign its owner in");
    expect(result.user.id).toBe(u.session.user.id);
    expect(result.refreshToken).not.toBe(u.session.refreshToken);
    expect(Date.parse(result.user.lastLoginAt!)).toBeGreaterThanOrEqual(before - 1000);
    // A real session: it refreshes.
    const refreshed = await client.api.clientAuth.refresh.mutate({ refreshToken: result.refreshToken });
    expect(refreshed.user.id).toBe(u.session.user.id);
    const events = await auditEvents(tenantKey, "user.signedIn");
    const mine = events.filter((e) => e.actorId === u.session.user.id && e.ip === who.ip);
    expect(mine.map((e) => e.details)).toEqual([{ via: "emailCode" }]);
  });

  it("a user who has the address but never verified it is not signed in: a signupToken instead", async () => {
    const u = await signUpUser(client, tenantKey);
    expect(u.session.user.emailVerifiedAt).toBeNull();
    const before = Date.now();
    const result = needSignup(await signInVerifiedAddress(tenant, u.email, from()));
    // ≥ 256 bits: 32 bytes in base64url.
    expect(result.signupToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const expiresAt = Date.parse(result.signupTokenExpiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000 + 1000);
    // Only the hash is stored, bound to (tenant, address).
    const row = await getPrisma().signupToken.findUniqueOrThrow({ where: { tokenHash: sha256(result.signupToken) } });
    expect(row).toMatchObject({ tenantId: tenant.id, email: u.email, consumedAt: null });
    expect(await getPrisma().signupToken.count({ where: { tokenHash: result.signupToken } })).toBe(0);
    // Nothing was signed in.
    expect(await getPrisma().session.count({ where: { userId: u.session.user.id } })).toBe(1);
  });

  it("an address verified in another tenant is a new address here: a signupToken, bound to this tenant", async () => {
    const u = await verifiedUser(client, tenantKey, suite.smtp);
    const other = await getPrisma().tenant.update({ where: { id: (await createTenant()).id }, data: { emailCodeSignIn: true } });
    const token = needSignup(await signInVerifiedAddress(other, u.email, from())).signupToken;
    const session = await registerWithSignupToken({ signupToken: token, displayName: "Twin" }, from());
    expect(session.user.tenantKey).toBe(other.key);
    expect(session.user.id).not.toBe(u.session.user.id);
  });

  it("a suspended owner of the address is 403 auth/AccountSuspended, with no session opened", async () => {
    const u = await verifiedUser(client, tenantKey, suite.smtp);
    await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: new Date() } });
    const sessions = await getPrisma().session.count({ where: { userId: u.session.user.id } });
    expect(await refusal(signInVerifiedAddress(tenant, u.email, from()))).toBe("auth/AccountSuspended");
    expect(await getPrisma().session.count({ where: { userId: u.session.user.id } })).toBe(sessions);
  });

  it("register creates a verified user with no password and a generated userId, signs them in, audits both", async () => {
    const address = newAddress();
    const who = from();
    const token = await tokenFor(address);
    const session = await registerWithSignupToken({ signupToken: token, displayName: "  Email Coder " }, who);
    expect(session.isNewUser).toBe(true);
    expect(session.user).toMatchObject({
      tenantKey,
      email: address,
      role: "member",
      source: "self_signup",
      hasPassword: false,
      mustChangePassword: false,
    });
    expect(session.user.emailVerifiedAt).not.toBeNull();
    expect(session.user.userId).toMatch(/^user-/);
    expect(session.user.userId).toMatch(USER_ID_PATTERN);
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: session.user.id } });
    expect(row).toMatchObject({ verifiedEmail: address, passwordHash: null });
    expect((await getPrisma().signupToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } })).consumedAt).not.toBeNull();
    for (const action of ["user.signedUp", "user.signedIn"]) {
      const events = (await auditEvents(tenantKey, action)).filter((e) => e.actorId === row.id);
      expect(events.map((e) => [e.ip, e.details])).toEqual([[who.ip, { via: "emailCode" }]]);
    }
    // The session works through the API, and the address now signs this user in.
    const api = client.as(session.accessToken);
    expect((await api.clientAuth.me.query()).user.hasPassword).toBe(false);
    const again = await signInVerifiedAddress(tenant, address, from());
    expect(again.needSignup).toBe(false);
    expect(again.needSignup === false && again.user.id).toBe(row.id);
  });

  it("a user without a password: signIn with any password is 401, changePassword is 400 auth/PasswordNotSet", async () => {
    const token = await tokenFor(newAddress());
    const session = await registerWithSignupToken({ signupToken: token, displayName: "No Password" }, from());
    const signIn = (password: string) => client.api.clientAuth.signIn.mutate({ tenantKey, userId: session.user.userId, password });
    const wrong = await expectError(signIn(newPassword()), "auth/InvalidCredentials");
    const empty = await expectError(signIn("x"), "auth/InvalidCredentials");
    expect(empty.body).toEqual(wrong.body);
    await expectError(
      client.as(session.accessToken).clientAuth.changePassword.mutate({ currentPassword: "anything-1", newPassword: newPassword() }),
      "auth/PasswordNotSet",
    );
  });

  it("a given userId is taken as given (lower-cased)", async () => {
    const userId = unique("Given").slice(0, 32);
    const session = await registerWithSignupToken({ signupToken: await tokenFor(newAddress()), displayName: "G", userId }, from());
    expect(session.user.userId).toBe(userId.toLowerCase());
  });

  it("a token is single use: a second register is 401 auth/InvalidSignupToken", async () => {
    const token = await tokenFor(newAddress());
    await registerWithSignupToken({ signupToken: token, displayName: "Once" }, from());
    expect(await refusal(registerWithSignupToken({ signupToken: token, displayName: "Twice" }, from()))).toBe("auth/InvalidSignupToken");
  });

  it("an unknown or expired token is 401 auth/InvalidSignupToken and creates no one", async () => {
    expect(await refusal(registerWithSignupToken({ signupToken: "not-a-token", displayName: "X" }, from()))).toBe(
      "auth/InvalidSignupToken",
    );
    const address = newAddress();
    const token = await tokenFor(address);
    await getPrisma().signupToken.update({ where: { tokenHash: sha256(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await refusal(registerWithSignupToken({ signupToken: token, displayName: "Late" }, from()))).toBe("auth/InvalidSignupToken");
    expect(await getPrisma().user.count({ where: { tenantId: tenant.id, email: address } })).toBe(0);
  });

  it("a 409 for a taken userId leaves the token usable: the same token then succeeds with another userId", async () => {
    const taken = await signUpUser(client, tenantKey);
    const token = await tokenFor(newAddress());
    expect(await refusal(registerWithSignupToken({ signupToken: token, displayName: "Dup", userId: taken.userId }, from()))).toBe(
      "user/UserIdDuplicated",
    );
    expect((await getPrisma().signupToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } })).consumedAt).toBeNull();
    const userId = unique("other").slice(0, 32).toLowerCase();
    const session = await registerWithSignupToken({ signupToken: token, displayName: "Dup", userId }, from());
    expect(session.user.userId).toBe(userId);
  });

  it("someone verifying the address meanwhile is 409 user/EmailDuplicated, the token unspent", async () => {
    const first = await tokenFor(newAddress());
    const address = (await getPrisma().signupToken.findUniqueOrThrow({ where: { tokenHash: sha256(first) } })).email;
    const second = await tokenFor(address);
    await registerWithSignupToken({ signupToken: first, displayName: "First" }, from());
    expect(await refusal(registerWithSignupToken({ signupToken: second, displayName: "Second" }, from()))).toBe("user/EmailDuplicated");
    expect((await getPrisma().signupToken.findUniqueOrThrow({ where: { tokenHash: sha256(second) } })).consumedAt).toBeNull();
    expect(await getPrisma().user.count({ where: { tenantId: tenant.id, verifiedEmail: address } })).toBe(1);
  });

  it("parallel registers with one token create exactly one user; the others are 401", async () => {
    const address = newAddress();
    const token = await tokenFor(address);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        registerWithSignupToken({ signupToken: token, displayName: `P${i}`, userId: `${unique("par")}${i}`.slice(0, 32) }, from()),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === "rejected" ? [appErrorOf(r.reason)?.appCode] : []));
    expect(codes).toEqual(Array.from({ length: 7 }, () => "auth/InvalidSignupToken"));
    expect(await getPrisma().user.count({ where: { tenantId: tenant.id, email: address } })).toBe(1);
  });

  it("the tenant's switch off is 400 auth/MethodNotEnabled, a deleted tenant 404; neither spends the token", async () => {
    const other = await createTenant();
    const on = await getPrisma().tenant.update({ where: { id: other.id }, data: { emailCodeSignIn: true } });
    const token = await tokenFor(newAddress(), on);
    await getPrisma().tenant.update({ where: { id: other.id }, data: { emailCodeSignIn: false } });
    expect(await refusal(registerWithSignupToken({ signupToken: token, displayName: "Off" }, from()))).toBe("auth/MethodNotEnabled");
    await getPrisma().tenant.update({ where: { id: other.id }, data: { emailCodeSignIn: true, deletedAt: new Date() } });
    expect(await refusal(registerWithSignupToken({ signupToken: token, displayName: "Gone" }, from()))).toBe("tenant/NotFound");
    await getPrisma().tenant.update({ where: { id: other.id }, data: { deletedAt: null } });
    const session = await registerWithSignupToken({ signupToken: token, displayName: "Back" }, from());
    expect(session.user.tenantKey).toBe(other.key);
  });

  it("register through the API: tRPC answers the new session (no-store), reuse is 401; REST is 201 then a 401 problem", async () => {
    const register = client.api.clientPasswordless.register;
    const token = await tokenFor(newAddress());
    const { data: session, response } = await withResponse(() => register.mutate({ signupToken: token, displayName: "Wire" }));
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(session).toMatchObject({ isNewUser: true, user: { hasPassword: false, source: "self_signup" } });
    await expectError(register.mutate({ signupToken: token, displayName: "Wire" }), "auth/InvalidSignupToken");

    const restToken = await tokenFor(newAddress());
    const send = () =>
      rest<{ isNewUser: boolean; user: { userId: string } }>(
        suite.server.url,
        "POST",
        "/api/v1/auth/email-code/register",
        { signupToken: restToken, displayName: "Rest" },
        { headers: { "x-forwarded-for": suite.ip } },
      );
    const created = await send();
    expect(created.status).toBe(201);
    expect(created.body?.isNewUser).toBe(true);
    expect(created.body?.user.userId).toMatch(USER_ID_PATTERN);
    const reused = await send();
    expect([reused.status, reused.appCode]).toEqual([401, "auth/InvalidSignupToken"]);
  });
});
