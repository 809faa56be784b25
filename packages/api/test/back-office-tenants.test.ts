import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import {
  auditActionsFor,
  expectError,
  expectInvalidField,
  hasRedis,
  unique,
  useServer,
  type RouterInputs,
  type RouterOutputs,
} from "./kit";

type Tenant = RouterOutputs["backOffice"]["tenants"]["get"];
type Page = RouterOutputs["backOffice"]["tenants"]["list"];

const newKey = (prefix = "tn") => unique(prefix).toLowerCase();

describe.skipIf(!hasRedis)("backOffice.tenants", () => {
  const suite = useServer({ staff: true });
  const { ip, client, bo } = suite;

  describe("create", () => {
    it("normalizes the key, the domains and the app URL; locale defaults to ko", async () => {
      const key = newKey();
      const created = await bo.tenants.create.mutate({
        key: `  ${key.toUpperCase()} `,
        name: "  Acme Corp  ",
        allowedEmailDomains: [" Example.COM ", "example.com", "Sub.Example.org", "EXAMPLE.com"],
        appUrl: "https://App.Acme.example:8443/dashboard/?x=1#top",
      });
      expect(created).toEqual({
        id: expect.any(String),
        key,
        name: "Acme Corp",
        allowedEmailDomains: ["example.com", "sub.example.org"],
        locale: "ko",
        appUrl: "https://app.acme.example:8443",
        passwordSignUp: true,
        emailCodeSignIn: false,
        redirectUris: [],
        phoneCountries: ["KR"],
        socialProviders: [],
        deletedAt: null,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const row = await getPrisma().tenant.findUniqueOrThrow({ where: { key } });
      expect(row.allowedEmailDomains).toEqual(["example.com", "sub.example.org"]);
      expect(row.appUrl).toBe("https://app.acme.example:8443");
    });

    it("accepts locale en, an empty domain list and no appUrl", async () => {
      const key = newKey();
      const created = await bo.tenants.create.mutate({ key, name: "English", allowedEmailDomains: [], locale: "en" });
      expect(created).toMatchObject({ key, locale: "en", allowedEmailDomains: [], appUrl: null });
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
        [
          { key: newKey(), name: "x", allowedEmailDomains: Array.from({ length: 101 }, (_, i) => `d${i}.example.com`) },
          ["allowedEmailDomains"],
        ],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], locale: "fr" }, ["locale"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], appUrl: "ftp://files.example.com" }, ["appUrl"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], appUrl: "javascript:alert(1)" }, ["appUrl"]],
        [{ key: newKey(), name: "x", allowedEmailDomains: [], appUrl: "not a url" }, ["appUrl"]],
      ];
      for (const [input, path] of cases) {
        // Some of these inputs the types refuse: on purpose.
        const res = await expectError(
          bo.tenants.create.mutate(input as RouterInputs["backOffice"]["tenants"]["create"]),
          "validation/Invalid",
        );
        expect((res.data.issues ?? []).map((i) => i.path)).toContainEqual(path);
      }
    });

    it("409 tenant/KeyDuplicated for a taken key, deleted tenants included", async () => {
      const key = newKey();
      await bo.tenants.create.mutate({ key, name: "First", allowedEmailDomains: [] });
      await expectError(
        bo.tenants.create.mutate({ key: key.toUpperCase(), name: "Second", allowedEmailDomains: [] }),
        "tenant/KeyDuplicated",
      );
      await bo.tenants.softDelete.mutate({ key });
      await expectError(bo.tenants.create.mutate({ key, name: "Third", allowedEmailDomains: [] }), "tenant/KeyDuplicated");
      expect(await getPrisma().tenant.count({ where: { key } })).toBe(1);
    });

    it("is audited: tenant.created by the acting staff member, with tenant, target and IP", async () => {
      const key = newKey();
      await bo.tenants.create.mutate({ key, name: "Audited", allowedEmailDomains: [] });
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
      const created = await bo.tenants.create.mutate({ key, name: "Gettable", allowedEmailDomains: ["a.example"] });
      const got = await suite.viewer.api.backOffice.tenants.get.query({ key: key.toUpperCase() });
      expect(got).toEqual(created);
      await bo.tenants.softDelete.mutate({ key });
      const deleted = await bo.tenants.get.query({ key });
      expect(deleted.deletedAt).not.toBeNull();
      await expectError(bo.tenants.get.query({ key: newKey() }), "tenant/NotFound");
      await expectError(bo.tenants.get.query({ key: "!!" }), "validation/Invalid");
    });

    it("update changes only the given fields, normalizes them, clears appUrl with null; audited", async () => {
      const key = newKey();
      const created = await bo.tenants.create.mutate({
        key,
        name: "Before",
        allowedEmailDomains: ["before.example"],
        appUrl: "http://localhost:5173",
      });
      expect(created.appUrl).toBe("http://localhost:5173");
      const renamed = await bo.tenants.update.mutate({ key, name: " After " });
      expect(renamed).toEqual({ ...created, name: "After" });
      const changed = await bo.tenants.update.mutate({
        key,
        allowedEmailDomains: ["B.example", "b.example ", "c.example"],
        locale: "en",
        appUrl: "https://new.example/path",
      });
      expect(changed).toMatchObject({
        name: "After",
        allowedEmailDomains: ["b.example", "c.example"],
        locale: "en",
        appUrl: "https://new.example",
      });
      const cleared = await bo.tenants.update.mutate({ key, appUrl: null, allowedEmailDomains: [] });
      expect(cleared).toMatchObject({ appUrl: null, allowedEmailDomains: [], locale: "en" });
      expect(await auditActionsFor(`tenant:${key}`)).toEqual(["tenant.created", "tenant.updated", "tenant.updated", "tenant.updated"]);
      const events = await getPrisma().auditEvent.findMany({
        where: { target: `tenant:${key}`, action: "tenant.updated" },
        orderBy: { id: "asc" },
      });
      expect(events[0]?.details).toEqual({ changed: ["name"] });
    });

    it("update: 404 for an unknown or soft-deleted tenant, 400 for invalid fields", async () => {
      await expectError(bo.tenants.update.mutate({ key: newKey(), name: "x" }), "tenant/NotFound");
      const key = newKey();
      await bo.tenants.create.mutate({ key, name: "Soon deleted", allowedEmailDomains: [] });
      const invalid = await expectError(
        bo.tenants.update.mutate({ key, allowedEmailDomains: ["ok.example", "bad_domain"] }),
        "validation/Invalid",
      );
      expect(invalid.data.issues?.[0]?.path).toEqual(["allowedEmailDomains", 1]);
      await bo.tenants.softDelete.mutate({ key });
      await expectError(bo.tenants.update.mutate({ key, name: "x" }), "tenant/NotFound");
    });
  });

  describe("redirectUris (CONTRACT v2)", () => {
    const accepted = [
      "https://app.example.com/auth/callback",
      "https://app.example.com/auth/callback?from=gatehouse",
      "http://localhost:5173/callback",
      "http://127.0.0.1/cb",
      "http://[::1]:8080/cb",
      "com.example.app:/oauth",
      "com.example.app:/oauth2redirect/kakao",
    ];

    it("create and update store them as given, duplicates dropped, first kept; [] clears them", async () => {
      const key = newKey();
      const created = await bo.tenants.create.mutate({
        key,
        name: "Redirects",
        allowedEmailDomains: [],
        redirectUris: [...accepted, accepted[0]!, accepted[5]!],
      });
      expect(created.redirectUris).toEqual(accepted);
      expect((await getPrisma().tenant.findUniqueOrThrow({ where: { key } })).redirectUris).toEqual(accepted);
      expect(await bo.tenants.get.query({ key })).toEqual(created);

      const renamed = await bo.tenants.update.mutate({ key, name: "Renamed" });
      expect(renamed.redirectUris).toEqual(accepted); // left out: kept
      const updated = await bo.tenants.update.mutate({ key, redirectUris: ["https://b.example/cb", "https://a.example/cb"] });
      expect(updated.redirectUris).toEqual(["https://b.example/cb", "https://a.example/cb"]);
      const events = await getPrisma().auditEvent.findMany({
        where: { target: `tenant:${key}`, action: "tenant.updated" },
        orderBy: { id: "asc" },
      });
      expect(events.at(-1)?.details).toEqual({ changed: ["redirectUris"] });
      expect((await bo.tenants.update.mutate({ key, redirectUris: [] })).redirectUris).toEqual([]);

      const twenty = Array.from({ length: 20 }, (_, i) => `https://app.example.com/cb/${i}`);
      expect((await bo.tenants.update.mutate({ key, redirectUris: twenty })).redirectUris).toEqual(twenty);
      // 21 with one duplicate is 20 distinct: the cap counts what is sent.
      await expectInvalidField(bo.tenants.update.mutate({ key, redirectUris: [...twenty, twenty[0]!] }), "redirectUris");
      const fresh = newKey();
      expect((await bo.tenants.create.mutate({ key: fresh, name: "No redirects", allowedEmailDomains: [] })).redirectUris).toEqual([]);
    });

    it("400 validation/Invalid on the offending entry, with a message saying why; nothing stored", async () => {
      const key = newKey();
      await bo.tenants.create.mutate({ key, name: "Refusals", allowedEmailDomains: [], redirectUris: ["https://kept.example/cb"] });
      const refused = [
        "http://app.example.com/cb", // plain http off loopback
        "https://app.example.com/cb#fragment",
        "https://user:pass@app.example.com/cb",
        "https://user@app.example.com/cb",
        "/relative/callback",
        "app.example.com/cb",
        "myapp:/oauth", // a private-use scheme must be reverse-DNS
        "javascript:alert(1)",
        "https://app.example.com/with space",
        "ftp://files.example.com/cb",
        `https://app.example.com/${"x".repeat(2048)}`,
        "",
      ];
      for (const uri of refused) {
        const answer = await expectError(
          bo.tenants.update.mutate({ key, redirectUris: ["https://ok.example/cb", uri] }),
          "validation/Invalid",
        );
        const issue = (answer.data.issues ?? []).find((i) => i.path[0] === "redirectUris");
        expect(issue?.path, uri).toEqual(["redirectUris", 1]);
        expect(issue?.message, uri).toEqual(expect.stringMatching(/\w/));
        await expectError(
          bo.tenants.create.mutate({ key: newKey(), name: "x", allowedEmailDomains: [], redirectUris: [uri] }),
          "validation/Invalid",
        );
      }
      await expectInvalidField(
        bo.tenants.update.mutate({ key, redirectUris: Array.from({ length: 21 }, (_, i) => `https://app.example.com/${i}`) }),
        "redirectUris",
      );
      await expectInvalidField(
        bo.tenants.update.mutate({ key, redirectUris: "https://app.example.com/cb" as unknown as string[] }),
        "redirectUris",
      );
      expect((await bo.tenants.get.query({ key })).redirectUris).toEqual(["https://kept.example/cb"]);
    });
  });

  describe("softDelete and restore", () => {
    it("soft delete revokes the tenant's sessions; both are idempotent; restore revives no session", async () => {
      const key = newKey();
      await bo.tenants.create.mutate({ key, name: "Deletable", allowedEmailDomains: [] });
      const user = { tenantKey: key, userId: "enduser", password: "a sturdy passphrase 1" };
      const signUp = await client.api.clientAuth.signUp.mutate({ ...user, displayName: "End User", email: "end@example.com" });
      const endUser = client.as(signUp.accessToken);
      await endUser.clientAuth.me.query();

      const first = await bo.tenants.softDelete.mutate({ key });
      expect(first.deletedAt).not.toBeNull();
      const second = await bo.tenants.softDelete.mutate({ key });
      expect(second).toEqual(first);

      await expectError(endUser.clientAuth.me.query(), "auth/Unauthenticated");
      await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: signUp.refreshToken }), "tenant/NotFound");
      await expectError(client.api.clientAuth.signIn.mutate(user), "tenant/NotFound");
      const sessions = await getPrisma().session.findMany({ where: { tenant: { key } } });
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((s) => s.revokedAt !== null && s.revokedReason === "tenant_deleted")).toBe(true);

      const restored = await bo.tenants.restore.mutate({ key });
      expect(restored).toEqual({ ...first, deletedAt: null });
      const restoredAgain = await bo.tenants.restore.mutate({ key });
      expect(restoredAgain).toEqual(restored);

      await expectError(endUser.clientAuth.me.query(), "auth/Unauthenticated");
      await expectError(client.api.clientAuth.refresh.mutate({ refreshToken: signUp.refreshToken }), "auth/InvalidRefreshToken");
      await client.api.clientAuth.signIn.mutate(user);

      // One event per real change, none for the repeated calls.
      expect(await auditActionsFor(`tenant:${key}`)).toEqual(["tenant.created", "tenant.deleted", "tenant.restored"]);
      const deletedEvent = await getPrisma().auditEvent.findFirstOrThrow({ where: { target: `tenant:${key}`, action: "tenant.deleted" } });
      expect(deletedEvent).toMatchObject({ actorId: suite.admin.id, actorLabel: suite.admin.email, tenantKey: key, ip });
    });

    it("404 tenant/NotFound for an unknown key", async () => {
      await expectError(bo.tenants.softDelete.mutate({ key: newKey() }), "tenant/NotFound");
      await expectError(bo.tenants.restore.mutate({ key: newKey() }), "tenant/NotFound");
    });
  });

  describe("list", () => {
    const prefix = newKey("pg");
    const keys: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 25; i++) {
        const key = `${prefix}-${String(i).padStart(2, "0")}`;
        await bo.tenants.create.mutate({ key, name: `Paged ${i}`, allowedEmailDomains: [] });
        keys.push(key);
      }
    });

    async function walk(
      input: RouterInputs["backOffice"]["tenants"]["list"],
      staff = suite.admin,
    ): Promise<{ items: Tenant[]; pages: number }> {
      const items: Tenant[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await staff.api.backOffice.tenants.list.query({ ...input, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.nextCursor;
        pages++;
        expect(pages).toBeLessThan(100);
      } while (cursor);
      return { items, pages };
    }

    it("walks every match exactly once, newest first, in pages of `limit`", async () => {
      const { items, pages } = await walk({ query: prefix, limit: 10 }, suite.viewer);
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
      const first = await bo.tenants.list.query({ query: prefix, limit: 10 });
      expect(first.items).toHaveLength(10);
      expect(typeof first.nextCursor).toBe("string");
      const second = await bo.tenants.list.query({ query: prefix, limit: 10, cursor: first.nextCursor! });
      expect(second.items).toHaveLength(10);
      const third = await bo.tenants.list.query({ query: prefix, limit: 10, cursor: second.nextCursor! });
      expect(third.items).toHaveLength(5);
      expect(third.nextCursor).toBeNull();
      const exact = await bo.tenants.list.query({ query: prefix, limit: 25 });
      expect(exact.items).toHaveLength(25);
      expect(exact.nextCursor).toBeNull();
    });

    it("limit defaults to 20; no input behaves as {}", async () => {
      const res = await bo.tenants.list.query({ query: prefix });
      expect(res.items).toHaveLength(20);
      expect(res.nextCursor).not.toBeNull();
      const bare = await bo.tenants.list.query();
      expect(bare.items.length).toBeGreaterThan(0);
      expect(bare.items.length).toBeLessThanOrEqual(20);
    });

    it("query matches key or name case-insensitively; % and _ are literal", async () => {
      const p = newKey("srch");
      await bo.tenants.create.mutate({ key: `${p}-one`, name: "Zebra Holdings", allowedEmailDomains: [] });
      await bo.tenants.create.mutate({ key: `${p}-two`, name: `${p} 100% juice_bar`, allowedEmailDomains: [] });
      await bo.tenants.create.mutate({ key: `${p}-three`, name: `${p} 1000 juiceXbar`, allowedEmailDomains: [] });
      const keysFor = async (query: string) => (await bo.tenants.list.query({ query })).items.map((t) => t.key);
      expect(await keysFor(`${p}-ONE`)).toEqual([`${p}-one`]);
      expect((await keysFor(`${p.toUpperCase()} 100`)).sort()).toEqual([`${p}-three`, `${p}-two`]);
      expect(await keysFor(`${p} 100%`)).toEqual([`${p}-two`]);
      expect(await keysFor("juice_bar")).toEqual([`${p}-two`]);
      await bo.tenants.create.mutate({ key: `${p}-four`, name: `${p} back\\slash`, allowedEmailDomains: [] });
      expect(await keysFor("k\\sla")).toEqual([`${p}-four`]);
      expect(await bo.tenants.list.query({ query: `${p}-nothing-here` })).toEqual({ items: [], nextCursor: null });
    });

    it("excludes soft-deleted tenants unless includeDeleted", async () => {
      const p = newKey("del");
      await bo.tenants.create.mutate({ key: `${p}-live`, name: "Live", allowedEmailDomains: [] });
      await bo.tenants.create.mutate({ key: `${p}-gone`, name: "Gone", allowedEmailDomains: [] });
      await bo.tenants.softDelete.mutate({ key: `${p}-gone` });
      const live = await bo.tenants.list.query({ query: p });
      expect(live.items.map((t) => t.key)).toEqual([`${p}-live`]);
      const all = await bo.tenants.list.query({ query: p, includeDeleted: true });
      expect(all.items.map((t) => t.key)).toEqual([`${p}-gone`, `${p}-live`]);
      expect(all.items[0]?.deletedAt).not.toBeNull();
    });

    it("400 for a bad limit or cursor", async () => {
      for (const input of [
        { limit: 0 },
        { limit: 101 },
        { limit: 2.5 },
        { cursor: "garbage!" },
        { cursor: Buffer.from('["x","y"]').toString("base64url") },
      ]) {
        await expectError(bo.tenants.list.query(input), "validation/Invalid");
      }
    });
  });
});
