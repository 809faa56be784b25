import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { hashPassword, verifyPassword } from "../src/lib/password-hasher";
import {
  auditEvents,
  claimsOf,
  clientAt,
  expectError,
  expectInvalidField,
  hasRedis,
  issueManager,
  newPassword,
  signInUser,
  signUpUser,
  useServer,
  withResponse,
} from "./kit";

describe.skipIf(!hasRedis)("clientAuth gates, updateMe and changePassword", () => {
  const suite = useServer();
  const { client, tenantKey } = suite;

  it("an unverified self-signup user: me, listSessions and changePassword pass; updateMe is 403 auth/EmailNotVerified", async () => {
    const u = await signUpUser(client, tenantKey);
    await u.api.clientAuth.me.query();
    await u.api.clientAuth.listSessions.query();
    await expectError(u.api.clientAuth.updateMe.mutate({ displayName: "New" }), "auth/EmailNotVerified");

    // Verified: the gate reads current state, so the same token passes at once.
    await getPrisma().user.update({ where: { id: u.session.user.id }, data: { emailVerifiedAt: new Date(), verifiedEmail: u.email } });
    const updated = await u.api.clientAuth.updateMe.mutate({ displayName: "  New name  " });
    expect(updated.user.displayName).toBe("New name");
    expect((await u.api.clientAuth.me.query()).user.displayName).toBe("New name");
    await expectInvalidField(u.api.clientAuth.updateMe.mutate({ displayName: " " }), "displayName");
    await expectInvalidField(u.api.clientAuth.updateMe.mutate({ displayName: "x".repeat(65) }), "displayName");
    // @ts-expect-error: displayName left out on purpose
    await expectInvalidField(u.api.clientAuth.updateMe.mutate({}), "displayName");
  });

  it("gate order: a staff password reset on an unverified user → PasswordChangeRequired, then after the change EmailNotVerified", async () => {
    const u = await signUpUser(client, tenantKey);
    const temporary = newPassword();
    // What backOffice.users.resetPassword does.
    await getPrisma().user.update({
      where: { id: u.session.user.id },
      data: { passwordHash: await hashPassword(temporary), mustChangePassword: true },
    });
    const me = await u.api.clientAuth.me.query();
    expect(me.user.mustChangePassword).toBe(true);
    await expectError(u.api.clientAuth.updateMe.mutate({ displayName: "Blocked" }), "auth/PasswordChangeRequired");
    // The old password no longer works; the temporary one does, and its token says pcr.
    await expectError(
      client.api.clientAuth.signIn.mutate({ tenantKey, userId: u.userId, password: u.password }),
      "auth/InvalidCredentials",
    );
    const fresh = await signInUser(client, { tenantKey, userId: u.userId, password: temporary });
    expect(claimsOf(fresh.accessToken)).toMatchObject({ pcr: true, ev: false });

    const changed = await u.api.clientAuth.changePassword.mutate({ currentPassword: temporary, newPassword: newPassword() });
    expect(claimsOf(changed.accessToken).pcr).toBe(false);
    await expectError(u.api.clientAuth.updateMe.mutate({ displayName: "Still blocked" }), "auth/EmailNotVerified");
    await expectError(client.as(changed.accessToken).clientAuth.updateMe.mutate({ displayName: "Still blocked" }), "auth/EmailNotVerified");
  });

  it("admin_issued users are never gated by email; mustChangePassword gates them until they change it", async () => {
    const issued = await issueManager(suite.tenant, { mustChangePassword: true });
    const s = await signInUser(client, issued);
    const manager = client.as(s.accessToken);
    expect(s.user).toMatchObject({ role: "manager", source: "admin_issued", mustChangePassword: true, emailVerifiedAt: null, email: null });
    expect(claimsOf(s.accessToken)).toMatchObject({ role: "manager", src: "admin_issued", pcr: true, ev: false });
    await manager.clientAuth.me.query();
    await expectError(manager.clientAuth.updateMe.mutate({ displayName: "Boss" }), "auth/PasswordChangeRequired");
    await manager.clientAuth.changePassword.mutate({ currentPassword: issued.password, newPassword: newPassword() });
    const res = await manager.clientAuth.updateMe.mutate({ displayName: "Boss" });
    expect(res.user).toMatchObject({ displayName: "Boss", mustChangePassword: false, emailVerifiedAt: null });

    const plain = await issueManager(suite.tenant, { mustChangePassword: false });
    const p = await signInUser(client, plain);
    await client.as(p.accessToken).clientAuth.updateMe.mutate({ displayName: "Plain" });
  });

  describe("changePassword", () => {
    it("keeps this session, revokes the others, clears mustChangePassword, returns a fresh pcr:false token; the old password fails", async () => {
      const u = await signUpUser(client, tenantKey);
      const other = await signInUser(client, u);
      const third = await signInUser(clientAt(suite.server.url), u);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { mustChangePassword: true } });
      const next = newPassword();
      const { data: changed, response } = await withResponse(() =>
        u.api.clientAuth.changePassword.mutate({ currentPassword: u.password, newPassword: next }),
      );
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(changed).toEqual({ success: true, accessToken: expect.any(String), accessTokenExpiresAt: expect.any(String) });
      const claims = claimsOf(changed.accessToken);
      expect(claims).toMatchObject({ pcr: false, sid: claimsOf(u.session.accessToken).sid, sub: u.session.user.id });
      expect(Date.parse(changed.accessTokenExpiresAt)).toBe(claims.exp! * 1000);

      // This session: both access tokens and the refresh token live on.
      await u.api.clientAuth.me.query();
      const me = await client.as(changed.accessToken).clientAuth.me.query();
      expect(me.user.mustChangePassword).toBe(false);
      await client.api.clientAuth.refresh.mutate({ refreshToken: u.session.refreshToken });
      // The others are gone.
      for (const s of [other, third]) {
        await expectError(client.as(s.accessToken).clientAuth.me.query(), "auth/Unauthenticated");
        await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: s.refreshToken }), "auth/InvalidRefreshToken");
      }
      await expectError(
        client.api.clientAuth.signIn.mutate({ tenantKey, userId: u.userId, password: u.password }),
        "auth/InvalidCredentials",
      );
      await signInUser(client, { ...u, password: next });
      const row = await getPrisma().user.findUniqueOrThrow({ where: { id: u.session.user.id } });
      expect(await verifyPassword(next, row.passwordHash!)).toBe(true);
      expect((await auditEvents(tenantKey, "user.passwordChanged")).filter((e) => e.actorId === row.id)).toHaveLength(1);
    });

    it("a wrong currentPassword is 401 auth/InvalidCredentials and changes nothing", async () => {
      const u = await signUpUser(client, tenantKey);
      const other = await signInUser(client, u);
      await expectError(
        u.api.clientAuth.changePassword.mutate({ currentPassword: `${u.password}?`, newPassword: newPassword() }),
        "auth/InvalidCredentials",
      );
      await client.as(other.accessToken).clientAuth.me.query();
      await signInUser(client, u);
    });

    it("refuses the same password, a common one, the userId or email, and bad lengths with an issue on newPassword", async () => {
      const u = await signUpUser(client, tenantKey);
      const attempt = (newPassword: string) => u.api.clientAuth.changePassword.mutate({ currentPassword: u.password, newPassword });
      await expectInvalidField(attempt(u.password), "newPassword");
      await expectInvalidField(attempt("PassWord123"), "newPassword");
      await expectInvalidField(attempt(u.userId.toUpperCase()), "newPassword");
      await expectInvalidField(attempt(u.email), "newPassword");
      await expectInvalidField(attempt("short"), "newPassword");
      await expectInvalidField(attempt("한".repeat(25)), "newPassword");
      // @ts-expect-error: currentPassword left out on purpose
      await expectInvalidField(u.api.clientAuth.changePassword.mutate({ newPassword: newPassword() }), "currentPassword");
      // None of these changed anything.
      await signInUser(client, u);
      await attempt("한".repeat(24));
      await signInUser(client, { ...u, password: "한".repeat(24) });
    });

    it("needs an access token", async () => {
      await expectError(
        client.api.clientAuth.changePassword.mutate({ currentPassword: "x", newPassword: newPassword() }),
        "auth/Unauthenticated",
      );
    });
  });

  it("A procedures without a token, with a malformed header or a non-Bearer scheme: 401 auth/Unauthenticated", async () => {
    const u = await signUpUser(client, tenantKey);
    await expectError(client.api.clientAuth.me.query(), "auth/Unauthenticated");
    await expectError(client.api.clientAuth.listSessions.query(), "auth/Unauthenticated");
    await expectError(client.api.clientAuth.updateMe.mutate({ displayName: "x" }), "auth/Unauthenticated");
    await expectError(client.api.clientAuth.revokeSession.mutate({ id: "7d0c5a1e-8f1b-4e44-9d43-3f3c1d0a9b11" }), "auth/Unauthenticated");
    // The Authorization header itself, as sent on the wire.
    const raw = (authorization: string) =>
      fetch(`${suite.server.url}/api/trpc/clientAuth.me`, { headers: { authorization, "x-forwarded-for": client.ip } }).then(async (r) => ({
        status: r.status,
        appCode: ((await r.json()) as { error?: { data: { appCode: string } } }).error?.data.appCode,
      }));
    expect(await raw(`Basic ${u.session.accessToken}`)).toEqual({ status: 401, appCode: "auth/Unauthenticated" });
    expect(await raw(`Bearer`)).toEqual({ status: 401, appCode: "auth/Unauthenticated" });
    expect(await raw(`Bearer ${u.session.refreshToken}`)).toEqual({ status: 401, appCode: "auth/Unauthenticated" });
    expect(await raw(`bearer ${u.session.accessToken}`)).toEqual({ status: 200, appCode: undefined });
  });
});
