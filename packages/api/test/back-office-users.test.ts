import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { verifyPassword } from "../src/lib/password-hasher";
import {
  auditActionsFor,
  eventually,
  expectError,
  hasRedis,
  unique,
  useServer,
  withResponse,
  type RouterInputs,
  type RouterOutputs,
  type UserDto as User,
} from "./kit";

type ManagerInput = RouterInputs["backOffice"]["managers"]["issue"];
type UserPage = RouterOutputs["backOffice"]["users"]["list"];

const PASSWORD = "a sturdy passphrase 1";

describe.skipIf(!hasRedis)("backOffice.managers and backOffice.users", () => {
  const suite = useServer({ env: { MAIL_FROM: "Gatehouse <no-reply@gatehouse.test>" }, mail: true, staff: true });
  const { ip, client, bo } = suite;

  async function createTenant(options: { locale?: "ko" | "en"; appUrl?: string; domains?: string[] } = {}): Promise<string> {
    const key = unique("ut").toLowerCase();
    await bo.tenants.create.mutate({
      key,
      name: `Tenant ${key}`,
      allowedEmailDomains: options.domains ?? [],
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.appUrl ? { appUrl: options.appUrl } : {}),
    });
    return key;
  }

  async function signUp(tenantKey: string, userId = unique("u").toLowerCase(), extra: { displayName?: string; email?: string } = {}) {
    const session = await client.api.clientAuth.signUp.mutate({
      tenantKey,
      userId,
      password: PASSWORD,
      displayName: extra.displayName ?? `User ${userId}`,
      email: extra.email ?? `${userId}@example.com`,
    });
    return { userId, ...session };
  }

  const signIn = (tenantKey: string, userId: string, password: string) =>
    client.api.clientAuth.signIn.mutate({ tenantKey, userId, password });
  const me = (token: string) => client.as(token).clientAuth.me.query();

  describe("managers.issue", () => {
    it("issues an admin_issued manager with a strong temporary password, stored only hashed, without mail", async () => {
      const tenantKey = await createTenant();
      const mailsBefore = suite.smtp.messages.length;
      const { user, temporaryPassword } = await bo.managers.issue.mutate({
        tenantKey: tenantKey.toUpperCase(),
        userId: "  Boss.Manager ",
        displayName: " The Boss ",
      });
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
      const other = await bo.managers.issue.mutate({ tenantKey, userId: "boss2", displayName: "B2" });
      expect(other.temporaryPassword).not.toBe(temporaryPassword);

      // The manager signs in; me works, anything else waits for the password change.
      const session = await signIn(tenantKey, "boss.manager", temporaryPassword);
      await me(session.accessToken);
      await expectError(client.as(session.accessToken).clientAuth.updateMe.mutate({ displayName: "New" }), "auth/PasswordChangeRequired");

      const event = await getPrisma().auditEvent.findFirstOrThrow({
        where: { tenantKey, action: "manager.issued", target: "user:boss.manager" },
      });
      expect(event).toMatchObject({
        actorType: "staff",
        actorId: suite.admin.id,
        actorLabel: suite.admin.email,
        ip,
        details: { emailSent: false, passwordInEmail: false },
      });
      const allEvents = JSON.stringify(await getPrisma().auditEvent.findMany({ where: { tenantKey } }), (_k, v: unknown) =>
        typeof v === "bigint" ? v.toString() : v,
      );
      expect(allEvents).not.toContain(temporaryPassword);
    });

    it("mails an invitation in the tenant's locale, without the password unless asked", async () => {
      const tenantKey = await createTenant({ locale: "ko", appUrl: "https://app.acme.example/welcome" });
      const email = `${unique("mgr")}@contractor.example`;
      const issued = await bo.managers.issue.mutate({
        tenantKey,
        userId: "kim.manager",
        displayName: "김 매니저",
        email: email.toUpperCase(),
      });
      expect(issued.user.email).toBe(email);
      expect(issued.user.emailVerifiedAt).toBeNull();
      const mail = await eventually(() => suite.smtp.messages.find((m) => m.to.includes(email)));
      expect(mail.subject).toContain(`Tenant ${tenantKey}`);
      expect(mail.subject).toMatch(/[\uAC00-\uD7A3]/); // Korean
      expect(mail.text).toContain("kim.manager");
      expect(mail.text).toContain(tenantKey);
      expect(mail.text).toContain("https://app.acme.example");
      expect(mail.raw).not.toContain(issued.temporaryPassword);
      expect(mail.text + mail.html).not.toContain(issued.temporaryPassword);
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "manager.issued" } });
      expect(event.details).toEqual({ emailSent: true, passwordInEmail: false });
    });

    it("includes the password when includePasswordInEmail (English tenant)", async () => {
      const tenantKey = await createTenant({ locale: "en", appUrl: "http://localhost:5173" });
      const email = `${unique("mgr")}@example.com`;
      const issued = await bo.managers.issue.mutate({
        tenantKey,
        userId: "lee.manager",
        displayName: "Lee",
        email,
        includePasswordInEmail: true,
      });
      const mail = await eventually(() => suite.smtp.messages.find((m) => m.to.includes(email)));
      expect(mail.subject).not.toMatch(/[\uAC00-\uD7A3]/);
      expect(mail.subject).toContain("manager account");
      expect(mail.text).toContain(issued.temporaryPassword);
      expect(mail.text).toContain("lee.manager");
      expect(mail.text).toContain("http://localhost:5173");
    });

    it("does not apply the tenant's self-signup domain policy", async () => {
      const tenantKey = await createTenant({ domains: ["only.example"] });
      const issued = await bo.managers.issue.mutate({ tenantKey, userId: "outsider", displayName: "Out", email: "out@elsewhere.example" });
      expect(issued.user.email).toBe("out@elsewhere.example");
    });

    it("503 service/Unavailable when the mail server refuses, and no account remains", async () => {
      const tenantKey = await createTenant();
      suite.smtp.rejectRecipients = true;
      try {
        await expectError(
          bo.managers.issue.mutate({ tenantKey, userId: "unlucky", displayName: "U", email: "unlucky@example.com" }),
          "service/Unavailable",
        );
      } finally {
        suite.smtp.rejectRecipients = false;
      }
      expect(await getPrisma().user.count({ where: { tenant: { key: tenantKey } } })).toBe(0);
      expect(await getPrisma().auditEvent.count({ where: { tenantKey, action: "manager.issued" } })).toBe(0);
      // Nothing half-done: the same userId can be issued right away.
      await bo.managers.issue.mutate({ tenantKey, userId: "unlucky", displayName: "U", email: "unlucky@example.com" });
    });

    it("409 user/UserIdDuplicated, 404 tenant/NotFound (unknown or deleted), 400 for invalid fields", async () => {
      const tenantKey = await createTenant();
      const taken = await signUp(tenantKey);
      await expectError(
        bo.managers.issue.mutate({ tenantKey, userId: taken.userId.toUpperCase(), displayName: "Dup" }),
        "user/UserIdDuplicated",
      );
      await expectError(
        bo.managers.issue.mutate({ tenantKey: unique("nope").toLowerCase(), userId: "someone", displayName: "S" }),
        "tenant/NotFound",
      );
      const gone = await createTenant();
      await bo.tenants.softDelete.mutate({ key: gone });
      await expectError(bo.managers.issue.mutate({ tenantKey: gone, userId: "someone", displayName: "S" }), "tenant/NotFound");
      for (const [input, field] of [
        [{ tenantKey, userId: "ab", displayName: "S" }, "userId"],
        [{ tenantKey, userId: "has space", displayName: "S" }, "userId"],
        [{ tenantKey, userId: "someone", displayName: "  " }, "displayName"],
        [{ tenantKey, userId: "someone", displayName: "S", email: "not-an-email" }, "email"],
        [{ tenantKey, userId: "someone", displayName: "S", includePasswordInEmail: "yes" }, "includePasswordInEmail"],
      ] as const) {
        // The last input the types refuse: on purpose.
        const res = await expectError(bo.managers.issue.mutate(input as ManagerInput), "validation/Invalid");
        expect(res.data.issues?.[0]?.path, field).toEqual([field]);
      }
    });
  });

  describe("users.list", () => {
    it("walks all users of one tenant newest first; search matches userId, email or displayName; deleted users excluded", async () => {
      const tenantKey = await createTenant();
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const userId = `member-${i}`;
        await signUp(tenantKey, userId, {
          displayName: i === 3 ? "Zoë Special" : `Member ${i}`,
          email: i === 5 ? "Findme@Mail.example" : `m${i}@example.com`,
        });
        created.push(userId);
      }
      const otherTenant = await createTenant();
      await signUp(otherTenant, "member-0");

      const seen: User[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: UserPage = await suite.viewer.api.backOffice.users.list.query({ tenantKey, limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.map((u) => u.userId)).toEqual([...created].reverse());
      expect(seen.every((u) => u.tenantKey === tenantKey)).toBe(true);

      const search = async (query: string) => (await bo.users.list.query({ tenantKey, query })).items.map((u) => u.userId);
      expect(await search("MEMBER-2")).toEqual(["member-2"]);
      expect(await search("findme@mail")).toEqual(["member-5"]);
      expect(await search("zoë spec")).toEqual(["member-3"]);
      expect(await search("member-")).toHaveLength(7);
      expect(await search("member_")).toEqual([]); // _ is literal

      await bo.users.delete.mutate({ tenantKey, userId: "member-4" });
      expect(await search("member-")).toHaveLength(6);
      expect(await search("member-4")).toEqual([]);
      expect(await search("deleted")).toEqual([]);
    });

    it("404 tenant/NotFound for an unknown tenant; 400 for a missing tenantKey", async () => {
      await expectError(bo.users.list.query({ tenantKey: unique("none").toLowerCase() }), "tenant/NotFound");
      // @ts-expect-error: tenantKey left out on purpose
      await expectError(bo.users.list.query({}), "validation/Invalid");
    });
  });

  describe("users.get (additive)", () => {
    it("one user with their live sessions, newest first, no token material; 404s as users.* do", async () => {
      const tenantKey = await createTenant();
      const u = await signUp(tenantKey);
      const second = await signIn(tenantKey, u.userId, PASSWORD);
      const third = await signIn(tenantKey, u.userId, PASSWORD);
      await client.as(third.accessToken).clientAuth.signOut.mutate();

      const { data: got, response } = await withResponse(() =>
        suite.viewer.api.backOffice.users.get.query({ tenantKey, userId: u.userId.toUpperCase() }),
      );
      // As the user sees themselves (signIn has set lastLoginAt since signUp).
      expect(got.user).toEqual((await me(second.accessToken)).user);
      expect(got.sessions).toHaveLength(2);
      expect(got.sessions.map((s) => Object.keys(s).sort())).toEqual(Array(2).fill(["createdAt", "id", "ip", "lastUsedAt", "userAgent"]));
      expect(Date.parse(got.sessions[0]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(got.sessions[1]!.createdAt));
      expect(await response.text()).not.toContain(second.refreshToken.split(".")[0]);

      await expectError(bo.users.get.query({ tenantKey, userId: "nobody-here" }), "user/NotFound");
      await expectError(bo.users.get.query({ tenantKey: unique("none").toLowerCase(), userId: u.userId }), "tenant/NotFound");
      await bo.users.delete.mutate({ tenantKey, userId: u.userId });
      await expectError(bo.users.get.query({ tenantKey, userId: u.userId }), "user/NotFound");
    });
  });

  describe("suspend and unsuspend", () => {
    it("suspension revokes every session at once; unsuspending revives none; both idempotent and audited once", async () => {
      const tenantKey = await createTenant();
      const user = await signUp(tenantKey);
      const second = await signIn(tenantKey, user.userId, PASSWORD);
      await me(user.accessToken);

      const res = await bo.users.suspend.mutate({ tenantKey, userId: user.userId.toUpperCase() });
      expect(res.user.suspendedAt).not.toBeNull();
      const again = await bo.users.suspend.mutate({ tenantKey, userId: user.userId });
      expect(again.user.suspendedAt).toBe(res.user.suspendedAt);

      for (const token of [user.accessToken, second.accessToken]) {
        await expectError(me(token), "auth/Unauthenticated");
      }
      await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: user.refreshToken }), "auth/AccountSuspended");
      await expectError(signIn(tenantKey, user.userId, "not the password"), "auth/InvalidCredentials");
      await expectError(signIn(tenantKey, user.userId, PASSWORD), "auth/AccountSuspended");

      const lifted = await bo.users.unsuspend.mutate({ tenantKey, userId: user.userId });
      expect(lifted.user.suspendedAt).toBeNull();
      expect((await bo.users.unsuspend.mutate({ tenantKey, userId: user.userId })).user.suspendedAt).toBeNull();
      await expectError(me(user.accessToken), "auth/Unauthenticated");
      await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: user.refreshToken }), "auth/InvalidRefreshToken");
      await signIn(tenantKey, user.userId, PASSWORD);

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
      const res = await bo.users.resetPassword.mutate({ tenantKey, userId: user.userId });
      expect(res.user.mustChangePassword).toBe(true);
      expect(res.temporaryPassword.length).toBeGreaterThanOrEqual(16);

      await expectError(me(user.accessToken), "auth/Unauthenticated");
      await expectError(signIn(tenantKey, user.userId, PASSWORD), "auth/InvalidCredentials");
      const session = await signIn(tenantKey, user.userId, res.temporaryPassword);
      const manager = client.as(session.accessToken);
      expect((await manager.clientAuth.me.query()).user.mustChangePassword).toBe(true);
      await expectError(manager.clientAuth.updateMe.mutate({ displayName: "New" }), "auth/PasswordChangeRequired");
      // Changing it lifts the gate.
      await manager.clientAuth.changePassword.mutate({ currentPassword: res.temporaryPassword, newPassword: "my own new passphrase" });
      // Lifts the gate: what stops this self-signed-up user now is only the (next) email gate.
      await expectError(manager.clientAuth.updateMe.mutate({ displayName: "New" }), "auth/EmailNotVerified");

      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { tenantKey, action: "user.passwordReset" } });
      expect(event).toMatchObject({ actorId: suite.admin.id, target: `user:${user.userId}`, ip });
      expect(JSON.stringify(event.details)).not.toContain(res.temporaryPassword);
    });
  });

  describe("delete", () => {
    it("erases personal data, revokes sessions, frees the userId; later calls are 404; audited", async () => {
      const tenantKey = await createTenant();
      const user = await signUp(tenantKey, undefined, { displayName: "Private Person", email: "private@example.com" });
      expect(await bo.users.delete.mutate({ tenantKey, userId: user.userId })).toEqual({ success: true });

      const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.user.id } });
      expect(row).toMatchObject({
        email: null,
        verifiedEmail: null,
        emailVerifiedAt: null,
        passwordHash: null,
        displayName: "Deleted user",
      });
      expect(row.deletedAt).not.toBeNull();
      expect(row.userId).not.toContain(user.userId);
      const rowJson = JSON.stringify(row);
      expect(rowJson).not.toContain("private@example.com");
      expect(rowJson).not.toContain("Private Person");
      const sessions = await getPrisma().session.findMany({ where: { userId: user.user.id } });
      expect(sessions.every((s) => s.revokedAt !== null && s.ip === null && s.userAgent === null)).toBe(true);

      await expectError(me(user.accessToken), "auth/Unauthenticated");
      await expectError(signIn(tenantKey, user.userId, PASSWORD), "auth/InvalidCredentials");
      for (const path of ["suspend", "unsuspend", "resetPassword", "delete"] as const) {
        await expectError(bo.users[path].mutate({ tenantKey, userId: user.userId }), "user/NotFound");
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
    for (const path of ["suspend", "unsuspend", "resetPassword", "delete"] as const) {
      await expectError(bo.users[path].mutate({ tenantKey, userId: "nobody-here" }), "user/NotFound");
      await expectError(bo.users[path].mutate({ tenantKey: unique("none").toLowerCase(), userId: "nobody-here" }), "tenant/NotFound");
      // @ts-expect-error: userId left out on purpose
      await expectError(bo.users[path].mutate({ tenantKey }), "validation/Invalid");
    }
  });

  it("a user of another tenant with the same userId is untouched", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const ua = await signUp(a, "same-name");
    const ub = await signUp(b, "same-name");
    await bo.users.suspend.mutate({ tenantKey: a, userId: "same-name" });
    await expectError(me(ua.accessToken), "auth/Unauthenticated");
    await me(ub.accessToken);
  });
});
