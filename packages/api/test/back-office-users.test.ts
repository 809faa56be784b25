import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { verifyPassword } from "../src/lib/password-hasher";
import type { Page } from "../src/services/back-office/pagination";
import type { SessionTokens } from "../src/services/sessions";
import type { UserDto as User } from "../src/services/dto";
import { hasRedis, unique, type CallResult } from "./helpers";
import { auditActionsFor, backOffice, backOfficeSuite, eventually } from "./back-office-fixtures";


const PASSWORD = "a sturdy passphrase 1";

describe.skipIf(!hasRedis)("backOffice.managers and backOffice.users", () => {
  const suite = backOfficeSuite({ env: { MAIL_FROM: "Gatehouse <no-reply@gatehouse.test>" }, mail: true });
  const { ip, callAs, bo } = suite;

  async function createTenant(options: { locale?: "ko" | "en"; appUrl?: string; domains?: string[] } = {}): Promise<string> {
    const key = unique("ut").toLowerCase();
    const res = await bo.mutate("tenants.create", {
      key,
      name: `Tenant ${key}`,
      allowedEmailDomains: options.domains ?? [],
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.appUrl ? { appUrl: options.appUrl } : {}),
    });
    expect(res.status).toBe(200);
    return key;
  }

  async function signUp(tenantKey: string, userId = unique("u").toLowerCase(), extra: { displayName?: string; email?: string } = {}) {
    const res = await callAs<SessionTokens>("clientAuth.signUp", {
      tenantKey,
      userId,
      password: PASSWORD,
      displayName: extra.displayName ?? `User ${userId}`,
      email: extra.email ?? `${userId}@example.com`,
    });
    expect(res.status).toBe(200);
    return { userId, ...res.data };
  }

  const signIn = (tenantKey: string, userId: string, password: string) =>
    callAs<SessionTokens>("clientAuth.signIn", { tenantKey, userId, password });
  const me = (token: string) => callAs<{ user: User }>("clientAuth.me", undefined, { method: "GET", token });


  describe("managers.issue", () => {
    it("issues an admin_issued manager with a strong temporary password, stored only hashed, without mail", async () => {
      const tenantKey = await createTenant();
      const mailsBefore = suite.smtp.messages.length;
      const res = await bo.mutate<{ user: User; temporaryPassword: string }>("managers.issue", {
        tenantKey: tenantKey.toUpperCase(),
        userId: "  Boss.Manager ",
        displayName: " The Boss ",
      });
      expect(res.status).toBe(200);
      const { user, temporaryPassword } = res.data;
      expect(user).toMatchObject({
        tenantKey,
        userId: "boss.manager",
        displayName: "The Boss",
        email: null,
        emailVerifiedAt: null,
        role: "manager",
        source: "admin_issued",
        mustChangePassword: true,
        suspendedAt: null,
        lastLoginAt: null,
      });
      expect(temporaryPassword.length).toBeGreaterThanOrEqual(16);
      expect(temporaryPassword).toMatch(/^[A-Za-z0-9]+$/);
      const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
      expect(row.passwordHash).not.toContain(temporaryPassword);
      expect(await verifyPassword(temporaryPassword, row.passwordHash!)).toBe(true);
      expect(suite.smtp.messages.length).toBe(mailsBefore);

      // Two issues never share a password.
      const other = await bo.mutate<{ temporaryPassword: string }>("managers.issue", { tenantKey, userId: "boss2", displayName: "B2" });
      expect(other.data.temporaryPassword).not.toBe(temporaryPassword);

      // The manager signs in; me works, anything else waits for the password change.
      const session = await signIn(tenantKey, "boss.manager", temporaryPassword);
      expect(session.status).toBe(200);
      expect((await me(session.data.accessToken)).status).toBe(200);
      const update = await callAs("clientAuth.updateMe", { displayName: "New" }, { token: session.data.accessToken });
      expect([update.status, update.appCode]).toEqual([403, "auth/PasswordChangeRequired"]);

      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "manager.issued", target: "user:boss.manager" } });
      expect(event).toMatchObject({ actorType: "staff", actorId: suite.admin.id, actorLabel: suite.admin.email, ip, details: { emailSent: false, passwordInEmail: false } });
      const allEvents = JSON.stringify(await getPrisma().auditEvent.findMany({ where: { tenantKey } }), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      expect(allEvents).not.toContain(temporaryPassword);
    });

    it("mails an invitation in the tenant's locale, without the password unless asked", async () => {
      const tenantKey = await createTenant({ locale: "ko", appUrl: "https://app.acme.example/welcome" });
      const email = `${unique("mgr")}@contractor.example`;
      const res = await bo.mutate<{ user: User; temporaryPassword: string }>("managers.issue", {
        tenantKey,
        userId: "kim.manager",
        displayName: "김 매니저",
        email: email.toUpperCase(),
      });
      expect(res.status).toBe(200);
      expect(res.data.user.email).toBe(email);
      expect(res.data.user.emailVerifiedAt).toBeNull();
      const mail = await eventually(() => suite.smtp.messages.find((m) => m.to.includes(email)));
      expect(mail.subject).toContain(`Tenant ${tenantKey}`);
      expect(mail.subject).toMatch(/[\uAC00-\uD7A3]/); // Korean
      expect(mail.text).toContain("kim.manager");
      expect(mail.text).toContain(tenantKey);
      expect(mail.text).toContain("https://app.acme.example");
      expect(mail.raw).not.toContain(res.data.temporaryPassword);
      expect(mail.text + mail.html).not.toContain(res.data.temporaryPassword);
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "manager.issued" } });
      expect(event.details).toEqual({ emailSent: true, passwordInEmail: false });
    });

    it("includes the password when includePasswordInEmail (English tenant)", async () => {
      const tenantKey = await createTenant({ locale: "en", appUrl: "http://localhost:5173" });
      const email = `${unique("mgr")}@example.com`;
      const res = await bo.mutate<{ user: User; temporaryPassword: string }>("managers.issue", {
        tenantKey,
        userId: "lee.manager",
        displayName: "Lee",
        email,
        includePasswordInEmail: true,
      });
      expect(res.status).toBe(200);
      const mail = await eventually(() => suite.smtp.messages.find((m) => m.to.includes(email)));
      expect(mail.subject).not.toMatch(/[\uAC00-\uD7A3]/);
      expect(mail.subject).toContain("manager account");
      expect(mail.text).toContain(res.data.temporaryPassword);
      expect(mail.text).toContain("lee.manager");
      expect(mail.text).toContain("http://localhost:5173");
    });

    it("does not apply the tenant's self-signup domain policy", async () => {
      const tenantKey = await createTenant({ domains: ["only.example"] });
      const res = await bo.mutate<{ user: User }>("managers.issue", { tenantKey, userId: "outsider", displayName: "Out", email: "out@elsewhere.example" });
      expect(res.status).toBe(200);
      expect(res.data.user.email).toBe("out@elsewhere.example");
    });

    it("503 service/Unavailable when the mail server refuses, and no account remains", async () => {
      const tenantKey = await createTenant();
      suite.smtp.rejectRecipients = true;
      let res: CallResult;
      try {
        res = await bo.mutate("managers.issue", { tenantKey, userId: "unlucky", displayName: "U", email: "unlucky@example.com" });
      } finally {
        suite.smtp.rejectRecipients = false;
      }
      expect([res.status, res.appCode]).toEqual([503, "service/Unavailable"]);
      expect(await getPrisma().user.count({ where: { tenant: { key: tenantKey } } })).toBe(0);
      expect(await getPrisma().auditEvent.count({ where: { tenantKey, action: "manager.issued" } })).toBe(0);
      // Nothing half-done: the same userId can be issued right away.
      const retry = await bo.mutate("managers.issue", { tenantKey, userId: "unlucky", displayName: "U", email: "unlucky@example.com" });
      expect(retry.status).toBe(200);
    });

    it("409 user/UserIdDuplicated, 404 tenant/NotFound (unknown or deleted), 400 for invalid fields", async () => {
      const tenantKey = await createTenant();
      const taken = await signUp(tenantKey);
      const dup = await bo.mutate("managers.issue", { tenantKey, userId: taken.userId.toUpperCase(), displayName: "Dup" });
      expect([dup.status, dup.appCode]).toEqual([409, "user/UserIdDuplicated"]);
      const unknown = await bo.mutate("managers.issue", { tenantKey: unique("nope").toLowerCase(), userId: "someone", displayName: "S" });
      expect([unknown.status, unknown.appCode]).toEqual([404, "tenant/NotFound"]);
      const gone = await createTenant();
      await bo.mutate("tenants.softDelete", { key: gone });
      const deleted = await bo.mutate("managers.issue", { tenantKey: gone, userId: "someone", displayName: "S" });
      expect([deleted.status, deleted.appCode]).toEqual([404, "tenant/NotFound"]);
      for (const [input, field] of [
        [{ tenantKey, userId: "ab", displayName: "S" }, "userId"],
        [{ tenantKey, userId: "has space", displayName: "S" }, "userId"],
        [{ tenantKey, userId: "someone", displayName: "  " }, "displayName"],
        [{ tenantKey, userId: "someone", displayName: "S", email: "not-an-email" }, "email"],
        [{ tenantKey, userId: "someone", displayName: "S", includePasswordInEmail: "yes" }, "includePasswordInEmail"],
      ] as const) {
        const res = await bo.mutate("managers.issue", input);
        expect([field, res.status, res.appCode]).toEqual([field, 400, "validation/Invalid"]);
        expect((res.body.error?.data.issues as { path: unknown[] }[])[0]?.path).toEqual([field]);
      }
    });
  });

  describe("users.list", () => {
    it("walks all users of one tenant newest first; search matches userId, email or displayName; deleted users excluded", async () => {
      const tenantKey = await createTenant();
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const userId = `member-${i}`;
        await signUp(tenantKey, userId, { displayName: i === 3 ? "Zoë Special" : `Member ${i}`, email: i === 5 ? "Findme@Mail.example" : `m${i}@example.com` });
        created.push(userId);
      }
      const otherTenant = await createTenant();
      await signUp(otherTenant, "member-0");

      const seen: User[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: CallResult<Page<User>> = await backOffice(suite.server.url, ip, suite.viewer.cookie).query<Page<User>>("users.list", {
          tenantKey,
          limit: 3,
          ...(cursor ? { cursor } : {}),
        });
        expect(res.status).toBe(200);
        expect(res.data.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.data.items);
        cursor = res.data.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.map((u) => u.userId)).toEqual([...created].reverse());
      expect(seen.every((u) => u.tenantKey === tenantKey)).toBe(true);

      const search = async (query: string) =>
        (await bo.query<Page<User>>("users.list", { tenantKey, query })).data.items.map((u) => u.userId);
      expect(await search("MEMBER-2")).toEqual(["member-2"]);
      expect(await search("findme@mail")).toEqual(["member-5"]);
      expect(await search("zoë spec")).toEqual(["member-3"]);
      expect(await search("member-")).toHaveLength(7);
      expect(await search("member_")).toEqual([]); // _ is literal

      await bo.mutate("users.delete", { tenantKey, userId: "member-4" });
      expect(await search("member-")).toHaveLength(6);
      expect(await search("member-4")).toEqual([]);
      expect(await search("deleted")).toEqual([]);
    });

    it("404 tenant/NotFound for an unknown tenant; 400 for a missing tenantKey", async () => {
      const res = await bo.query("users.list", { tenantKey: unique("none").toLowerCase() });
      expect([res.status, res.appCode]).toEqual([404, "tenant/NotFound"]);
      const missing = await bo.query("users.list", {});
      expect([missing.status, missing.appCode]).toEqual([400, "validation/Invalid"]);
    });
  });

  describe("users.get (additive)", () => {
    it("one user with their live sessions, newest first, no token material; 404s as users.* do", async () => {
      const tenantKey = await createTenant();
      const u = await signUp(tenantKey);
      const second = await signIn(tenantKey, u.userId, PASSWORD);
      expect(second.status).toBe(200);
      const third = await signIn(tenantKey, u.userId, PASSWORD);
      await callAs("clientAuth.signOut", undefined, { token: third.data.accessToken });

      const res = await backOffice(suite.server.url, ip, suite.viewer.cookie).query<{ user: User; sessions: Record<string, unknown>[] }>("users.get", {
        tenantKey,
        userId: u.userId.toUpperCase(),
      });
      expect(res.status).toBe(200);
      // As the user sees themselves (signIn has set lastLoginAt since signUp).
      expect(res.data.user).toEqual((await me(second.data.accessToken)).data.user);
      expect(res.data.sessions).toHaveLength(2);
      expect(res.data.sessions.map((s) => Object.keys(s).sort())).toEqual(Array(2).fill(["createdAt", "id", "ip", "lastUsedAt", "userAgent"]));
      expect(Date.parse(res.data.sessions[0]!.createdAt as string)).toBeGreaterThanOrEqual(Date.parse(res.data.sessions[1]!.createdAt as string));
      expect(JSON.stringify(res.body)).not.toContain(second.data.refreshToken.split(".")[0]);

      expect((await bo.query("users.get", { tenantKey, userId: "nobody-here" })).appCode).toBe("user/NotFound");
      expect((await bo.query("users.get", { tenantKey: unique("none").toLowerCase(), userId: u.userId })).appCode).toBe("tenant/NotFound");
      await bo.mutate("users.delete", { tenantKey, userId: u.userId });
      expect((await bo.query("users.get", { tenantKey, userId: u.userId })).appCode).toBe("user/NotFound");
    });
  });

  describe("suspend and unsuspend", () => {
    it("suspension revokes every session at once; unsuspending revives none; both idempotent and audited once", async () => {
      const tenantKey = await createTenant();
      const user = await signUp(tenantKey);
      const second = await signIn(tenantKey, user.userId, PASSWORD);
      expect((await me(user.accessToken)).status).toBe(200);

      const res = await bo.mutate<{ user: User }>("users.suspend", { tenantKey, userId: user.userId.toUpperCase() });
      expect(res.status).toBe(200);
      expect(res.data.user.suspendedAt).not.toBeNull();
      const again = await bo.mutate<{ user: User }>("users.suspend", { tenantKey, userId: user.userId });
      expect(again.data.user.suspendedAt).toBe(res.data.user.suspendedAt);

      for (const token of [user.accessToken, second.data.accessToken]) {
        const r = await me(token);
        expect([r.status, r.appCode]).toEqual([401, "auth/Unauthenticated"]);
      }
      const refresh = await callAs("clientAuth.refresh", { refreshToken: user.refreshToken });
      expect([refresh.status, refresh.appCode]).toEqual([403, "auth/AccountSuspended"]);
      const wrong = await signIn(tenantKey, user.userId, "not the password");
      expect(wrong.status).toBe(401);
      const right = await signIn(tenantKey, user.userId, PASSWORD);
      expect([right.status, right.appCode]).toEqual([403, "auth/AccountSuspended"]);

      const lifted = await bo.mutate<{ user: User }>("users.unsuspend", { tenantKey, userId: user.userId });
      expect(lifted.status).toBe(200);
      expect(lifted.data.user.suspendedAt).toBeNull();
      expect((await bo.mutate<{ user: User }>("users.unsuspend", { tenantKey, userId: user.userId })).data.user.suspendedAt).toBeNull();
      expect((await me(user.accessToken)).status).toBe(401);
      const refreshAfter = await callAs("clientAuth.refresh", { refreshToken: user.refreshToken });
      expect([refreshAfter.status, refreshAfter.appCode]).toEqual([401, "auth/InvalidRefreshToken"]);
      expect((await signIn(tenantKey, user.userId, PASSWORD)).status).toBe(200);

      const target = `user:${user.userId}`;
      const actions = (await auditActionsFor(target)).filter((a) => a.startsWith("user.suspended") || a.startsWith("user.unsuspended"));
      expect(actions).toEqual(["user.suspended", "user.unsuspended"]);
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "user.suspended" } });
      expect(event).toMatchObject({ actorId: suite.admin.id, actorLabel: suite.admin.email, target, ip, details: { sessionsRevoked: 2 } });
      const sessions = await getPrisma().session.findMany({ where: { user: { id: user.user.id } }, orderBy: { createdAt: "asc" } });
      expect(sessions.slice(0, 2).map((s) => s.revokedReason)).toEqual(["suspended", "suspended"]);
    });
  });

  describe("resetPassword", () => {
    it("sets a temporary password, requires a change, revokes all sessions; audited", async () => {
      const tenantKey = await createTenant();
      const user = await signUp(tenantKey);
      const res = await bo.mutate<{ user: User; temporaryPassword: string }>("users.resetPassword", { tenantKey, userId: user.userId });
      expect(res.status).toBe(200);
      expect(res.data.user.mustChangePassword).toBe(true);
      expect(res.data.temporaryPassword.length).toBeGreaterThanOrEqual(16);

      expect((await me(user.accessToken)).status).toBe(401);
      expect((await signIn(tenantKey, user.userId, PASSWORD)).status).toBe(401);
      const session = await signIn(tenantKey, user.userId, res.data.temporaryPassword);
      expect(session.status).toBe(200);
      const meRes = await me(session.data.accessToken);
      expect(meRes.status).toBe(200);
      expect(meRes.data.user.mustChangePassword).toBe(true);
      const update = await callAs("clientAuth.updateMe", { displayName: "New" }, { token: session.data.accessToken });
      expect([update.status, update.appCode]).toEqual([403, "auth/PasswordChangeRequired"]);
      // Changing it lifts the gate.
      const changed = await callAs<{ accessToken: string }>(
        "clientAuth.changePassword",
        { currentPassword: res.data.temporaryPassword, newPassword: "my own new passphrase" },
        { token: session.data.accessToken },
      );
      expect(changed.status).toBe(200);
      // Lifts the gate: what stops this self-signed-up user now is only the (next) email gate.
      const after = await callAs("clientAuth.updateMe", { displayName: "New" }, { token: session.data.accessToken });
      expect([after.status, after.appCode]).toEqual([403, "auth/EmailNotVerified"]);

      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "user.passwordReset" } });
      expect(event).toMatchObject({ actorId: suite.admin.id, target: `user:${user.userId}`, ip });
      expect(JSON.stringify(event.details)).not.toContain(res.data.temporaryPassword);
    });
  });

  describe("delete", () => {
    it("erases personal data, revokes sessions, frees the userId; later calls are 404; audited", async () => {
      const tenantKey = await createTenant();
      const user = await signUp(tenantKey, undefined, { displayName: "Private Person", email: "private@example.com" });
      const res = await bo.mutate("users.delete", { tenantKey, userId: user.userId });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ success: true });

      const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.user.id } });
      expect(row).toMatchObject({ email: null, verifiedEmail: null, emailVerifiedAt: null, passwordHash: null, displayName: "Deleted user" });
      expect(row.deletedAt).not.toBeNull();
      expect(row.userId).not.toContain(user.userId);
      const rowJson = JSON.stringify(row);
      expect(rowJson).not.toContain("private@example.com");
      expect(rowJson).not.toContain("Private Person");
      const sessions = await getPrisma().session.findMany({ where: { userId: user.user.id } });
      expect(sessions.every((s) => s.revokedAt !== null && s.ip === null && s.userAgent === null)).toBe(true);

      expect((await me(user.accessToken)).status).toBe(401);
      expect((await signIn(tenantKey, user.userId, PASSWORD)).status).toBe(401);
      for (const path of ["users.suspend", "users.unsuspend", "users.resetPassword", "users.delete"]) {
        const again = await bo.mutate(path, { tenantKey, userId: user.userId });
        expect([path, again.status, again.appCode]).toEqual([path, 404, "user/NotFound"]);
      }
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "user.deleted" } });
      expect(event).toMatchObject({ actorId: suite.admin.id, target: `user:${user.user.id}`, tenantKey, ip });

      // The userId is free again.
      const reused = await signUp(tenantKey, user.userId);
      expect(reused.user.id).not.toBe(user.user.id);
    });
  });

  it("404 user/NotFound for an unknown user and 404 tenant/NotFound for an unknown tenant on every users.* mutation", async () => {
    const tenantKey = await createTenant();
    for (const path of ["users.suspend", "users.unsuspend", "users.resetPassword", "users.delete"]) {
      const noUser = await bo.mutate(path, { tenantKey, userId: "nobody-here" });
      expect([path, noUser.status, noUser.appCode]).toEqual([path, 404, "user/NotFound"]);
      const noTenant = await bo.mutate(path, { tenantKey: unique("none").toLowerCase(), userId: "nobody-here" });
      expect([path, noTenant.status, noTenant.appCode]).toEqual([path, 404, "tenant/NotFound"]);
      const invalid = await bo.mutate(path, { tenantKey });
      expect([path, invalid.status, invalid.appCode]).toEqual([path, 400, "validation/Invalid"]);
    }
  });

  it("a user of another tenant with the same userId is untouched", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const ua = await signUp(a, "same-name");
    const ub = await signUp(b, "same-name");
    expect((await bo.mutate("users.suspend", { tenantKey: a, userId: "same-name" })).status).toBe(200);
    expect((await me(ua.accessToken)).status).toBe(401);
    expect((await me(ub.accessToken)).status).toBe(200);
  });
});
