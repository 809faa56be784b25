import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import {
  auditActionsFor,
  expectError,
  expectInvalidField,
  hasRedis,
  sessionCookieOf,
  unique,
  useServer,
  withResponse,
  type RouterOutputs,
} from "./kit";

type AuditEvent = RouterOutputs["backOffice"]["auditLog"]["list"]["items"][number];

const newEmail = (prefix = "st") => `${unique(prefix)}@staff.example.com`;
const STRONG = "a sturdy staff passphrase";

describe.skipIf(!hasRedis)("backOffice.staff and backOffice.auditLog", () => {
  const suite = useServer({ staff: true });
  const { ip, bo } = suite;

  describe("staff.list and staff.create", () => {
    it("lists staff newest first, without hashes", async () => {
      const res = await bo.staff.list.query({});
      const mine = res.items.filter((s) => s.email === suite.admin.email || s.email === suite.viewer.email);
      expect(mine).toEqual([
        { id: suite.viewer.id, email: suite.viewer.email, role: "viewer", disabledAt: null, createdAt: expect.any(String) },
        { id: suite.admin.id, email: suite.admin.email, role: "admin", disabledAt: null, createdAt: expect.any(String) },
      ]);
      for (const item of res.items) expect(Object.keys(item).sort()).toEqual(["createdAt", "disabledAt", "email", "id", "role"]);
      await bo.staff.list.query();
    });

    it("creates a staff member who can then sign in; email lower-cased; audited", async () => {
      const email = newEmail("new");
      const created = await bo.staff.create.mutate({ email: ` ${email.toUpperCase()} `, password: STRONG, role: "viewer" });
      expect(created).toEqual({ id: expect.any(String), email, role: "viewer", disabledAt: null, createdAt: expect.any(String) });
      const cookie = await suite.signInStaff(email, STRONG);
      expect(cookie).toBeDefined();
      await suite.staffCaller(cookie).backOffice.tenants.list.query({});
      await expectError(suite.staffCaller(cookie).backOffice.staff.list.query({}), "auth/Forbidden");
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `staff:${email}`, action: "staff.created" } });
      expect(event).toMatchObject({
        actorType: "staff",
        actorId: suite.admin.id,
        actorLabel: suite.admin.email,
        ip,
        tenantKey: null,
        details: { role: "viewer" },
      });
    });

    it("409 staff/EmailDuplicated, whatever the case", async () => {
      const email = newEmail("dup");
      await bo.staff.create.mutate({ email, password: STRONG, role: "admin" });
      await expectError(bo.staff.create.mutate({ email: email.toUpperCase(), password: STRONG, role: "viewer" }), "staff/EmailDuplicated");
      expect(await getPrisma().staffUser.count({ where: { email } })).toBe(1);
    });

    it("400 validation/Invalid for a weak or malformed input", async () => {
      const email = newEmail("weak");
      const cases: [unknown, string][] = [
        [{ email, password: "short7!", role: "admin" }, "password"],
        [{ email, password: "x".repeat(73), role: "admin" }, "password"],
        [{ email, password: "Password123", role: "admin" }, "password"],
        [{ email, password: email.toUpperCase(), role: "admin" }, "password"],
        [{ email, password: STRONG, role: "owner" }, "role"],
        [{ email: "not-an-email", password: STRONG, role: "admin" }, "email"],
        [{ password: STRONG, role: "admin" }, "email"],
      ];
      for (const [input, field] of cases) {
        // Inputs the types refuse, on purpose.
        const res = await expectError(bo.staff.create.mutate(input as never), "validation/Invalid");
        expect(
          (res.data.issues ?? []).map((i) => i.path),
          field,
        ).toContainEqual([field]);
      }
      expect(await getPrisma().staffUser.count({ where: { email } })).toBe(0);
    });
  });

  describe("staff.update", () => {
    it("role changes take effect on the next call", async () => {
      const someone = await suite.newStaff("viewer", "promote");
      await expectError(someone.api.backOffice.staff.list.query({}), "auth/Forbidden");
      const promoted = await bo.staff.update.mutate({ email: someone.email.toUpperCase(), role: "admin" });
      expect(promoted).toMatchObject({ id: someone.id, role: "admin", disabledAt: null });
      await someone.api.backOffice.staff.list.query({});
      const demoted = await bo.staff.update.mutate({ email: someone.email, role: "viewer" });
      expect(demoted.role).toBe("viewer");
      await expectError(someone.api.backOffice.staff.list.query({}), "auth/Forbidden");
      expect(await auditActionsFor(`staff:${someone.email}`)).toEqual(["staff.signedIn", "staff.updated", "staff.updated"]);
      const events = await getPrisma().auditEvent.findMany({
        where: { target: `staff:${someone.email}`, action: "staff.updated" },
        orderBy: { id: "asc" },
      });
      expect(events[0]).toMatchObject({
        actorId: suite.admin.id,
        actorLabel: suite.admin.email,
        ip,
        details: { role: { from: "viewer", to: "admin" } },
      });
    });

    it("disabling ends the staff member's sessions at once and for good; re-enabled, they sign in again", async () => {
      const someone = await suite.newStaff("admin", "disable");
      await someone.api.backOffice.tenants.list.query({});
      const disabled = await bo.staff.update.mutate({ email: someone.email, disabled: true });
      expect(disabled.disabledAt).not.toBeNull();
      const again = await bo.staff.update.mutate({ email: someone.email, disabled: true });
      expect(again.disabledAt).toBe(disabled.disabledAt);
      await expectError(someone.api.backOffice.tenants.list.query({}), "auth/Unauthenticated");
      expect(await suite.signInStaff(someone.email, someone.password)).toBeUndefined();

      const enabled = await bo.staff.update.mutate({ email: someone.email, disabled: false });
      expect(enabled.disabledAt).toBeNull();
      await expectError(someone.api.backOffice.tenants.list.query({}), "auth/Unauthenticated");
      const fresh = await suite.signInStaff(someone.email, someone.password);
      expect(fresh).toBeDefined();
      await suite.staffCaller(fresh).backOffice.tenants.list.query({});
    });

    it("404 staff/NotFound for an unknown email; 400 for an invalid role", async () => {
      await expectError(bo.staff.update.mutate({ email: newEmail("ghost"), role: "viewer" }), "staff/NotFound");
      // @ts-expect-error: a role the contract does not have, on purpose
      await expectError(bo.staff.update.mutate({ email: suite.viewer.email, role: "root" }), "validation/Invalid");
    });
  });

  describe("staff.changePassword", () => {
    it("a viewer changes their own password; older sessions end, the caller gets a fresh one; the old password stops working", async () => {
      const me = await suite.newStaff("viewer", "chpw");
      const mine = me.api.backOffice;

      await expectError(
        mine.staff.changePassword.mutate({ currentPassword: "not my password", newPassword: STRONG }),
        "auth/InvalidCredentials",
      );
      const same = await expectInvalidField(
        mine.staff.changePassword.mutate({ currentPassword: me.password, newPassword: me.password }),
        "newPassword",
      );
      expect(same.data.issues?.[0]?.path).toEqual(["newPassword"]);
      await expectError(mine.staff.changePassword.mutate({ currentPassword: me.password, newPassword: "iloveyou" }), "validation/Invalid");
      await expectError(mine.staff.changePassword.mutate({ currentPassword: me.password, newPassword: "short" }), "validation/Invalid");
      await expectError(mine.staff.changePassword.mutate({ currentPassword: me.password, newPassword: me.email }), "validation/Invalid");
      // The failures above left the password as it was.
      await mine.tenants.list.query({});

      const { data: ok, response } = await withResponse(() =>
        mine.staff.changePassword.mutate({ currentPassword: me.password, newPassword: STRONG }),
      );
      expect(ok).toEqual({ success: true });
      // The session used for the change is replaced by a fresh one; the old cookie is dead.
      const renewed = sessionCookieOf(response.headers);
      expect(renewed).toBeDefined();
      await expectError(mine.tenants.list.query({}), "auth/Unauthenticated");
      await suite.staffCaller(renewed).backOffice.tenants.list.query({});
      expect(await suite.signInStaff(me.email, me.password)).toBeUndefined();
      const cookie = await suite.signInStaff(me.email, STRONG);
      expect(cookie).toBeDefined();
      await suite.staffCaller(cookie).backOffice.tenants.list.query({});

      expect(await auditActionsFor(`staff:${me.email}`)).toEqual([
        "staff.signedIn",
        "staff.passwordChangeFailed",
        "staff.passwordChanged",
        "staff.signInFailed",
        "staff.signedIn",
      ]);
      const changed = await getPrisma().auditEvent.findFirstOrThrow({
        where: { target: `staff:${me.email}`, action: "staff.passwordChanged" },
      });
      expect(changed).toMatchObject({ actorId: me.id, actorLabel: me.email, ip });
    });
  });

  describe("auditLog.list", () => {
    it("lists a tenant's events newest first with the contract's shape; filters by action; walks pages", async () => {
      const key = unique("al").toLowerCase();
      await bo.tenants.create.mutate({ key, name: "Audited", allowedEmailDomains: [] });
      await bo.tenants.update.mutate({ key, name: "Audited 2" });
      await bo.tenants.softDelete.mutate({ key });
      await bo.tenants.restore.mutate({ key });
      await bo.tenants.update.mutate({ key, name: "Audited 3" });

      const asViewer = suite.viewer.api.backOffice;
      const res = await asViewer.auditLog.list.query({ tenantKey: key.toUpperCase() });
      expect(res.nextCursor).toBeNull();
      expect(res.items.map((e) => e.action)).toEqual([
        "tenant.updated",
        "tenant.restored",
        "tenant.deleted",
        "tenant.updated",
        "tenant.created",
      ]);
      const first = res.items[4]!;
      expect(first).toEqual({
        id: expect.stringMatching(/^\d+$/),
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        actor: { type: "staff", id: suite.admin.id, label: suite.admin.email },
        tenantKey: key,
        action: "tenant.created",
        target: `tenant:${key}`,
        ip,
      });

      const updates = await asViewer.auditLog.list.query({ tenantKey: key, action: "tenant.updated" });
      expect(updates.items.map((e) => e.action)).toEqual(["tenant.updated", "tenant.updated"]);

      const walked: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: AuditEvent[]; nextCursor: string | null } = await asViewer.auditLog.list.query({
          tenantKey: key,
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(2);
        walked.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(walked).toEqual(res.items);
      const ids = walked.map((e) => BigInt(e.id));
      for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! > ids[i]!).toBe(true);
    });

    it("without filters lists everything newest first (no input = {}); staff-only actions by action", async () => {
      const bare = await bo.auditLog.list.query();
      expect(bare.items.length).toBe(20);
      expect(bare.nextCursor).not.toBeNull();
      const signIns = await bo.auditLog.list.query({ action: "staff.signedIn", limit: 100 });
      expect(signIns.items.length).toBeGreaterThan(0);
      expect(signIns.items.every((e) => e.action === "staff.signedIn" && e.actor.type === "staff")).toBe(true);
      expect(signIns.items.some((e) => e.target === `staff:${suite.admin.email}`)).toBe(true);
    });

    it("400 for a bad cursor or limit", async () => {
      for (const input of [{ cursor: "!!!" }, { cursor: Buffer.from('"12a"').toString("base64url") }, { limit: 0 }, { limit: 101 }]) {
        await expectError(bo.auditLog.list.query(input), "validation/Invalid");
      }
    });
  });
});
