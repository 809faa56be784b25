import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { hashPassword, verifyPassword } from "../src/lib/password-hasher";
import { hasRedis } from "./helpers";
import {
  auditEvents,
  claimsOf,
  clientAuthSuite,
  clientAt,
  createAdminIssuedUser,
  expectError,
  expectInvalidField,
  newPassword,
  signInUser,
  signUpUser,
  type SessionDto,
} from "./client-auth-fixtures";

type UserBody = { user: SessionDto["user"] };
type ChangePasswordBody = { success: true; accessToken: string; accessTokenExpiresAt: string };

describe.skipIf(!hasRedis)("clientAuth gates, updateMe and changePassword", () => {
  const suite = clientAuthSuite();
  const { client, tenantKey } = suite;

  it("an unverified self-signup user: me, listSessions and changePassword pass; updateMe is 403 auth/EmailNotVerified", async () => {
    const u = await signUpUser(client, tenantKey);
    const token = u.session.accessToken;
    expect((await client.get<UserBody>("me", undefined, token)).status).toBe(200);
    expect((await client.get("listSessions", undefined, token)).status).toBe(200);
    expectError(await client.post("updateMe", { displayName: "New" }, token), 403, "auth/EmailNotVerified");

    // Verified: the gate reads current state, so the same token passes at once.
    await getPrisma().user.update({ where: { id: u.session.user.id }, data: { emailVerifiedAt: new Date(), verifiedEmail: u.email } });
    const updated = await client.post<UserBody>("updateMe", { displayName: "  New name  " }, token);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.data.user.displayName).toBe("New name");
    expect((await client.get<UserBody>("me", undefined, token)).data.user.displayName).toBe("New name");
    expectInvalidField(await client.post("updateMe", { displayName: " " }, token), "displayName");
    expectInvalidField(await client.post("updateMe", { displayName: "x".repeat(65) }, token), "displayName");
    expectInvalidField(await client.post("updateMe", {}, token), "displayName");
  });

  it("gate order: a staff password reset on an unverified user → PasswordChangeRequired, then after the change EmailNotVerified", async () => {
    const u = await signUpUser(client, tenantKey);
    const temporary = newPassword();
    // What backOffice.users.resetPassword does.
    await getPrisma().user.update({
      where: { id: u.session.user.id },
      data: { passwordHash: await hashPassword(temporary), mustChangePassword: true },
    });
    const token = u.session.accessToken;
    const me = await client.get<UserBody>("me", undefined, token);
    expect(me.status).toBe(200);
    expect(me.data.user.mustChangePassword).toBe(true);
    expectError(await client.post("updateMe", { displayName: "Blocked" }, token), 403, "auth/PasswordChangeRequired");
    // The old password no longer works; the temporary one does, and its token says pcr.
    expectError(await client.post("signIn", { tenantKey, userId: u.userId, password: u.password }), 401, "auth/InvalidCredentials");
    const fresh = await signInUser(client, { tenantKey, userId: u.userId, password: temporary });
    expect(claimsOf(fresh.accessToken)).toMatchObject({ pcr: true, ev: false });

    const changed = await client.post<ChangePasswordBody>("changePassword", { currentPassword: temporary, newPassword: newPassword() }, token);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(claimsOf(changed.data.accessToken).pcr).toBe(false);
    expectError(await client.post("updateMe", { displayName: "Still blocked" }, token), 403, "auth/EmailNotVerified");
    expectError(await client.post("updateMe", { displayName: "Still blocked" }, changed.data.accessToken), 403, "auth/EmailNotVerified");
  });

  it("admin_issued users are never gated by email; mustChangePassword gates them until they change it", async () => {
    const issued = await createAdminIssuedUser(suite.tenant, { mustChangePassword: true });
    const s = await signInUser(client, issued);
    expect(s.user).toMatchObject({ role: "manager", source: "admin_issued", mustChangePassword: true, emailVerifiedAt: null, email: null });
    expect(claimsOf(s.accessToken)).toMatchObject({ role: "manager", src: "admin_issued", pcr: true, ev: false });
    expect((await client.get("me", undefined, s.accessToken)).status).toBe(200);
    expectError(await client.post("updateMe", { displayName: "Boss" }, s.accessToken), 403, "auth/PasswordChangeRequired");
    const changed = await client.post<ChangePasswordBody>("changePassword", { currentPassword: issued.password, newPassword: newPassword() }, s.accessToken);
    expect(changed.status).toBe(200);
    const res = await client.post<UserBody>("updateMe", { displayName: "Boss" }, s.accessToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.data.user).toMatchObject({ displayName: "Boss", mustChangePassword: false, emailVerifiedAt: null });

    const plain = await createAdminIssuedUser(suite.tenant, { mustChangePassword: false });
    const p = await signInUser(client, plain);
    expect((await client.post("updateMe", { displayName: "Plain" }, p.accessToken)).status).toBe(200);
  });

  describe("changePassword", () => {
    it("keeps this session, revokes the others, clears mustChangePassword, returns a fresh pcr:false token; the old password fails", async () => {
      const u = await signUpUser(client, tenantKey);
      const other = await signInUser(client, u);
      const third = await signInUser(clientAt(suite.server.url), u);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { mustChangePassword: true } });
      const next = newPassword();
      const res = await client.post<ChangePasswordBody>("changePassword", { currentPassword: u.password, newPassword: next }, u.session.accessToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.data).toEqual({ success: true, accessToken: expect.any(String), accessTokenExpiresAt: expect.any(String) });
      const claims = claimsOf(res.data.accessToken);
      expect(claims).toMatchObject({ pcr: false, sid: claimsOf(u.session.accessToken).sid, sub: u.session.user.id });
      expect(Date.parse(res.data.accessTokenExpiresAt)).toBe(claims.exp! * 1000);

      // This session: both access tokens and the refresh token live on.
      expect((await client.get("me", undefined, u.session.accessToken)).status).toBe(200);
      const me = await client.get<UserBody>("me", undefined, res.data.accessToken);
      expect(me.data.user.mustChangePassword).toBe(false);
      expect((await client.post("refresh", { refreshToken: u.session.refreshToken })).status).toBe(200);
      // The others are gone.
      for (const s of [other, third]) {
        expectError(await client.get("me", undefined, s.accessToken), 401, "auth/Unauthenticated");
        expectError(await client.post("refresh", { refreshToken: s.refreshToken }), 401, "auth/InvalidRefreshToken");
      }
      expectError(await client.post("signIn", { tenantKey, userId: u.userId, password: u.password }), 401, "auth/InvalidCredentials");
      await signInUser(client, { ...u, password: next });
      const row = await getPrisma().user.findUniqueOrThrow({ where: { id: u.session.user.id } });
      expect(await verifyPassword(next, row.passwordHash!)).toBe(true);
      expect((await auditEvents(tenantKey, "user.passwordChanged")).filter((e) => e.actorId === row.id)).toHaveLength(1);
    });

    it("a wrong currentPassword is 401 auth/InvalidCredentials and changes nothing", async () => {
      const u = await signUpUser(client, tenantKey);
      const other = await signInUser(client, u);
      const res = await client.post("changePassword", { currentPassword: `${u.password}?`, newPassword: newPassword() }, u.session.accessToken);
      expectError(res, 401, "auth/InvalidCredentials");
      expect((await client.get("me", undefined, other.accessToken)).status).toBe(200);
      await signInUser(client, u);
    });

    it("refuses the same password, a common one, the userId or email, and bad lengths with an issue on newPassword", async () => {
      const u = await signUpUser(client, tenantKey);
      const token = u.session.accessToken;
      const attempt = (newPassword: string) => client.post("changePassword", { currentPassword: u.password, newPassword }, token);
      expectInvalidField(await attempt(u.password), "newPassword");
      expectInvalidField(await attempt("PassWord123"), "newPassword");
      expectInvalidField(await attempt(u.userId.toUpperCase()), "newPassword");
      expectInvalidField(await attempt(u.email), "newPassword");
      expectInvalidField(await attempt("short"), "newPassword");
      expectInvalidField(await attempt("한".repeat(25)), "newPassword");
      expectInvalidField(await client.post("changePassword", { newPassword: newPassword() }, token), "currentPassword");
      // None of these changed anything.
      await signInUser(client, u);
      const ok = await attempt("한".repeat(24));
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      await signInUser(client, { ...u, password: "한".repeat(24) });
    });

    it("needs an access token", async () => {
      expectError(await client.post("changePassword", { currentPassword: "x", newPassword: newPassword() }), 401, "auth/Unauthenticated");
    });
  });

  it("A procedures without a token, with a malformed header or a non-Bearer scheme: 401 auth/Unauthenticated", async () => {
    const u = await signUpUser(client, tenantKey);
    for (const path of ["me", "listSessions"]) {
      expectError(await client.get(path), 401, "auth/Unauthenticated");
    }
    expectError(await client.post("updateMe", { displayName: "x" }), 401, "auth/Unauthenticated");
    expectError(await client.post("revokeSession", { id: "7d0c5a1e-8f1b-4e44-9d43-3f3c1d0a9b11" }), 401, "auth/Unauthenticated");
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
