import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import {
  auditEvents,
  createTenant,
  expectError,
  hasRedis,
  issueManager,
  newPassword,
  plantSession,
  signInUser,
  signUpUser,
  unique,
  useServer,
} from "./kit";
import { rest } from "./rest-wire";

/**
 * CONTRACT v2 "Tenant and User, additive fields": the tenant's sign-in method switches as
 * backOffice.tenants.* sets them and clientAuth obeys them, and users without a password.
 * Over tRPC, with the REST door checked where it costs one request.
 */
describe.skipIf(!hasRedis)("sign-in methods: the tenant switches and users without a password", () => {
  const suite = useServer({ staff: true });
  const { client } = suite;
  const restAt = (method: string, path: string, input?: unknown, token?: string) =>
    rest(suite.server.url, method, path, input, { headers: { "x-forwarded-for": suite.ip }, ...(token ? { token } : {}) });

  describe("backOffice.tenants.create / update", () => {
    it("create defaults to passwordSignUp true and emailCodeSignIn false, and get returns them", async () => {
      const key = unique("sm").slice(0, 32);
      const created = await suite.bo.tenants.create.mutate({ key, name: "Defaults", allowedEmailDomains: [] });
      expect({ passwordSignUp: created.passwordSignUp, emailCodeSignIn: created.emailCodeSignIn }).toEqual({
        passwordSignUp: true,
        emailCodeSignIn: false,
      });
      const stored = await getPrisma().tenant.findUniqueOrThrow({ where: { key } });
      expect({ passwordSignUp: stored.passwordSignUp, emailCodeSignIn: stored.emailCodeSignIn }).toEqual({
        passwordSignUp: true,
        emailCodeSignIn: false,
      });
    });

    it("create takes both switches, the opposite of the defaults, and returns them", async () => {
      const key = unique("sm").slice(0, 32);
      const created = await suite.bo.tenants.create.mutate({
        key,
        name: "Codes only",
        allowedEmailDomains: [],
        passwordSignUp: false,
        emailCodeSignIn: true,
      });
      expect(created).toMatchObject({ key, passwordSignUp: false, emailCodeSignIn: true });
      expect(await suite.bo.tenants.get.query({ key })).toMatchObject({ passwordSignUp: false, emailCodeSignIn: true });
    });

    it("update changes one switch and leaves the other, audited as tenant.updated naming the field", async () => {
      const tenant = await createTenant();
      const first = await suite.bo.tenants.update.mutate({ key: tenant.key, emailCodeSignIn: true });
      expect(first).toMatchObject({ passwordSignUp: true, emailCodeSignIn: true, name: tenant.name });
      const second = await suite.bo.tenants.update.mutate({ key: tenant.key, passwordSignUp: false });
      expect(second).toMatchObject({ passwordSignUp: false, emailCodeSignIn: true });
      expect(await suite.bo.tenants.get.query({ key: tenant.key })).toMatchObject({ passwordSignUp: false, emailCodeSignIn: true });
      const updates = await auditEvents(tenant.key, "tenant.updated");
      expect(updates.map((e) => (e.details as { changed?: string[] } | null)?.changed)).toEqual([["emailCodeSignIn"], ["passwordSignUp"]]);
    });

    it("a viewer cannot flip a switch (403 auth/Forbidden) and a non-boolean is 400 validation/Invalid", async () => {
      const tenant = await createTenant();
      await expectError(suite.viewer.api.backOffice.tenants.update.mutate({ key: tenant.key, passwordSignUp: false }), "auth/Forbidden");
      const notBoolean = { key: tenant.key, emailCodeSignIn: "yes" } as unknown as { key: string; emailCodeSignIn: boolean };
      await expectError(suite.bo.tenants.update.mutate(notBoolean), "validation/Invalid");
      const stored = await getPrisma().tenant.findUniqueOrThrow({ where: { id: tenant.id } });
      expect({ passwordSignUp: stored.passwordSignUp, emailCodeSignIn: stored.emailCodeSignIn }).toEqual({
        passwordSignUp: true,
        emailCodeSignIn: false,
      });
    });
  });

  describe("passwordSignUp: false", () => {
    it("closes clientAuth.signUp (400 auth/MethodNotEnabled, over tRPC and REST) and creates no user", async () => {
      const tenant = await createTenant();
      await suite.bo.tenants.update.mutate({ key: tenant.key, passwordSignUp: false });
      const userId = unique("u").toLowerCase();
      const input = { tenantKey: tenant.key, userId, password: newPassword(), displayName: "Ada", email: `${userId}@example.com` };
      await expectError(client.api.clientAuth.signUp.mutate(input), "auth/MethodNotEnabled");
      const overRest = await restAt("POST", "/api/v1/auth/sign-up", input);
      expect({ status: overRest.status, appCode: overRest.appCode }, overRest.text).toEqual({
        status: 400,
        appCode: "auth/MethodNotEnabled",
      });
      expect(await getPrisma().user.count({ where: { tenantId: tenant.id } })).toBe(0);
      expect(await auditEvents(tenant.key, "user.signedUp")).toEqual([]);
    });

    it("keeps signIn working for users who have a password: an earlier sign-up and an admin-issued manager", async () => {
      const tenant = await createTenant();
      const member = await signUpUser(client, tenant.key);
      const manager = await issueManager(tenant, { mustChangePassword: true });
      await suite.bo.tenants.update.mutate({ key: tenant.key, passwordSignUp: false });

      const memberSession = await signInUser(client, member);
      expect(memberSession.user).toMatchObject({ userId: member.userId, hasPassword: true });
      const managerSession = await signInUser(client, manager);
      expect(managerSession.user).toMatchObject({ userId: manager.userId, role: "manager", source: "admin_issued", hasPassword: true });
      // The manager can still replace the temporary password: changePassword is not sign-up.
      const changed = await client
        .as(managerSession.accessToken)
        .clientAuth.changePassword.mutate({ currentPassword: manager.password, newPassword: newPassword() });
      expect(changed.success).toBe(true);

      const overRest = await restAt("POST", "/api/v1/auth/sign-in", {
        tenantKey: tenant.key,
        userId: member.userId,
        password: member.password,
      });
      expect(overRest.status, overRest.text).toBe(200);
      expect(overRest.body).toMatchObject({ user: { userId: member.userId } });
    });

    it("turned back on, signUp works again", async () => {
      const tenant = await createTenant();
      await suite.bo.tenants.update.mutate({ key: tenant.key, passwordSignUp: false });
      await expectError(signUpUser(client, tenant.key), "auth/MethodNotEnabled");
      await suite.bo.tenants.update.mutate({ key: tenant.key, passwordSignUp: true });
      const user = await signUpUser(client, tenant.key);
      expect(user.session.user.hasPassword).toBe(true);
    });
  });

  describe("a user without a password", () => {
    /** A user as email-code sign-up makes one: self_signup, verified, passwordHash null; with a live session. */
    async function passwordlessUser() {
      const tenant = suite.tenant;
      const userId = unique("user-").toLowerCase();
      const email = `${userId}@example.com`;
      const user = await getPrisma().user.create({
        data: {
          tenantId: tenant.id,
          userId,
          email,
          verifiedEmail: email,
          emailVerifiedAt: new Date(),
          displayName: "No Password",
          passwordHash: null,
          role: "member",
          source: "self_signup",
        },
      });
      const session = await plantSession(user, tenant, { ip: suite.ip, userAgent: "vitest" });
      return { user, userId, session };
    }

    it("shows hasPassword: false in me and in the BackOffice's user list", async () => {
      const { userId, session } = await passwordlessUser();
      const { user } = await client.as(session.accessToken).clientAuth.me.query();
      expect(user).toMatchObject({ userId, hasPassword: false, phone: null, phoneVerifiedAt: null });
      const listed = await suite.bo.users.list.query({ tenantKey: suite.tenantKey, query: userId });
      expect(listed.items.map((u) => [u.userId, u.hasPassword])).toEqual([[userId, false]]);
    });

    it("signIn with any password is 401 auth/InvalidCredentials, audited as a failed sign-in (tRPC and REST)", async () => {
      const { userId } = await passwordlessUser();
      const before = (await auditEvents(suite.tenantKey, "user.signInFailed")).filter((e) => e.target === `user:${userId}`).length;
      await expectError(signInUser(client, { tenantKey: suite.tenantKey, userId, password: newPassword() }), "auth/InvalidCredentials");
      // The empty-looking cases too: nothing a client sends matches a missing hash.
      await expectError(signInUser(client, { tenantKey: suite.tenantKey, userId, password: "x" }), "auth/InvalidCredentials");
      const overRest = await restAt("POST", "/api/v1/auth/sign-in", { tenantKey: suite.tenantKey, userId, password: newPassword() });
      expect({ status: overRest.status, appCode: overRest.appCode }, overRest.text).toEqual({
        status: 401,
        appCode: "auth/InvalidCredentials",
      });
      const after = (await auditEvents(suite.tenantKey, "user.signInFailed")).filter((e) => e.target === `user:${userId}`).length;
      expect(after - before).toBe(3);
    });

    it("changePassword is 400 auth/PasswordNotSet (tRPC and REST), changes nothing and counts no failed sign-in", async () => {
      const { user, session } = await passwordlessUser();
      const api = client.as(session.accessToken);
      await expectError(
        api.clientAuth.changePassword.mutate({ currentPassword: "anything-1", newPassword: newPassword() }),
        "auth/PasswordNotSet",
      );
      const overRest = await restAt(
        "POST",
        "/api/v1/auth/change-password",
        { currentPassword: "anything-1", newPassword: newPassword() },
        session.accessToken,
      );
      expect({ status: overRest.status, appCode: overRest.appCode }, overRest.text).toEqual({
        status: 400,
        appCode: "auth/PasswordNotSet",
      });
      const stored = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.passwordHash).toBeNull();
      expect((await auditEvents(suite.tenantKey, "user.signInFailed")).filter((e) => e.target === `user:${user.userId}`)).toEqual([]);
      // The session is untouched: the same token still reads me.
      expect((await api.clientAuth.me.query()).user.hasPassword).toBe(false);
    });
  });
});
