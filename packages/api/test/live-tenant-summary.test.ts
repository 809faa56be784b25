import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { liveTenantSummary } from "../src/services/tenants";
import { createTenant, hasRedis } from "./kit";

/**
 * What the demo product page learns of its tenant before anyone signs in: the ways in to offer
 * (email codes on or off; the providers configured and enabled, in a fixed order) and nothing
 * secret (no credentials, no redirect URIs).
 */
describe.skipIf(!hasRedis)("liveTenantSummary", () => {
  it("names the enabled providers in the order Google, Kakao, Naver, and whether email codes are on", async () => {
    const tenant = await createTenant();
    const prisma = getPrisma();
    expect(await liveTenantSummary(tenant.key)).toEqual({
      key: tenant.key,
      name: tenant.name,
      emailCodeSignIn: false,
      socialProviders: [],
    });

    // Stored out of order, one of them switched off.
    for (const [provider, enabled] of [
      ["naver", true],
      ["kakao", false],
      ["google", true],
    ] as const) {
      await prisma.tenantSocialProvider.create({
        data: { tenantId: tenant.id, provider, clientId: `${provider}-client`, scopes: [], enabled },
      });
    }
    await prisma.tenant.update({
      where: { id: tenant.id },
      data: { emailCodeSignIn: true, redirectUris: ["https://app.example.com/cb"] },
    });
    const summary = await liveTenantSummary(tenant.key);
    expect(summary).toEqual({ key: tenant.key, name: tenant.name, emailCodeSignIn: true, socialProviders: ["google", "naver"] });
    expect(JSON.stringify(summary)).not.toMatch(/client|app\.example/);
  });

  it("is null for a deleted tenant, an unknown key and a key that cannot be one", async () => {
    const tenant = await createTenant();
    await getPrisma().tenant.update({ where: { id: tenant.id }, data: { deletedAt: new Date() } });
    expect(await liveTenantSummary(tenant.key)).toBeNull();
    expect(await liveTenantSummary("no-such-tenant-here")).toBeNull();
    expect(await liveTenantSummary("../../etc")).toBeNull();
  });
});
