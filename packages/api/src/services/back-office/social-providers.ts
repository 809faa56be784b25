import { getPrisma, type SocialProvider } from "@gatehouse/db";
import { auditStaffAction } from "../audit";
import { toSocialProviderDto, type SocialProviderDto } from "../dto";
import { sealClientSecret } from "../social/credentials";
import { findLiveTenant } from "../tenants";
import type { StaffCaller } from "./caller";

/**
 * CONTRACT v2 `backOffice.socialProviders`: a tenant's credentials at Google, Kakao and Naver.
 * The client secret is write-only: sealed with AUTH_SECRET before it is stored, answered only as
 * `hasClientSecret`, and never written to the audit log (its details name the fields that
 * changed, never a value of the secret).
 */

/** A live tenant's providers, in the enum's order (google, kakao, naver). */
export async function listSocialProviders(tenantKey: string): Promise<{ items: SocialProviderDto[] }> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, tenantKey);
  const rows = await prisma.tenantSocialProvider.findMany({ where: { tenantId: tenant.id }, orderBy: { provider: "asc" } });
  return { items: rows.map(toSocialProviderDto) };
}

export interface SocialProviderSettings {
  tenantKey: string;
  provider: SocialProvider;
  clientId: string;
  /** Left out: the stored secret is kept (none on a new entry). */
  clientSecret?: string | undefined;
  /** Left out: none. */
  nativeClientIds?: string[] | undefined;
  /** Left out or empty: the provider's default scopes (stored as `[]`). */
  scopes?: string[] | undefined;
  enabled: boolean;
}

/**
 * Creates or replaces a tenant's settings at one provider. `set` replaces every field it is given
 * and the ones it may leave out fall back to their defaults, except the secret: an admin who
 * edits the client id or the scopes cannot read the secret back, so leaving it out keeps it.
 */
export async function setSocialProvider(caller: StaffCaller, input: SocialProviderSettings): Promise<SocialProviderDto> {
  const prisma = getPrisma();
  const fields = {
    clientId: input.clientId,
    nativeClientIds: input.nativeClientIds ?? [],
    scopes: input.scopes ?? [],
    enabled: input.enabled,
    ...(input.clientSecret !== undefined ? { clientSecretSealed: sealClientSecret(input.clientSecret) } : {}),
  };
  const row = await prisma.$transaction(async (tx) => {
    const tenant = await findLiveTenant(tx, input.tenantKey);
    const where = { tenantId_provider: { tenantId: tenant.id, provider: input.provider } };
    const before = await tx.tenantSocialProvider.findUnique({ where });
    const saved = await tx.tenantSocialProvider.upsert({
      where,
      create: { tenantId: tenant.id, provider: input.provider, ...fields },
      update: fields,
    });
    await auditStaffAction(tx, caller, "tenant.socialProviderUpdated", {
      tenant,
      target: { tenant: tenant.key },
      details: {
        provider: input.provider,
        created: before === null,
        changed: changedFields(before, saved, input.clientSecret !== undefined),
        enabled: saved.enabled,
      },
    });
    return saved;
  });
  return toSocialProviderDto(row);
}

type Stored = { clientId: string; nativeClientIds: string[]; scopes: string[]; enabled: boolean };

/** The names of the fields this `set` changed; a newly given secret counts as changed (its value is never compared or logged). */
function changedFields(before: Stored | null, after: Stored, secretGiven: boolean): string[] {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const changed: string[] = [];
  if (before?.clientId !== after.clientId) changed.push("clientId");
  if (secretGiven) changed.push("clientSecret");
  if (!before || !same(before.nativeClientIds, after.nativeClientIds)) changed.push("nativeClientIds");
  if (!before || !same(before.scopes, after.scopes)) changed.push("scopes");
  if (before?.enabled !== after.enabled) changed.push("enabled");
  return changed;
}

/** Removes a tenant's settings at one provider; idempotent (audited once). Linked identities stay. */
export async function removeSocialProvider(
  caller: StaffCaller,
  input: { tenantKey: string; provider: SocialProvider },
): Promise<{ success: true }> {
  await getPrisma().$transaction(async (tx) => {
    const tenant = await findLiveTenant(tx, input.tenantKey);
    const removed = await tx.tenantSocialProvider.deleteMany({ where: { tenantId: tenant.id, provider: input.provider } });
    if (removed.count === 0) return;
    await auditStaffAction(tx, caller, "tenant.socialProviderRemoved", {
      tenant,
      target: { tenant: tenant.key },
      details: { provider: input.provider },
    });
  });
  return { success: true };
}
