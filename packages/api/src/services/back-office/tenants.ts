import type { tenantStatsSchema } from "@gatehouse/contract";
import type { z } from "zod";
import { getPrisma, isUniqueViolation, type Locale } from "@gatehouse/db";
import { invalidateCorsOrigins } from "../cors-origins";
import { appError } from "../../errors";
import { auditStaffAction } from "../audit";
import { tenantDtoInclude, toTenantDto, type TenantDto } from "../dto";
import { sentLast24h } from "../message-stats";
import type { StaffCaller } from "./caller";
import { afterCreatedCursor, containsInsensitive, createdOrder, encodeCreatedCursor, toPage, type Page } from "./pagination";

export async function listTenants(input: {
  query?: string | undefined;
  includeDeleted?: boolean | undefined;
  cursor?: string | null | undefined;
  limit: number;
}): Promise<Page<TenantDto>> {
  const rows = await getPrisma().tenant.findMany({
    where: {
      AND: [
        input.includeDeleted ? {} : { deletedAt: null },
        input.query ? { OR: [{ key: containsInsensitive(input.query) }, { name: containsInsensitive(input.query) }] } : {},
        afterCreatedCursor(input.cursor),
      ],
    },
    orderBy: createdOrder,
    take: input.limit + 1,
    include: tenantDtoInclude,
  });
  return toPage(rows, input.limit, encodeCreatedCursor, toTenantDto);
}

export async function getTenant(key: string): Promise<TenantDto> {
  const tenant = await getPrisma().tenant.findUnique({ where: { key }, include: tenantDtoInclude });
  if (!tenant) throw appError("tenant/NotFound");
  return toTenantDto(tenant);
}

export interface TenantFields {
  name: string;
  allowedEmailDomains: string[];
  locale: Locale;
  appUrl: string | null;
  /** CONTRACT v2 sign-in methods. */
  passwordSignUp: boolean;
  emailCodeSignIn: boolean;
  /** CONTRACT v2: where a social sign-in may return to. */
  redirectUris: string[];
  /** CONTRACT v2: countries whose phone numbers the tenant accepts. */
  phoneCountries: string[];
}

export async function createTenant(caller: StaffCaller, input: TenantFields & { key: string }): Promise<TenantDto> {
  try {
    const tenant = await getPrisma().$transaction(async (tx) => {
      const created = await tx.tenant.create({ data: input, include: tenantDtoInclude });
      await auditStaffAction(tx, caller, "tenant.created", { tenant: created, target: { tenant: created.key } });
      return created;
    });
    invalidateCorsOrigins();
    return toTenantDto(tenant);
  } catch (error) {
    // The unique index decides, deleted tenants included (a key is never reused).
    if (isUniqueViolation(error)) throw appError("tenant/KeyDuplicated");
    throw error;
  }
}

/** Changes a live tenant's settings (a soft-deleted one is 404 until it is restored). */
export async function updateTenant(caller: StaffCaller, key: string, changes: Partial<TenantFields>): Promise<TenantDto> {
  const changed = Object.keys(changes).filter((field) => changes[field as keyof TenantFields] !== undefined);
  const tenant = await getPrisma().$transaction(async (tx) => {
    const current = await tx.tenant.findUnique({ where: { key }, include: tenantDtoInclude });
    if (!current || current.deletedAt) throw appError("tenant/NotFound");
    const updated = await tx.tenant.update({ where: { id: current.id }, data: changes, include: tenantDtoInclude });
    await auditStaffAction(tx, caller, "tenant.updated", { tenant: updated, target: { tenant: updated.key }, details: { changed } });
    return updated;
  });
  invalidateCorsOrigins(); // appUrl, redirectUris and deletion decide which browser origins may call
  return toTenantDto(tenant);
}

/**
 * Soft delete: sets deletedAt and revokes every session of the tenant at once. Idempotent: a
 * second call changes nothing and writes no second audit event.
 */
export async function softDeleteTenant(caller: StaffCaller, key: string): Promise<TenantDto> {
  const tenant = await getPrisma().$transaction(async (tx) => {
    const current = await tx.tenant.findUnique({ where: { key }, include: tenantDtoInclude });
    if (!current) throw appError("tenant/NotFound");
    const now = new Date();
    // Conditional update: of concurrent calls exactly one does the work.
    const marked = await tx.tenant.updateMany({ where: { id: current.id, deletedAt: null }, data: { deletedAt: now } });
    if (marked.count === 0) return current;
    const revoked = await tx.session.updateMany({
      where: { tenantId: current.id, revokedAt: null },
      data: { revokedAt: now, revokedReason: "tenant_deleted" },
    });
    await auditStaffAction(tx, caller, "tenant.deleted", {
      tenant: current,
      target: { tenant: current.key },
      details: { sessionsRevoked: revoked.count },
    });
    return { ...current, deletedAt: now };
  });
  invalidateCorsOrigins(); // appUrl, redirectUris and deletion decide which browser origins may call
  return toTenantDto(tenant);
}

/** Clears deletedAt; revives no session (they were revoked, not suspended). Idempotent. */
export async function restoreTenant(caller: StaffCaller, key: string): Promise<TenantDto> {
  const tenant = await getPrisma().$transaction(async (tx) => {
    const current = await tx.tenant.findUnique({ where: { key }, include: tenantDtoInclude });
    if (!current) throw appError("tenant/NotFound");
    const cleared = await tx.tenant.updateMany({ where: { id: current.id, deletedAt: { not: null } }, data: { deletedAt: null } });
    if (cleared.count === 0) return current;
    await auditStaffAction(tx, caller, "tenant.restored", { tenant: current, target: { tenant: current.key } });
    return { ...current, deletedAt: null };
  });
  invalidateCorsOrigins(); // appUrl, redirectUris and deletion decide which browser origins may call
  return toTenantDto(tenant);
}

/**
 * CONTRACT v2 `backOffice.tenants.stats`: live users, live sessions (not revoked, neither their
 * refresh token nor the family past its end) and the texts and code mails of the last 24 hours.
 * A soft-deleted tenant is found, as by tenants.get (its message counts still matter to an operator),
 * and has no live sessions: none of its sessions works while it is deleted.
 */
export async function getTenantStats(key: string): Promise<z.infer<typeof tenantStatsSchema>> {
  const prisma = getPrisma();
  const tenant = await prisma.tenant.findUnique({ where: { key }, select: { id: true, deletedAt: true } });
  if (!tenant) throw appError("tenant/NotFound");
  const now = new Date();
  const [users, liveSessions, sent] = await Promise.all([
    prisma.user.count({ where: { tenantId: tenant.id, deletedAt: null } }),
    tenant.deletedAt
      ? Promise.resolve(0)
      : prisma.session.count({
          where: {
            tenantId: tenant.id,
            revokedAt: null,
            expiresAt: { gt: now },
            refreshTokenExpiresAt: { gt: now },
            user: { deletedAt: null },
          },
        }),
    sentLast24h(tenant.id),
  ]);
  return { users, liveSessions, smsSentLast24h: sent.sms, codeMailsSentLast24h: sent.codeMail };
}
