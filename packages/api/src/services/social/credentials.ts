import type { PrismaClient, SocialProvider } from "@gatehouse/db";
import { getConfig } from "../../config";
import { open, seal } from "../../lib/secret-box";
import type { ProviderCredentials } from "./provider";

/** secret-box purpose of the tenants' provider client secrets (its own key, like the signing keys'). */
const PURPOSE = "social-client-secret";

function secrets(): string[] {
  const { authSecret, authSecretPrevious } = getConfig();
  if (!authSecret) throw new Error("AUTH_SECRET is not configured");
  return authSecretPrevious ? [authSecret, authSecretPrevious] : [authSecret];
}

/** Seals a client secret for `TenantSocialProvider.clientSecretSealed`. */
export function sealClientSecret(secret: string): string {
  return seal(secret, secrets()[0]!, PURPOSE);
}

/** A tenant's credentials at `provider` and whether they are enabled, or null when none are stored. */
export async function findProviderCredentials(
  db: Pick<PrismaClient, "tenantSocialProvider">,
  tenantId: string,
  provider: SocialProvider,
): Promise<(ProviderCredentials & { enabled: boolean }) | null> {
  const row = await db.tenantSocialProvider.findUnique({ where: { tenantId_provider: { tenantId, provider } } });
  if (!row) return null;
  return {
    provider: row.provider,
    clientId: row.clientId,
    clientSecret: row.clientSecretSealed ? open(row.clientSecretSealed, secrets(), PURPOSE) : undefined,
    nativeClientIds: row.nativeClientIds,
    scopes: row.scopes,
    enabled: row.enabled,
  };
}
