import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import type { Page } from "../src/services/back-office/pagination";
import type { TenantDto as Tenant } from "../src/services/dto";
import { hasRedis, unique, type CallResult } from "./helpers";
import { auditActionsFor, backOffice, backOfficeSuite } from "./back-office-fixtures";

const newKey = (prefix = "tn") => unique(prefix).toLowerCase();

describe.skipIf(!hasRedis)("backOffice.tenants", () => {
  const suite = backOfficeSuite();
  const { ip, callAs, bo } = suite;

  describe("create", () => {
    it("normalizes the key, the domains and the app URL; locale defaults to ko", async () => {
      const key = newKey();
      const res = await bo.mutate<Tenant>("tenants.create", {
        key: `  ${key.toUpperCase()} `,
        name: "  Acme Corp  ",
        allowedEmailDomains: [" Example.COM ", "example.com", "Sub.Example.org", "EXAMPLE.com"],
        appUrl: "https://App.Acme.example:8443/dashboard/?x=1#top",
      });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({
        id: expect.any(String),
        key,
        name: "Acme Corp",
        allowedEmailDomains: ["example.com", "sub.example.org"],
        locale: "ko",
        appUrl: "https://app.acme.example:8443",
        deletedAt: null,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const row = await getPrisma().tenant.findUniqueOrThrow({ where: { key } });
      expect(row.allowedEmailDomains).toEqual(["example.com", "sub.example.org"]);
      expect(row.appUrl).toBe("https://app.acme.example:8443");
    });

    it("accepts locale en, an empty domain list and no appUrl", async () => {
      const key = newKey();
      const res = await bo.mutate<Tenant>("tenants.create", { key, name: "English", allowedEmailDomains: [], locale: "en" });
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({ key, locale: "en", allowedEmailDomains: [], appUrl: null });
    });

    it("400 validation/Invalid with the offending field", async () => {
      const cases: [unknown, (string | number)[]][] = [
        [{ key: "-bad", name: "x", allowedEmailDomains: [] }, ["key"]],
        [{ key: "a", name: "x", allowedEmailDomains: [] }, ["key"]],
        [{ key: "has space", name: "x", allowedEmailDomains: [] }, ["key"]],
        [{ key: newKey(), name: "   ", allowedEmailDomains: [] }, ["name"]],
        [{ key: newKey(), name: "x".repeat(101), allowedEmailDomains: [] }, ["name"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: ["example.com", "not a domain"] }, ["allowedEmailDomains", 1]],
        [{ key: newKey(), name: "x", allowedEmailDomains: ["@example.com"] }, ["allowedEmailDomains", 0]],
        [{ key: newKey(), name: "x", allowedEmailDomains: ["localhost"] }, ["allowedEmailDomains", 0]],
        [{ key: newKey(), name: "x", allowedEmailDomains: Array.from({ length: 101 }, (_, i) => `d${i}.example.com`) }, ["allowedEmailDomains"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], locale: "fr" }, ["locale"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], appUrl: "ftp://files.example.com" }, ["appUrl"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], appUrl: "javascript:alert(1)" }, ["appUrl"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], appUrl: "not a url" }, ["appUrl"]],
      ];
      for (const [input, path] of cases) {
        const res = await bo.mutate("tenants.create", input);
        expect([res.status, res.appCode]).toEqual([400, "validation/Invalid"]);
        const issues = res.body.error?.data.issues as { path: (string | number)[] }[];
        expect(issues.map((i) => i.path)).toContainEqual(path);
      }
    });

    it("409 tenant/KeyDuplicated for a taken key, deleted tenants included", async () => {
      const key = newKey();
      expect((await bo.mutate("tenants.create", { key, name: "First", allowedEmailDomains: [] })).status).toBe(200);
      const again = await bo.mutate("tenants.create", { key: key.toUpperCase(), name: "Second", allowedEmailDomains: [] });
      expect([again.status, again.appCode]).toEqual([409, "tenant/KeyDuplicated"]);
      expect((await bo.mutate("tenants.softDelete", { key })).status).toBe(200);
      const afterDelete = await bo.mutate("tenants.create", { key, name: "Third", allowedEmailDomains: [] });
      expect([afterDelete.status, afterDelete.appCode]).toEqual([409, "tenant/KeyDuplicated"]);
      expect(await getPrisma().tenant.count({ where: { key } })).toBe(1);
    });

    it("is audited: tenant.created by the acting staff member, with tenant, target and IP", async () => {
      const key = newKey();
      await bo.mutate("tenants.create", { key, name: "Audited", allowedEmailDomains: [] });
      const event = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `tenant:${key}` } });
      expect(event).toMatchObject({
        action: "tenant.created",
        actorType: "staff",
        actorId: suite.admin.id,
        actorLabel: suite.admin.email,
        tenantKey: key,
        ip,
      });
      expect(event.tenantId).toBe((await getPrisma().tenant.findUniqueOrThrow({ where: { key } })).id);
    });
  });

  describe("get and update", () => {
    it("get finds live and deleted tenants; 404 tenant/NotFound for an unknown key", async () => {
      const key = newKey();
      const created = await bo.mutate<Tenant>("tenants.create", { key, name: "Gettable", allowedEmailDomains: ["a.example"] });
      const got = await backOffice(suite.server.url, ip, suite.viewer.cookie).query<Tenant>("tenants.get", { key: key.toUpperCase() });
      expect(got.status).toBe(200);
      expect(got.data).toEqual(created.data);
      await bo.mutate("tenants.softDelete", { key });
      const deleted = await bo.query<Tenant>("tenants.get", { key });
      expect(deleted.status).toBe(200);
      expect(deleted.data.deletedAt).not.toBeNull();
      const missing = await bo.query("tenants.get", { key: newKey() });
      expect([missing.status, missing.appCode]).toEqual([404, "tenant/NotFound"]);
      const invalid = await bo.query("tenants.get", { key: "!!" });
      expect([invalid.status, invalid.appCode]).toEqual([400, "validation/Invalid"]);
    });

    it("update changes only the given fields, normalizes them, clears appUrl with null; audited", async () => {
      const key = newKey();
      const created = await bo.mutate<Tenant>("tenants.create", {
        key,
        name: "Before",
        allowedEmailDomains: ["before.example"],
        appUrl: "http://localhost:5173",
      });
      expect(created.data.appUrl).toBe("http://localhost:5173");
      const renamed = await bo.mutate<Tenant>("tenants.update", { key, name: " After " });
      expect(renamed.status).toBe(200);
      expect(renamed.data).toEqual({ ...created.data, name: "After" });
      const changed = await bo.mutate<Tenant>("tenants.update", {
        key,
        allowedEmailDomains: ["B.example", "b.example ", "c.example"],
        locale: "en",
        appUrl: "https://new.example/path",
      });
      expect(changed.data).toMatchObject({ name: "After", allowedEmailDomains: ["b.example", "c.example"], locale: "en", appUrl: "https://new.example" });
      const cleared = await bo.mutate<Tenant>("tenants.update", { key, appUrl: null, allowedEmailDomains: [] });
      expect(cleared.data).toMatchObject({ appUrl: null, allowedEmailDomains: [], locale: "en" });
      expect(await auditActionsFor(`tenant:${key}`)).toEqual(["tenant.created", "tenant.updated", "tenant.updated", "tenant.updated"]);
      const events = await getPrisma().auditEvent.findMany({ where: { target: `tenant:${key}`, action: "tenant.updated" }, orderBy: { id: "asc" } });
      expect(events[0]?.details).toEqual({ changed: ["name"] });
    });

    it("update: 404 for an unknown or soft-deleted tenant, 400 for invalid fields", async () => {
      const missing = await bo.mutate("tenants.update", { key: newKey(), name: "x" });
      expect([missing.status, missing.appCode]).toEqual([404, "tenant/NotFound"]);
      const key = newKey();
      await bo.mutate("tenants.create", { key, name: "Soon deleted", allowedEmailDomains: [] });
      const invalid = await bo.mutate("tenants.update", { key, allowedEmailDomains: ["ok.example", "bad_domain"] });
      expect([invalid.status, invalid.appCode]).toEqual([400, "validation/Invalid"]);
      expect((invalid.body.error?.data.issues as { path: unknown[] }[])[0]?.path).toEqual(["allowedEmailDomains", 1]);
      await bo.mutate("tenants.softDelete", { key });
      const deleted = await bo.mutate("tenants.update", { key, name: "x" });
      expect([deleted.status, deleted.appCode]).toEqual([404, "tenant/NotFound"]);
    });
  });

  describe("softDelete and restore", () => {
    it("soft delete revokes the tenant's sessions; both are idempotent; restore revives no session", async () => {
      const key = newKey();
      await bo.mutate("tenants.create", { key, name: "Deletable", allowedEmailDomains: [] });
      const user = { tenantKey: key, userId: "enduser", password: "a sturdy passphrase 1" };
      const signUp = await callAs<{ accessToken: string; refreshToken: string }>("clientAuth.signUp", {
        ...user,
        displayName: "End User",
        email: "end@example.com",
      });
      expect(signUp.status).toBe(200);
      const token = signUp.data.accessToken;
      expect((await callAs("clientAuth.me", undefined, { method: "GET", token })).status).toBe(200);

      const first = await bo.mutate<Tenant>("tenants.softDelete", { key });
      expect(first.status).toBe(200);
      expect(first.data.deletedAt).not.toBeNull();
      const second = await bo.mutate<Tenant>("tenants.softDelete", { key });
      expect(second.status).toBe(200);
      expect(second.data).toEqual(first.data);

      const me = await callAs("clientAuth.me", undefined, { method: "GET", token });
      expect([me.status, me.appCode]).toEqual([401, "auth/Unauthenticated"]);
      const refresh = await callAs("clientAuth.refresh", { refreshToken: signUp.data.refreshToken });
      expect([refresh.status, refresh.appCode]).toEqual([404, "tenant/NotFound"]);
      const signIn = await callAs("clientAuth.signIn", user);
      expect([signIn.status, signIn.appCode]).toEqual([404, "tenant/NotFound"]);
      const sessions = await getPrisma().session.findMany({ where: { tenant: { key } } });
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((s) => s.revokedAt !== null && s.revokedReason === "tenant_deleted")).toBe(true);

      const restored = await bo.mutate<Tenant>("tenants.restore", { key });
      expect(restored.status).toBe(200);
      expect(restored.data).toEqual({ ...first.data, deletedAt: null });
      const restoredAgain = await bo.mutate<Tenant>("tenants.restore", { key });
      expect(restoredAgain.data).toEqual(restored.data);

      const meAfter = await callAs("clientAuth.me", undefined, { method: "GET", token });
      expect(meAfter.status).toBe(401);
      const refreshAfter = await callAs("clientAuth.refresh", { refreshToken: signUp.data.refreshToken });
      expect([refreshAfter.status, refreshAfter.appCode]).toEqual([401, "auth/InvalidRefreshToken"]);
      expect((await callAs("clientAuth.signIn", user)).status).toBe(200);

      // One event per real change, none for the repeated calls.
      expect(await auditActionsFor(`tenant:${key}`)).toEqual(["tenant.created", "tenant.deleted", "tenant.restored"]);
      const deletedEvent = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `tenant:${key}`, action: "tenant.deleted" } });
      expect(deletedEvent).toMatchObject({ actorId: suite.admin.id, actorLabel: suite.admin.email, tenantKey: key, ip });
    });

    it("404 tenant/NotFound for an unknown key", async () => {
      for (const path of ["tenants.softDelete", "tenants.restore"]) {
        const res = await bo.mutate(path, { key: newKey() });
        expect([path, res.status, res.appCode]).toEqual([path, 404, "tenant/NotFound"]);
      }
    });
  });

  describe("list", () => {
    const prefix = newKey("pg");
    const keys: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 25; i++) {
        const key = `${prefix}-${String(i).padStart(2, "0")}`;
        const res = await bo.mutate("tenants.create", { key, name: `Paged ${i}`, allowedEmailDomains: [] });
        expect(res.status).toBe(200);
        keys.push(key);
      }
    });

    async function walk(input: Record<string, unknown>, cookie = suite.admin.cookie): Promise<{ items: Tenant[]; pages: number }> {
      const items: Tenant[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: CallResult<Page<Tenant>> = await backOffice(suite.server.url, ip, cookie).query<Page<Tenant>>("tenants.list", { ...input, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        items.push(...res.data.items);
        cursor = res.data.nextCursor;
        pages++;
        expect(pages).toBeLessThan(100);
      } while (cursor);
      return { items, pages };
    }

    it("walks every match exactly once, newest first, in pages of `limit`", async () => {
      const { items, pages } = await walk({ query: prefix, limit: 10 }, suite.viewer.cookie);
      expect(pages).toBe(3);
      expect(items.map((t) => t.key).sort()).toEqual([...keys].sort());
      expect(new Set(items.map((t) => t.id)).size).toBe(25);
      // Created one after another: newest first means the reverse creation order.
      expect(items.map((t) => t.key)).toEqual([...keys].reverse());
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [items[i - 1]!, items[i]!];
        expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id)).toBe(true);
      }
    });

    it("pages are exact: limit 10 gives 10, 10, 5 and nextCursor null at the end", async () => {
      const first = await bo.query<Page<Tenant>>("tenants.list", { query: prefix, limit: 10 });
      expect(first.data.items).toHaveLength(10);
      expect(typeof first.data.nextCursor).toBe("string");
      const second = await bo.query<Page<Tenant>>("tenants.list", { query: prefix, limit: 10, cursor: first.data.nextCursor });
      expect(second.data.items).toHaveLength(10);
      const third = await bo.query<Page<Tenant>>("tenants.list", { query: prefix, limit: 10, cursor: second.data.nextCursor });
      expect(third.data.items).toHaveLength(5);
      expect(third.data.nextCursor).toBeNull();
      const exact = await bo.query<Page<Tenant>>("tenants.list", { query: prefix, limit: 25 });
      expect(exact.data.items).toHaveLength(25);
      expect(exact.data.nextCursor).toBeNull();
    });

    it("limit defaults to 20; no input behaves as {}", async () => {
      const res = await bo.query<Page<Tenant>>("tenants.list", { query: prefix });
      expect(res.data.items).toHaveLength(20);
      expect(res.data.nextCursor).not.toBeNull();
      const bare = await callAs<Page<Tenant>>("backOffice.tenants.list", undefined, { method: "GET", cookie: suite.admin.cookie });
      expect(bare.status).toBe(200);
      expect(bare.data.items.length).toBeGreaterThan(0);
      expect(bare.data.items.length).toBeLessThanOrEqual(20);
    });

    it("query matches key or name case-insensitively; % and _ are literal", async () => {
      const p = newKey("srch");
      await bo.mutate("tenants.create", { key: `${p}-one`, name: "Zebra Holdings", allowedEmailDomains: [] });
      await bo.mutate("tenants.create", { key: `${p}-two`, name: `${p} 100% juice_bar`, allowedEmailDomains: [] });
      await bo.mutate("tenants.create", { key: `${p}-three`, name: `${p} 1000 juiceXbar`, allowedEmailDomains: [] });
      const byKey = await bo.query<Page<Tenant>>("tenants.list", { query: `${p}-ONE` });
      expect(byKey.data.items.map((t) => t.key)).toEqual([`${p}-one`]);
      const byName = await bo.query<Page<Tenant>>("tenants.list", { query: `${p.toUpperCase()} 100` });
      expect(byName.data.items.map((t) => t.key).sort()).toEqual([`${p}-three`, `${p}-two`]);
      const percent = await bo.query<Page<Tenant>>("tenants.list", { query: `${p} 100%` });
      expect(percent.data.items.map((t) => t.key)).toEqual([`${p}-two`]);
      const underscore = await bo.query<Page<Tenant>>("tenants.list", { query: "juice_bar" });
      expect(underscore.data.items.map((t) => t.key)).toEqual([`${p}-two`]);
      await bo.mutate("tenants.create", { key: `${p}-four`, name: `${p} back\\slash`, allowedEmailDomains: [] });
      const backslash = await bo.query<Page<Tenant>>("tenants.list", { query: "k\\sla" });
      expect(backslash.data.items.map((t) => t.key)).toEqual([`${p}-four`]);
      const none = await bo.query<Page<Tenant>>("tenants.list", { query: `${p}-nothing-here` });
      expect(none.data).toEqual({ items: [], nextCursor: null });
    });

    it("excludes soft-deleted tenants unless includeDeleted", async () => {
      const p = newKey("del");
      await bo.mutate("tenants.create", { key: `${p}-live`, name: "Live", allowedEmailDomains: [] });
      await bo.mutate("tenants.create", { key: `${p}-gone`, name: "Gone", allowedEmailDomains: [] });
      await bo.mutate("tenants.softDelete", { key: `${p}-gone` });
      const live = await bo.query<Page<Tenant>>("tenants.list", { query: p });
      expect(live.data.items.map((t) => t.key)).toEqual([`${p}-live`]);
      const all = await bo.query<Page<Tenant>>("tenants.list", { query: p, includeDeleted: true });
      expect(all.data.items.map((t) => t.key)).toEqual([`${p}-gone`, `${p}-live`]);
      expect(all.data.items[0]?.deletedAt).not.toBeNull();
    });

    it("400 for a bad limit or cursor", async () => {
      for (const input of [{ limit: 0 }, { limit: 101 }, { limit: 2.5 }, { cursor: "garbage!" }, { cursor: Buffer.from('["x","y"]').toString("base64url") }]) {
        const res = await bo.query("tenants.list", input);
        expect([JSON.stringify(input), res.status, res.appCode]).toEqual([JSON.stringify(input), 400, "validation/Invalid"]);
      }
    });
  });
});
