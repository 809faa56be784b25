import { describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { getPrisma } from "@gatehouse/db";
import { revokeUserSessions } from "../src/services/sessions";
import {
  auditEvents,
  clientAt,
  createTenant,
  expectError,
  expectInvalidField,
  hasRedis,
  signInUser,
  signUpUser,
  unique,
  useServer,
  withResponse,
  type Client,
  type RouterInputs,
} from "./kit";

type SignInInput = RouterInputs["clientAuth"]["signIn"];

describe.skipIf(!hasRedis)("clientAuth.signIn", () => {
  const suite = useServer();
  const { client, tenantKey } = suite;
  const signIn = (input: SignInInput, from: Client = client) => from.api.clientAuth.signIn.mutate(input);

  it("signs in (userId and tenantKey in any case), sets lastLoginAt, audits user.signedIn, answers no-store", async () => {
    const u = await signUpUser(client, tenantKey);
    expect(u.session.user.lastLoginAt).toBeNull();
    const before = Date.now();
    const { data: session, response } = await withResponse(() =>
      signIn({ tenantKey: tenantKey.toUpperCase(), userId: ` ${u.userId.toUpperCase()} `, password: u.password }),
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(session.user.id).toBe(u.session.user.id);
    expect(session.refreshToken).not.toBe(u.session.refreshToken);
    const lastLoginAt = Date.parse(session.user.lastLoginAt!);
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
    const wrong = await expectError(signIn({ tenantKey, userId: u.userId, password: `${u.password}x` }), "auth/InvalidCredentials");
    const unknown = await expectError(signIn({ tenantKey, userId: unique("ghost"), password: u.password }), "auth/InvalidCredentials");
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
    await expectError(signIn({ tenantKey, userId: "Ünïcode name!", password: "x" }), "auth/InvalidCredentials");
    await expectError(signIn({ tenantKey, userId: "a".repeat(64), password: "한".repeat(24) }), "auth/InvalidCredentials");
    await expectInvalidField(signIn({ tenantKey, userId: "", password: "whatever1" }), "userId");
    await expectError(signIn({ tenantKey, userId: "😀".repeat(64), password: "whatever1" }), "auth/InvalidCredentials");
    await expectInvalidField(signIn({ tenantKey, userId: "a".repeat(65), password: "whatever1" }), "userId");
    await expectInvalidField(signIn({ tenantKey, userId: "😀".repeat(65), password: "whatever1" }), "userId");
    await expectInvalidField(signIn({ tenantKey, userId: "someone", password: "" }), "password");
    await expectInvalidField(signIn({ tenantKey, userId: "someone", password: "한".repeat(25) }), "password");
    await expectInvalidField(signIn({ tenantKey: "!", userId: "someone", password: "pw" }), "tenantKey");
    // @ts-expect-error: password left out on purpose
    await expectInvalidField(signIn({ tenantKey, userId: "someone" }), "password");
  });

  /** An account whose hash was made elsewhere (an older Gatehouse, another cost), in the database. */
  async function userWithHash(passwordHash: string) {
    const userId = unique("lg").toLowerCase();
    await getPrisma().user.create({
      data: {
        tenantId: suite.tenant.id,
        userId,
        email: `${userId}@example.com`,
        emailVerifiedAt: new Date(),
        verifiedEmail: `${userId}@example.com`,
        displayName: "Legacy",
        passwordHash,
        source: "self_signup",
      },
    });
    return {
      userId,
      hash: () =>
        getPrisma()
          .user.findFirstOrThrow({ where: { tenantId: suite.tenant.id, userId }, select: { passwordHash: true } })
          .then((r) => r.passwordHash!),
    };
  }

  it("a hash of a password stored before normalization still signs in once, then holds the NFKC form", async () => {
    // Before issue 15 the password was hashed as typed: here, full-width.
    const typed = "Ｌｅｇａｃｙ-pass-77";
    const u = await userWithHash(bcrypt.hashSync(typed, 10));
    await expectError(signIn({ tenantKey, userId: u.userId, password: "Legacy-pass-78" }), "auth/InvalidCredentials");
    await signIn({ tenantKey, userId: u.userId, password: typed });
    const rehashed = await u.hash();
    expect(bcrypt.compareSync("Legacy-pass-77", rehashed)).toBe(true);
    expect(bcrypt.compareSync(typed, rehashed)).toBe(false);
    // The same password from an ASCII keyboard, and as typed the first time, both sign in now.
    await signIn({ tenantKey, userId: u.userId, password: "Legacy-pass-77" });
    await signIn({ tenantKey, userId: u.userId, password: typed });
  });

  it("a hash at another cost than BCRYPT_COST is rehashed at BCRYPT_COST by a successful sign-in, not by a failed one", async () => {
    const password = "Other-cost-passphrase-4";
    const u = await userWithHash(bcrypt.hashSync(password, 11));
    const before = await u.hash();
    await expectError(signIn({ tenantKey, userId: u.userId, password: `${password}x` }), "auth/InvalidCredentials");
    expect(await u.hash()).toBe(before);
    await signIn({ tenantKey, userId: u.userId, password });
    const after = await u.hash();
    expect(bcrypt.getRounds(after)).toBe(suite.server.config.bcryptCost);
    expect(bcrypt.compareSync(password, after)).toBe(true);
    // At the configured cost already: left as it is.
    await signIn({ tenantKey, userId: u.userId, password });
    expect(await u.hash()).toBe(after);
  });

  it("changePassword takes a currentPassword typed on another keyboard, and refuses a new one equal to it once normalized", async () => {
    const u = await signUpUser(client, tenantKey, { password: "Keyboard-pass-31" });
    const current = "Ｋｅｙｂｏａｒｄ-pass-31";
    await expectInvalidField(
      u.api.clientAuth.changePassword.mutate({ currentPassword: current, newPassword: "Keyboard-pass-31" }),
      "newPassword",
    );
    await u.api.clientAuth.changePassword.mutate({ currentPassword: current, newPassword: "Keyboard-pass-32" });
  });

  it("tenant/NotFound for a missing and for a soft-deleted tenant", async () => {
    const t = await createTenant();
    const u = await signUpUser(client, t.key);
    await expectError(signIn({ tenantKey: unique("missing"), userId: u.userId, password: u.password }), "tenant/NotFound");
    await getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: new Date() } });
    await expectError(signIn({ tenantKey: t.key, userId: u.userId, password: u.password }), "tenant/NotFound");
  });

  it("a userId belongs to its tenant: the same credentials on another tenant are 401", async () => {
    const u = await signUpUser(client, tenantKey);
    const other = await createTenant();
    await expectError(signIn({ tenantKey: other.key, userId: u.userId, password: u.password }), "auth/InvalidCredentials");
  });

  describe("suspension", () => {
    it("signIn: wrong password 401, right password 403; sessions die at once, refresh is 403; unsuspending revives none", async () => {
      const u = await signUpUser(client, tenantKey);
      const second = await signInUser(client, u);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: new Date() } });
      await revokeUserSessions(u.session.user.id, "suspended");

      await expectError(signIn({ tenantKey, userId: u.userId, password: `${u.password}!` }), "auth/InvalidCredentials");
      await expectError(signIn({ tenantKey, userId: u.userId, password: u.password }), "auth/AccountSuspended");
      for (const s of [u.session, second]) {
        await expectError(client.as(s.accessToken).clientAuth.me.query(), "auth/Unauthenticated");
        await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: s.refreshToken }), "auth/AccountSuspended");
      }
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: null } });
      await expectError(u.api.clientAuth.me.query(), "auth/Unauthenticated");
      await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: second.refreshToken }), "auth/InvalidRefreshToken");
      await signInUser(client, u);
    });

    it("a suspended user whose session is still live gets 403 auth/AccountSuspended from the gate, even on me", async () => {
      const u = await signUpUser(client, tenantKey);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { suspendedAt: new Date() } });
      await expectError(u.api.clientAuth.me.query(), "auth/AccountSuspended");
      await expectError(
        u.api.clientAuth.changePassword.mutate({ currentPassword: u.password, newPassword: `${u.password}2` }),
        "auth/AccountSuspended",
      );
    });
  });

  describe("failed sign-in budget", () => {
    it("10 failures per (account, IP) in 15 min: the 11th attempt is 429 with Retry-After even with the right password", async () => {
      const t = await createTenant();
      const attacker = clientAt(suite.server.url);
      const u = await signUpUser(attacker, t.key);
      for (let i = 0; i < 10; i++) {
        await expectError(
          signIn({ tenantKey: t.key, userId: u.userId, password: `wrong-${i}-password` }, attacker),
          "auth/InvalidCredentials",
        );
      }
      const blocked = await expectError(
        signIn({ tenantKey: t.key, userId: u.userId.toUpperCase(), password: u.password }, attacker),
        "rateLimit/TooManyRequests",
      );
      const retryAfter = Number(blocked.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect((await auditEvents(t.key, "user.signInFailed")).length).toBe(10);

      // Another IP is not locked out below the account-wide cap; the session itself keeps working.
      await signInUser(clientAt(suite.server.url), u);
      await u.api.clientAuth.me.query();
      // Another account from the same IP is not affected either.
      const other = await signUpUser(attacker, t.key);
      await signInUser(attacker, other);
    });

    it("unknown userIds have the same budget (no hint that the account does not exist)", async () => {
      const t = await createTenant();
      const attacker = clientAt(suite.server.url);
      const ghost = unique("ghost");
      for (let i = 0; i < 10; i++) {
        await expectError(
          signIn({ tenantKey: t.key, userId: ghost, password: `wrong-${i}-password` }, attacker),
          "auth/InvalidCredentials",
        );
      }
      await expectError(signIn({ tenantKey: t.key, userId: ghost, password: "anything1" }, attacker), "rateLimit/TooManyRequests");
    });

    it("a wrong currentPassword on changePassword counts as a failed sign-in", async () => {
      const t = await createTenant();
      const c = clientAt(suite.server.url);
      const u = await signUpUser(c, t.key);
      for (let i = 0; i < 10; i++) {
        await expectError(
          u.api.clientAuth.changePassword.mutate({ currentPassword: `wrong-${i}-password`, newPassword: "Another-Pass-123" }),
          "auth/InvalidCredentials",
        );
      }
      await expectError(signIn({ tenantKey: t.key, userId: u.userId, password: u.password }, c), "rateLimit/TooManyRequests");
      await expectError(
        u.api.clientAuth.changePassword.mutate({ currentPassword: u.password, newPassword: "Another-Pass-123" }),
        "rateLimit/TooManyRequests",
      );
      const failed = await auditEvents(t.key, "user.signInFailed");
      expect(failed).toHaveLength(10);
      // The session was not harmed by the failures.
      await u.api.clientAuth.me.query();
    });
  });
});
