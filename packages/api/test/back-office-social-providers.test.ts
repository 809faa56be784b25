import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { findProviderCredentials } from "../src/services/social/credentials";
import { auditActionsFor, expectError, expectInvalidField, hasRedis, unique, useServer, type RouterInputs } from "./kit";

type SetInput = RouterInputs["backOffice"]["socialProviders"]["set"];

const newKey = () => unique("sp").toLowerCase().slice(0, 32);

/** CONTRACT v2 "backOffice additions": socialProviders.list / set / remove. */
describe.skipIf(!hasRedis)("backOffice.socialProviders", () => {
  const suite = useServer({ staff: true });
  const { bo } = suite;

  async function newTenant(): Promise<string> {
    const key = newKey();
    await bo.tenants.create.mutate({ key, name: "Social", allowedEmailDomains: [] });
    return key;
  }

  it("set creates with the defaults, answers the secret only as hasClientSecret, seals it at rest", async () => {
    const tenantKey = await newTenant();
    const clientSecret = `GOCSPX-${unique("secret")}`;
    const set = await bo.socialProviders.set.mutate({
      tenantKey: tenantKey.toUpperCase(),
      provider: "google",
      clientId: "  web.apps.googleusercontent.com ",
      clientSecret,
      enabled: true,
    });
    expect(set).toEqual({
      provider: "google",
      clientId: "web.apps.googleusercontent.com",
      hasClientSecret: true,
      nativeClientIds: [],
      scopes: ["openid", "email", "profile"],
      enabled: true,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(JSON.stringify(set)).not.toContain(clientSecret);

    const row = await getPrisma().tenantSocialProvider.findFirstOrThrow({ where: { tenant: { key: tenantKey } } });
    expect(row.clientSecretSealed).toEqual(expect.any(String));
    expect(row.clientSecretSealed).not.toContain(clientSecret);
    expect(row.scopes).toEqual([]); // the default is not frozen into the row
    // The flow services open it again with the same key.
    const tenant = await getPrisma().tenant.findUniqueOrThrow({ where: { key: tenantKey } });
    expect(await findProviderCredentials(getPrisma(), tenant.id, "google")).toMatchObject({ clientId: set.clientId, clientSecret });

    const listed = await suite.viewer.api.backOffice.socialProviders.list.query({ tenantKey });
    expect(listed).toEqual({ items: [set] });
    expect((await bo.tenants.get.query({ key: tenantKey })).socialProviders).toEqual([{ provider: "google", enabled: true }]);
  });

  it("each provider's default scopes; given scopes and native ids are kept as given, duplicates dropped", async () => {
    const tenantKey = await newTenant();
    const kakao = await bo.socialProviders.set.mutate({ tenantKey, provider: "kakao", clientId: "rest-api-key", enabled: true });
    expect(kakao).toMatchObject({ scopes: ["profile_nickname"], hasClientSecret: false, nativeClientIds: [] });
    const naver = await bo.socialProviders.set.mutate({
      tenantKey,
      provider: "naver",
      clientId: "naver-id",
      clientSecret: "s",
      enabled: false,
    });
    expect(naver).toMatchObject({ scopes: [], hasClientSecret: true, enabled: false });
    const business = await bo.socialProviders.set.mutate({
      tenantKey,
      provider: "kakao",
      clientId: "rest-api-key",
      nativeClientIds: ["1234567", " 1234567 ", "7654321"],
      scopes: ["profile_nickname", "account_email", "account_email"],
      enabled: true,
    });
    expect(business).toMatchObject({ nativeClientIds: ["1234567", "7654321"], scopes: ["profile_nickname", "account_email"] });
    // An empty list is the default again.
    const reset = await bo.socialProviders.set.mutate({
      tenantKey,
      provider: "kakao",
      clientId: "rest-api-key",
      scopes: [],
      enabled: true,
    });
    expect(reset.scopes).toEqual(["profile_nickname"]);
    const listed = await bo.socialProviders.list.query({ tenantKey });
    expect(listed.items.map((p) => p.provider)).toEqual(["kakao", "naver"]);
    expect((await bo.tenants.get.query({ key: tenantKey })).socialProviders).toEqual([
      { provider: "kakao", enabled: true },
      { provider: "naver", enabled: false },
    ]);
  });

  it("set replaces: leaving out clientSecret keeps the stored one, leaving out the lists resets them; a new secret replaces it", async () => {
    const tenantKey = await newTenant();
    const first = `first-${unique("s")}`;
    const base = { tenantKey, provider: "google", clientId: "web-1" } as const;
    await bo.socialProviders.set.mutate({
      ...base,
      clientSecret: first,
      nativeClientIds: ["android-1"],
      scopes: ["openid"],
      enabled: true,
    });
    const tenant = await getPrisma().tenant.findUniqueOrThrow({ where: { key: tenantKey } });
    const sealedBefore = (await getPrisma().tenantSocialProvider.findFirstOrThrow({ where: { tenantId: tenant.id } })).clientSecretSealed;

    const kept = await bo.socialProviders.set.mutate({ ...base, clientId: "web-2", enabled: false });
    expect(kept).toMatchObject({ clientId: "web-2", hasClientSecret: true, nativeClientIds: [], scopes: ["openid", "email", "profile"] });
    const row = await getPrisma().tenantSocialProvider.findFirstOrThrow({ where: { tenantId: tenant.id } });
    expect(row.clientSecretSealed).toBe(sealedBefore);
    expect((await findProviderCredentials(getPrisma(), tenant.id, "google"))?.clientSecret).toBe(first);

    const second = `second-${unique("s")}`;
    await bo.socialProviders.set.mutate({ ...base, clientSecret: second, enabled: true });
    expect((await findProviderCredentials(getPrisma(), tenant.id, "google"))?.clientSecret).toBe(second);
    expect(await getPrisma().tenantSocialProvider.count({ where: { tenantId: tenant.id } })).toBe(1);
  });

  it("audits set and remove with the fields that changed, never the secret; remove is idempotent", async () => {
    const tenantKey = await newTenant();
    const clientSecret = `audit-${unique("secret")}`;
    await bo.socialProviders.set.mutate({ tenantKey, provider: "naver", clientId: "nv", clientSecret, enabled: true });
    await bo.socialProviders.set.mutate({ tenantKey, provider: "naver", clientId: "nv", enabled: false });
    expect(await bo.socialProviders.remove.mutate({ tenantKey, provider: "naver" })).toEqual({ success: true });
    expect(await bo.socialProviders.remove.mutate({ tenantKey, provider: "naver" })).toEqual({ success: true });
    expect(await bo.socialProviders.list.query({ tenantKey })).toEqual({ items: [] });
    expect((await bo.tenants.get.query({ key: tenantKey })).socialProviders).toEqual([]);

    expect(await auditActionsFor(`tenant:${tenantKey}`)).toEqual([
      "tenant.created",
      "tenant.socialProviderUpdated",
      "tenant.socialProviderUpdated",
      "tenant.socialProviderRemoved",
    ]);
    const events = await getPrisma().auditEvent.findMany({ where: { target: `tenant:${tenantKey}` }, orderBy: { id: "asc" } });
    expect(events[1]).toMatchObject({
      actorId: suite.admin.id,
      tenantKey,
      ip: suite.ip,
      details: {
        provider: "naver",
        created: true,
        changed: ["clientId", "clientSecret", "nativeClientIds", "scopes", "enabled"],
        enabled: true,
      },
    });
    expect(events[2]?.details).toEqual({ provider: "naver", created: false, changed: ["enabled"], enabled: false });
    expect(events[3]?.details).toEqual({ provider: "naver" });
    const sealed = (await getPrisma().auditEvent.findMany({ where: { target: `tenant:${tenantKey}` }, select: { details: true } })).map(
      (event) => JSON.stringify(event.details),
    );
    for (const details of sealed) {
      expect(details).not.toContain(clientSecret);
      expect(details).not.toMatch(/v1\.[\w-]+\./); // nor the sealed form
    }
  });

  it("a viewer may list but not set or remove (403 auth/Forbidden); no staff session is 401", async () => {
    const tenantKey = await newTenant();
    const viewer = suite.viewer.api.backOffice.socialProviders;
    await expectError(viewer.set.mutate({ tenantKey, provider: "google", clientId: "x", enabled: true }), "auth/Forbidden");
    await expectError(viewer.remove.mutate({ tenantKey, provider: "google" }), "auth/Forbidden");
    expect(await viewer.list.query({ tenantKey })).toEqual({ items: [] });
    const anonymous = suite.staffCaller(undefined).backOffice.socialProviders;
    await expectError(anonymous.list.query({ tenantKey }), "auth/Unauthenticated");
    await expectError(anonymous.set.mutate({ tenantKey, provider: "google", clientId: "x", enabled: true }), "auth/Unauthenticated");
    expect(await getPrisma().tenantSocialProvider.count({ where: { tenant: { key: tenantKey } } })).toBe(0);
  });

  it("404 tenant/NotFound for an unknown or soft-deleted tenant", async () => {
    const unknown = newKey();
    await expectError(bo.socialProviders.list.query({ tenantKey: unknown }), "tenant/NotFound");
    await expectError(
      bo.socialProviders.set.mutate({ tenantKey: unknown, provider: "kakao", clientId: "k", enabled: true }),
      "tenant/NotFound",
    );
    await expectError(bo.socialProviders.remove.mutate({ tenantKey: unknown, provider: "kakao" }), "tenant/NotFound");
    const tenantKey = await newTenant();
    await bo.socialProviders.set.mutate({ tenantKey, provider: "kakao", clientId: "k", enabled: true });
    await bo.tenants.softDelete.mutate({ key: tenantKey });
    await expectError(bo.socialProviders.list.query({ tenantKey }), "tenant/NotFound");
    await expectError(bo.socialProviders.set.mutate({ tenantKey, provider: "kakao", clientId: "k2", enabled: true }), "tenant/NotFound");
    await expectError(bo.socialProviders.remove.mutate({ tenantKey, provider: "kakao" }), "tenant/NotFound");
    // Restored, the settings are still there.
    await bo.tenants.restore.mutate({ key: tenantKey });
    expect((await bo.socialProviders.list.query({ tenantKey })).items).toMatchObject([{ provider: "kakao", clientId: "k" }]);
  });

  it("400 validation/Invalid on the offending field, nothing stored", async () => {
    const tenantKey = await newTenant();
    const ok = { tenantKey, provider: "google", clientId: "id", enabled: true };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, provider: "facebook" }, "provider"],
      [{ ...ok, clientId: "   " }, "clientId"],
      [{ ...ok, clientId: "x".repeat(257) }, "clientId"],
      [{ ...ok, clientSecret: "" }, "clientSecret"],
      [{ ...ok, clientSecret: "  " }, "clientSecret"],
      [{ ...ok, clientSecret: "s".repeat(513) }, "clientSecret"],
      [{ ...ok, scopes: ["two words"] }, "scopes"],
      [{ ...ok, scopes: ['quo"te'] }, "scopes"],
      [{ ...ok, nativeClientIds: [""] }, "nativeClientIds"],
      [{ ...ok, nativeClientIds: Array.from({ length: 21 }, (_, i) => `n${i}`) }, "nativeClientIds"],
      [{ ...ok, enabled: "yes" }, "enabled"],
      [{ tenantKey, provider: "google", clientId: "id" }, "enabled"],
      [{ ...ok, tenantKey: "!!" }, "tenantKey"],
    ];
    for (const [input, field] of cases) {
      // Some of these inputs the types refuse: on purpose.
      await expectInvalidField(bo.socialProviders.set.mutate(input as unknown as SetInput), field);
    }
    await expectInvalidField(bo.socialProviders.remove.mutate({ tenantKey, provider: "line" as "google" }), "provider");
    expect(await getPrisma().tenantSocialProvider.count({ where: { tenant: { key: tenantKey } } })).toBe(0);
  });
});
