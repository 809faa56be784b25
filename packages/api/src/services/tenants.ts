import { getPrisma, type Prisma, type SocialProvider, type Tenant } from "@gatehouse/db";
import { appError } from "../errors";
import { tenantKeySchema } from "@gatehouse/contract";

/** Tenant lookups every feature starts from (BackOffice's tenant administration is in back-office/tenants.ts). */

type Db = Pick<Prisma.TransactionClient, "tenant">;

/** A live (not soft-deleted) tenant, or 404 tenant/NotFound. Every way in starts here. */
export async function findLiveTenant(db: Db, key: string): Promise<Tenant> {
  const tenant = await db.tenant.findUnique({ where: { key } });
  if (!tenant || tenant.deletedAt) throw appError("tenant/NotFound");
  return tenant;
}

/** Any tenant with this key, soft-deleted ones too; 404 tenant/NotFound otherwise. */
export async function findTenantIncludingDeleted(db: Db, key: string): Promise<Tenant> {
  const tenant = await db.tenant.findUnique({ where: { key } });
  if (!tenant) throw appError("tenant/NotFound");
  return tenant;
}

/** What the demo product page needs to know of a live tenant: which ways in to offer. */
export interface LiveTenantSummary {
  key: string;
  name: string;
  /** `clientPasswordless.*` is on (the email-code button shows only then). */
  emailCodeSignIn: boolean;
  /** The providers configured and enabled for the tenant, in a fixed order (Google, Kakao, Naver). */
  socialProviders: SocialProvider[];
}

const providerOrder: readonly SocialProvider[] = ["google", "kakao", "naver"];

/**
 * The public face of a live tenant (its key, name and enabled ways in), or null: what a page of
 * this app may show without a session (the demo product page checks its tenant up front instead
 * of failing after the whole form is filled, and offers only the buttons that work). Nothing
 * secret: no credentials, no redirect URIs. A key that cannot be a tenant key is null without a query.
 */
export async function liveTenantSummary(key: string): Promise<LiveTenantSummary | null> {
  const parsed = tenantKeySchema.safeParse(key);
  if (!parsed.success) return null;
  const tenant = await getPrisma().tenant.findUnique({
    where: { key: parsed.data },
    select: {
      key: true,
      name: true,
      deletedAt: true,
      emailCodeSignIn: true,
      socialProviders: { where: { enabled: true }, select: { provider: true } },
    },
  });
  if (!tenant || tenant.deletedAt) return null;
  const enabled = new Set(tenant.socialProviders.map((row) => row.provider));
  return {
    key: tenant.key,
    name: tenant.name,
    emailCodeSignIn: tenant.emailCodeSignIn,
    socialProviders: providerOrder.filter((provider) => enabled.has(provider)),
  };
}
