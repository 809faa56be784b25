import { describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { getPrisma } from "@gatehouse/db";
import { revokeUserSessions } from "../src/services/sessions";
import { hasRedis, unique } from "./helpers";
import {
  auditEvents,
  clientAt,
  clientAuthSuite,
  createTenant,
  expectError,
  expectInvalidField,
  signInUser,
  signUpUser,
  type SessionDto,
} from "./client-auth-fixtures";

describe.skipIf(!hasRedis)("clientAuth.signIn", () => {
  const suite = clientAuthSuite();
  const { client, tenantKey } = suite;

  it("signs in (userId and tenantKey in any case), sets lastLoginAt, audits user.signedIn, answers no-store", async () => {
    const u = await signUpUser(client, tenantKey);
    expect(u.session.user.lastLoginAt).toBeNull();
    const before = Date.now();
    const res = await client.post<SessionDto>("signIn", { tenantKey: tenantKey.toUpperCase(), userId: ` ${u.userId.toUpperCase()} `, password: u.password });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.data.user.id).toBe(u.session.user.id);
    expect(res.data.refreshToken).not.toBe(u.session.refreshToken);
    const lastLoginAt = Date.parse(res.data.user.lastLoginAt!);
    expect(lastLoginAt).toBeGreaterThanOrEqual(before - 1000);
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: u.session.user.id } });
    expect(row.lastLoginAt?.getTime()).toBe(lastLoginAt);
    // A second, separate session.
    expect(await getPrisma().session.count({ where: { userId: row.id, revokedAt: null } })).toBe(2);
    const events = await auditEvents(tenantKey, "user.signedIn");
    expect(events.filter((e) => e.actorId === row.id && e.ip === client.ip)).toHaveLength(1);
  });

  it("unknown userId and wrong password give the identical 401 auth/InvalidCredentials body, both audited", async () => {
    const u = await signUpUser(client, tenantKey);
    const wrong = await client.post("signIn", { tenantKey, userId: u.userId, password: `${u.password}x` });
    const unknown = await client.post("signIn", { tenantKey, userId: unique("ghost"), password: u.password });
    expectError(wrong, 401, "auth/InvalidCredentials");
    expectError(unknown, 401, "auth/InvalidCredentials");
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.headers.get("content-type")).toBe(wrong.headers.get("content-type"));
    const failed = await auditEvents(tenantKey, "user.signInFailed");
    expect(failed.some((e) => e.target === `user:${u.userId}` && e.actorId === u.session.user.id)).toBe(true);
    expect(failed.filter((e) => e.target?.startsWith("user:ghost"))).toHaveLength(1);
    // A failed sign-in changes nothing about the account.
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: u.session.user.id } });
    expect(row.lastLoginAt).toBeNull();
  });

  it("accepts any userId of 1..64 characters (unknown ones are 401) and a password of 1..72 bytes", async () => {
    expectError(await client.post("signIn", { tenantKey, userId: "Ünïcode name!", password: "x" }), 401, "auth/InvalidCredentials");
    expectError(await client.post("signIn", { tenantKey, userId: "a".repeat(64), password: "한".repeat(24) }), 401, "auth/InvalidCredentials");
    expectInvalidField(await client.post("signIn", { tenantKey, userId: "", password: "whatever1" }), "userId");
    expectError(await client.post("signIn", { tenantKey, userId: "😀".repeat(64), password: "whatever1" }), 401, "auth/InvalidCredentials");
    expectInvalidField(await client.post("signIn", { tenantKey, userId: "a".repeat(65), password: "whatever1" }), "userId");
    expectInvalidField(await client.post("signIn", { tenantKey, userId: "😀".repeat(65), password: "whatever1" }), "userId");
    expectInvalidField(await client.post("signIn", { tenantKey, userId: "someone", password: "" }), "password");
    expectInvalidField(await client.post("signIn", { tenantKey, userId: "someone", password: "한".repeat(25) }), "password");
    expectInvalidField(await client.post("signIn", { tenantKey: "!", userId: "someone", password: "pw" }), "tenantKey");
    expectInvalidField(await client.post("signIn", { tenantKey, userId: "someone" }), "password");
  });

  /** An account whose hash was made elsewhere (an older Gatehouse, another cost), in the database. */
  async function userWithHash(passwordHash: string) {
    const userId = unique("lg").toLowerCase();
    await getPrisma().user.create({
      data: { tenantId: suite.tenant.id, userId, email: `${userId}@example.com`, emailVerifiedAt: new Date(), verifiedEmail: `${userId}@example.com`, displayName: "Legacy", passwordHash, source: "self_signup" },
    });
    return { userId, hash: () => getPrisma().user.findFirstOrThrow({ where: { tenantId: suite.tenant.id, userId }, select: { passwordHash: true } }).then((r) => r.passwordHash!) };
  }

  it("a hash of a password stored before normalization still signs in once, then holds the NFKC form", async () => {
    // Before issue 15 the password was hashed as typed: here, full-width.
    const typed = "Ｌｅｇａｃｙ-pass-77";
    const u = await userWithHash(bcrypt.hashSync(typed, 10));
    expectError(await client.post("signIn", { tenantKey, userId: u.userId, password: "Legacy-pass-78" }), 401, "auth/InvalidCredentials");
    const first = await client.post("signIn", { tenantKey, userId: u.userId, password: typed });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const rehashed = await u.hash();
    expect(bcrypt.compareSync("Legacy-pass-77", rehashed)).toBe(true);
    expect(bcrypt.compareSync(typed, rehashed)).toBe(false);
    // The same password from an ASCII keyboard, and as typed the first time, both sign in now.
    expect((await client.post("signIn", { tenantKey, userId: u.userId, password: "Legacy-pass-77" })).status).toBe(200);
    expect((await client.post("signIn", { tenantKey, userId: u.userId, password: typed })).status).toBe(200);
  });

  it("a hash at another cost than BCRYPT_COST is rehashed at BCRYPT_COST by a successful sign-in, not by a failed one", async () => {
    const password = "Other-cost-passphrase-4";
    const u = await userWithHash(bcrypt.hashSync(password, 11));
    const before = await u.hash();
    expectError(await client.post("signIn", { tenantKey, userId: u.userId, password: `${password}x` }), 401, "auth/InvalidCredentials");
    expect(await u.hash()).toBe(before);
    expect((await client.post("signIn", { tenantKey, userId: u.userId, password })).status).toBe(200);
    const after = await u.hash();
    expect(bcrypt.getRounds(after)).toBe(suite.server.config.bcryptCost);
    expect(bcrypt.compareSync(password, after)).toBe(true);
    // At the configured cost already: left as it is.
    expect((await client.post("signIn", { tenantKey, userId: u.userId, password })).status).toBe(200);
    expect(await u.hash()).toBe(after);
  });

  it("changePassword takes a currentPassword typed on another keyboard, and refuses a new one equal to it once normalized", async () => {
    const u = await signUpUser(client, tenantKey, { password: "Keyboard-pass-31" });
    const current = "Ｋｅｙｂｏａｒｄ-pass-31";
    expectInvalidField(await client.post("changePassword", { currentPassword: current, newPassword: "Keyboard-pass-31" }, u.session.accessToken), "newPassword");
    const res = await client.post("changePassword", { currentPassword: current, newPassword: "Keyboard-pass-32" }, u.session.accessToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it("tenant/NotFound for a missing and for a soft-deleted tenant", async () => {
    const t = await createTenant();
    const u = await signUpUser(client, t.key);
    expectError(await client.post("signIn", { tenantKey: unique("missing"), userId: u.userId, password: u.password }), 404, "tenant/NotFound");
    await getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: new Date() } });
    expectError(await client.post("signIn", { tenantKey: t.key, userId: u.userId, password: u.password }), 404, "tenant/NotFound");
  });

  it("a userId belongs to its tenant: the same credentials on another tenant are 401", async () => {
    const u = await signUpUser(client, tenantKey);
    const other = await createTenant();
    expectError(await client.post("signIn", { tenantKey: other.key, userId: u.userId, password: u.password }), 401, "auth/InvalidCredentials");
  });

  describe("suspension", () => {
    it("signIn: wrong password 401, right password 403; sessions die at once, refresh is 403; unsuspending revives none", async () => {
      const u = await signUpUser(client, tenantKey);
      const second = await signInUser(client, u);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: new Date() } });
      await revokeUserSessions(u.session.user.id, "suspended");

      expectError(await client.post("signIn", { tenantKey, userId: u.userId, password: `${u.password}!` }), 401, "auth/InvalidCredentials");
      expectError(await client.post("signIn", { tenantKey, userId: u.userId, password: u.password }), 403, "auth/AccountSuspended");
      for (const s of [u.session, second]) {
        expectError(await client.get("me", undefined, s.accessToken), 401, "auth/Unauthenticated");
        expectError(await client.post("refresh", { refreshToken: s.refreshToken }), 403, "auth/AccountSuspended");
      }
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: null } });
      expectError(await client.get("me", undefined, u.session.accessToken), 401, "auth/Unauthenticated");
      expectError(await client.post("refresh", { refreshToken: second.refreshToken }), 401, "auth/InvalidRefreshToken");
      await signInUser(client, u);
    });

    it("a suspended user whose session is still live gets 403 auth/AccountSuspended from the gate, even on me", async () => {
      const u = await signUpUser(client, tenantKey);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: new Date() } });
      expectError(await client.get("me", undefined, u.session.accessToken), 403, "auth/AccountSuspended");
      expectError(await client.post("changePassword", { currentPassword: u.password, newPassword: `${u.password}2` }, u.session.accessToken), 403, "auth/AccountSuspended");
    });
  });

  describe("failed sign-in budget", () => {
    it("10 failures per (account, IP) in 15 min: the 11th attempt is 429 with Retry-After even with the right password", async () => {
      const t = await createTenant();
      const attacker = clientAt(suite.server.url);
      const u = await signUpUser(attacker, t.key);
      for (let i = 0; i < 10; i++) {
        expectError(await attacker.post("signIn", { tenantKey: t.key, userId: u.userId, password: `wrong-${i}-password` }), 401, "auth/InvalidCredentials");
      }
      const blocked = await attacker.post("signIn", { tenantKey: t.key, userId: u.userId.toUpperCase(), password: u.password });
      expectError(blocked, 429, "rateLimit/TooManyRequests");
      const retryAfter = Number(blocked.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect((await auditEvents(t.key, "user.signInFailed")).length).toBe(10);

      // Another IP is not locked out below the account-wide cap; the session itself keeps working.
      await signInUser(clientAt(suite.server.url), u);
      expect((await attacker.get("me", undefined, u.session.accessToken)).status).toBe(200);
      // Another account from the same IP is not affected either.
      const other = await signUpUser(attacker, t.key);
      await signInUser(attacker, other);
    });

    it("unknown userIds have the same budget (no hint that the account does not exist)", async () => {
      const t = await createTenant();
      const attacker = clientAt(suite.server.url);
      const ghost = unique("ghost");
      for (let i = 0; i < 10; i++) {
        expectError(await attacker.post("signIn", { tenantKey: t.key, userId: ghost, password: `wrong-${i}-password` }), 401, "auth/InvalidCredentials");
      }
      expectError(await attacker.post("signIn", { tenantKey: t.key, userId: ghost, password: "anything1" }), 429, "rateLimit/TooManyRequests");
    });

    it("a wrong currentPassword on changePassword counts as a failed sign-in", async () => {
      const t = await createTenant();
      const c = clientAt(suite.server.url);
      const u = await signUpUser(c, t.key);
      for (let i = 0; i < 10; i++) {
        expectError(
          await c.post("changePassword", { currentPassword: `wrong-${i}-password`, newPassword: "Another-Pass-123" }, u.session.accessToken),
          401,
          "auth/InvalidCredentials",
        );
      }
      expectError(await c.post("signIn", { tenantKey: t.key, userId: u.userId, password: u.password }), 429, "rateLimit/TooManyRequests");
      expectError(await c.post("changePassword", { currentPassword: u.password, newPassword: "Another-Pass-123" }, u.session.accessToken), 429, "rateLimit/TooManyRequests");
      const failed = await auditEvents(t.key, "user.signInFailed");
      expect(failed).toHaveLength(10);
      // The session was not harmed by the failures.
      expect((await c.get("me", undefined, u.session.accessToken)).status).toBe(200);
    });
  });
});
