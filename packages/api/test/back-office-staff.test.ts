import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import type { AuditEventDto as AuditEvent } from "../src/services/dto";
import type { Page } from "../src/services/back-office/pagination";
import type { StaffDto as Staff } from "../src/services/dto";
import { hasRedis, unique, type CallResult } from "./helpers";
import { auditActionsFor, backOffice, backOfficeSuite, createSignedInStaff, signInStaffFrom } from "./back-office-fixtures";

const newEmail = (prefix = "st") => `${unique(prefix)}@staff.example.com`;
const STRONG = "a sturdy staff passphrase";

describe.skipIf(!hasRedis)("backOffice.staff and backOffice.auditLog", () => {
  const suite = backOfficeSuite();
  const { ip, callAs, bo } = suite;

  describe("staff.list and staff.create", () => {
    it("lists staff newest first, without hashes", async () => {
      const res = await bo.query<{ items: Staff[] }>("staff.list", {});
      expect(res.status).toBe(200);
      const mine = res.data.items.filter((s) => s.email === suite.admin.email || s.email === suite.viewer.email);
      expect(mine).toEqual([
        { id: suite.viewer.id, email: suite.viewer.email, role: "viewer", disabledAt: null, createdAt: expect.any(String) },
        { id: suite.admin.id, email: suite.admin.email, role: "admin", disabledAt: null, createdAt: expect.any(String) },
      ]);
      for (const item of res.data.items) expect(Object.keys(item).sort()).toEqual(["createdAt", "disabledAt", "email", "id", "role"]);
      const bare = await callAs("backOffice.staff.list", undefined, { method: "GET", cookie: suite.admin.cookie });
      expect(bare.status).toBe(200);
    });

    it("creates a staff member who can then sign in; email lower-cased; audited", async () => {
      const email = newEmail("new");
      const res = await bo.mutate<Staff>("staff.create", { email: ` ${email.toUpperCase()} `, password: STRONG, role: "viewer" });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ id: expect.any(String), email, role: "viewer", disabledAt: null, createdAt: expect.any(String) });
      const cookie = await signInStaffFrom(suite.server.url, ip, email, STRONG);
      expect(cookie).toBeDefined();
      expect((await backOffice(suite.server.url, ip, cookie).query("tenants.list", {})).status).toBe(200);
      expect((await backOffice(suite.server.url, ip, cookie).query("staff.list", {})).status).toBe(403);
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `staff:${email}`, action: "staff.created" } });
      expect(event).toMatchObject({ actorType: "staff", actorId: suite.admin.id, actorLabel: suite.admin.email, ip, tenantKey: null, details: { role: "viewer" } });
    });

    it("409 staff/EmailDuplicated, whatever the case", async () => {
      const email = newEmail("dup");
      expect((await bo.mutate("staff.create", { email, password: STRONG, role: "admin" })).status).toBe(200);
      const dup = await bo.mutate("staff.create", { email: email.toUpperCase(), password: STRONG, role: "viewer" });
      expect([dup.status, dup.appCode]).toEqual([409, "staff/EmailDuplicated"]);
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
        const res = await bo.mutate("staff.create", input);
        expect([field, res.status, res.appCode]).toEqual([field, 400, "validation/Invalid"]);
        expect((res.body.error?.data.issues as { path: unknown[] }[]).map((i) => i.path)).toContainEqual([field]);
      }
      expect(await getPrisma().staffUser.count({ where: { email } })).toBe(0);
    });
  });

  describe("staff.update", () => {
    it("role changes take effect on the next call", async () => {
      const someone = await createSignedInStaff(suite.server.url, ip, "viewer", "promote");
      const client = backOffice(suite.server.url, ip, someone.cookie);
      expect((await client.query("staff.list", {})).status).toBe(403);
      const promoted = await bo.mutate<Staff>("staff.update", { email: someone.email.toUpperCase(), role: "admin" });
      expect(promoted.status).toBe(200);
      expect(promoted.data).toMatchObject({ id: someone.id, role: "admin", disabledAt: null });
      expect((await client.query("staff.list", {})).status).toBe(200);
      const demoted = await bo.mutate<Staff>("staff.update", { email: someone.email, role: "viewer" });
      expect(demoted.data.role).toBe("viewer");
      const denied = await client.query("staff.list", {});
      expect([denied.status, denied.appCode]).toEqual([403, "auth/Forbidden"]);
      expect(await auditActionsFor(`staff:${someone.email}`)).toEqual(["staff.signedIn", "staff.updated", "staff.updated"]);
      const events = await getPrisma().auditEvent.findMany({ where: { target: `staff:${someone.email}`, action: "staff.updated" }, orderBy: { id: "asc" } });
      expect(events[0]).toMatchObject({ actorId: suite.admin.id, actorLabel: suite.admin.email, ip, details: { role: { from: "viewer", to: "admin" } } });
    });

    it("disabling ends the staff member's sessions at once and for good; re-enabled, they sign in again", async () => {
      const someone = await createSignedInStaff(suite.server.url, ip, "admin", "disable");
      const client = backOffice(suite.server.url, ip, someone.cookie);
      expect((await client.query("tenants.list", {})).status).toBe(200);
      const disabled = await bo.mutate<Staff>("staff.update", { email: someone.email, disabled: true });
      expect(disabled.status).toBe(200);
      expect(disabled.data.disabledAt).not.toBeNull();
      const again = await bo.mutate<Staff>("staff.update", { email: someone.email, disabled: true });
      expect(again.data.disabledAt).toBe(disabled.data.disabledAt);
      expect((await client.query("tenants.list", {})).status).toBe(401);
      expect(await signInStaffFrom(suite.server.url, ip, someone.email, someone.password)).toBeUndefined();

      const enabled = await bo.mutate<Staff>("staff.update", { email: someone.email, disabled: false });
      expect(enabled.data.disabledAt).toBeNull();
      expect((await client.query("tenants.list", {})).status).toBe(401);
      const fresh = await signInStaffFrom(suite.server.url, ip, someone.email, someone.password);
      expect(fresh).toBeDefined();
      expect((await backOffice(suite.server.url, ip, fresh).query("tenants.list", {})).status).toBe(200);
    });

    it("404 staff/NotFound for an unknown email; 400 for an invalid role", async () => {
      const missing = await bo.mutate("staff.update", { email: newEmail("ghost"), role: "viewer" });
      expect([missing.status, missing.appCode]).toEqual([404, "staff/NotFound"]);
      const invalid = await bo.mutate("staff.update", { email: suite.viewer.email, role: "root" });
      expect([invalid.status, invalid.appCode]).toEqual([400, "validation/Invalid"]);
    });
  });

  describe("staff.changePassword", () => {
    it("a viewer changes their own password; older sessions end, the caller gets a fresh one; the old password stops working", async () => {
      const me = await createSignedInStaff(suite.server.url, ip, "viewer", "chpw");
      const client = backOffice(suite.server.url, ip, me.cookie);

      const wrong = await client.mutate("staff.changePassword", { currentPassword: "not my password", newPassword: STRONG });
      expect([wrong.status, wrong.appCode]).toEqual([401, "auth/InvalidCredentials"]);
      const same = await client.mutate("staff.changePassword", { currentPassword: me.password, newPassword: me.password });
      expect([same.status, same.appCode]).toEqual([400, "validation/Invalid"]);
      expect((same.body.error?.data.issues as { path: unknown[] }[])[0]?.path).toEqual(["newPassword"]);
      const common = await client.mutate("staff.changePassword", { currentPassword: me.password, newPassword: "iloveyou" });
      expect([common.status, common.appCode]).toEqual([400, "validation/Invalid"]);
      const short = await client.mutate("staff.changePassword", { currentPassword: me.password, newPassword: "short" });
      expect([short.status, short.appCode]).toEqual([400, "validation/Invalid"]);
      const asEmail = await client.mutate("staff.changePassword", { currentPassword: me.password, newPassword: me.email });
      expect([asEmail.status, asEmail.appCode]).toEqual([400, "validation/Invalid"]);
      // The failures above left the password as it was.
      expect((await client.query("tenants.list", {})).status).toBe(200);

      const ok = await client.mutate("staff.changePassword", { currentPassword: me.password, newPassword: STRONG });
      expect(ok.status).toBe(200);
      expect(ok.data).toEqual({ success: true });
      // The session used for the change is replaced by a fresh one; the old cookie is dead.
      const renewed = ok.headers.getSetCookie().map((c) => c.split(";", 1)[0]!).find((c) => c.startsWith("authjs.session-token="));
      expect(renewed).toBeDefined();
      expect((await client.query("tenants.list", {})).status).toBe(401);
      expect((await backOffice(suite.server.url, ip, renewed).query("tenants.list", {})).status).toBe(200);
      expect(await signInStaffFrom(suite.server.url, ip, me.email, me.password)).toBeUndefined();
      const cookie = await signInStaffFrom(suite.server.url, ip, me.email, STRONG);
      expect(cookie).toBeDefined();
      expect((await backOffice(suite.server.url, ip, cookie).query("tenants.list", {})).status).toBe(200);

      expect(await auditActionsFor(`staff:${me.email}`)).toEqual([
        "staff.signedIn",
        "staff.passwordChangeFailed",
        "staff.passwordChanged",
        "staff.signInFailed",
        "staff.signedIn",
      ]);
      const changed = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `staff:${me.email}`, action: "staff.passwordChanged" } });
      expect(changed).toMatchObject({ actorId: me.id, actorLabel: me.email, ip });
    });
  });

  describe("auditLog.list", () => {
    it("lists a tenant's events newest first with the contract's shape; filters by action; walks pages", async () => {
      const key = unique("al").toLowerCase();
      await bo.mutate("tenants.create", { key, name: "Audited", allowedEmailDomains: [] });
      await bo.mutate("tenants.update", { key, name: "Audited 2" });
      await bo.mutate("tenants.softDelete", { key });
      await bo.mutate("tenants.restore", { key });
      await bo.mutate("tenants.update", { key, name: "Audited 3" });

      const viewerClient = backOffice(suite.server.url, ip, suite.viewer.cookie);
      const res = await viewerClient.query<Page<AuditEvent>>("auditLog.list", { tenantKey: key.toUpperCase() });
      expect(res.status).toBe(200);
      expect(res.data.nextCursor).toBeNull();
      expect(res.data.items.map((e) => e.action)).toEqual(["tenant.updated", "tenant.restored", "tenant.deleted", "tenant.updated", "tenant.created"]);
      const first = res.data.items[4]!;
      expect(first).toEqual({
        id: expect.stringMatching(/^\d+$/),
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        actor: { type: "staff", id: suite.admin.id, label: suite.admin.email },
        tenantKey: key,
        action: "tenant.created",
        target: `tenant:${key}`,
        ip,
      });

      const updates = await viewerClient.query<Page<AuditEvent>>("auditLog.list", { tenantKey: key, action: "tenant.updated" });
      expect(updates.data.items.map((e) => e.action)).toEqual(["tenant.updated", "tenant.updated"]);

      const walked: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const page: CallResult<Page<AuditEvent>> = await viewerClient.query<Page<AuditEvent>>("auditLog.list", { tenantKey: key, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        expect(page.data.items.length).toBeLessThanOrEqual(2);
        walked.push(...page.data.items);
        cursor = page.data.nextCursor;
      } while (cursor);
      expect(walked).toEqual(res.data.items);
      const ids = walked.map((e) => BigInt(e.id));
      for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! > ids[i]!).toBe(true);
    });

    it("without filters lists everything newest first (no input = {}); staff-only actions by action", async () => {
      const bare = await callAs<Page<AuditEvent>>("backOffice.auditLog.list", undefined, { method: "GET", cookie: suite.admin.cookie });
      expect(bare.status).toBe(200);
      expect(bare.data.items.length).toBe(20);
      expect(bare.data.nextCursor).not.toBeNull();
      const signIns = await bo.query<Page<AuditEvent>>("auditLog.list", { action: "staff.signedIn", limit: 100 });
      expect(signIns.data.items.length).toBeGreaterThan(0);
      expect(signIns.data.items.every((e) => e.action === "staff.signedIn" && e.actor.type === "staff")).toBe(true);
      expect(signIns.data.items.some((e) => e.target === `staff:${suite.admin.email}`)).toBe(true);
    });

    it("400 for a bad cursor or limit", async () => {
      for (const input of [{ cursor: "!!!" }, { cursor: Buffer.from('"12a"').toString("base64url") }, { limit: 0 }, { limit: 101 }]) {
        const res = await bo.query("auditLog.list", input);
        expect([res.status, res.appCode]).toEqual([400, "validation/Invalid"]);
      }
    });
  });
});
