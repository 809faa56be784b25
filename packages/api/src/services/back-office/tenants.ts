import { getPrisma, isUniqueViolation, type Locale, type Tenant } from "@gatehouse/db";
import { invalidateCorsOrigins } from "../cors-origins";
import { appError } from "../../errors";
import { audit } from "../audit";
import { staffActor, type StaffCaller } from "./caller";
import { afterCreatedCursor, containsInsensitive, createdOrder, encodeCreatedCursor, toPage, type Page } from "./pagination";

/** The contract's `Tenant`. */
export interface TenantDto {
  id: string;
  key: string;
  name: string;
  allowedEmailDomains: string[];
  locale: Locale;
  appUrl: string | null;
  deletedAt: string | null;
  createdAt: string;
}

export function toTenantDto(tenant: Tenant): TenantDto {
  return {
    id: tenant.id,
    key: tenant.key,
    name: tenant.name,
    allowedEmailDomains: tenant.allowedEmailDomains,
    locale: tenant.locale,
    appUrl: tenant.appUrl,
    deletedAt: tenant.deletedAt ? tenant.deletedAt.toISOString() : null,
    createdAt: tenant.createdAt.toISOString(),
  };
}

const tenantRef = (tenant: Tenant) => ({ id: tenant.id, key: tenant.key });

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
  });
  return toPage(rows, input.limit, encodeCreatedCursor, toTenantDto);
}

/** Any tenant with this key, soft-deleted ones too; 404 tenant/NotFound otherwise. */
export async function findTenantIncludingDeleted(key: string): Promise<Tenant> {
  const tenant = await getPrisma().tenant.findUnique({ where: { key } });
  if (!tenant) throw appError("tenant/NotFound");
  return tenant;
}

export async function getTenant(key: string): Promise<TenantDto> {
  return toTenantDto(await findTenantIncludingDeleted(key));
}

export interface TenantFields {
  name: string;
  allowedEmailDomains: string[];
  locale: Locale;
  appUrl: string | null;
}

export async function createTenant(input: TenantFields & { key: string }, caller: StaffCaller): Promise<TenantDto> {
  try {
    const tenant = await getPrisma().$transaction(async (tx) => {
      const created = await tx.tenant.create({ data: input });
      await audit(
        { actor: staffActor(caller), action: "tenant.created", tenant: tenantRef(created), target: `tenant:${created.key}`, ip: caller.ip },
        tx,
      );
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
export async function updateTenant(key: string, changes: Partial<TenantFields>, caller: StaffCaller): Promise<TenantDto> {
  const changed = Object.keys(changes).filter((field) => changes[field as keyof TenantFields] !== undefined);
  const tenant = await getPrisma().$transaction(async (tx) => {
    const current = await tx.tenant.findUnique({ where: { key } });
    if (!current || current.deletedAt) throw appError("tenant/NotFound");
    const updated = await tx.tenant.update({ where: { id: current.id }, data: changes });
    await audit(
      {
        actor: staffActor(caller),
        action: "tenant.updated",
        tenant: tenantRef(updated),
        target: `tenant:${updated.key}`,
        ip: caller.ip,
        details: { changed },
      },
      tx,
    );
    return updated;
  });
  invalidateCorsOrigins(); // appUrl and deletion decide which browser origins may call
  return toTenantDto(tenant);
}

/**
 * Soft delete: sets deletedAt and revokes every session of the tenant at once. Idempotent: a
 * second call changes nothing and writes no second audit event.
 */
export async function softDeleteTenant(key: string, caller: StaffCaller): Promise<TenantDto> {
  const tenant = await getPrisma().$transaction(async (tx) => {
    const current = await tx.tenant.findUnique({ where: { key } });
    if (!current) throw appError("tenant/NotFound");
    const now = new Date();
    // Conditional update: of concurrent calls exactly one does the work.
    const marked = await tx.tenant.updateMany({ where: { id: current.id, deletedAt: null }, data: { deletedAt: now } });
    if (marked.count === 0) return current;
    const revoked = await tx.session.updateMany({
      where: { tenantId: current.id, revokedAt: null },
      data: { revokedAt: now, revokedReason: "tenant_deleted" },
    });
    await audit(
      {
        actor: staffActor(caller),
        action: "tenant.deleted",
        tenant: tenantRef(current),
        target: `tenant:${current.key}`,
        ip: caller.ip,
        details: { sessionsRevoked: revoked.count },
      },
      tx,
    );
    return { ...current, deletedAt: now };
  });
  invalidateCorsOrigins(); // appUrl and deletion decide which browser origins may call
  return toTenantDto(tenant);
}

/** Clears deletedAt; revives no session (they were revoked, not suspended). Idempotent. */
export async function restoreTenant(key: string, caller: StaffCaller): Promise<TenantDto> {
  const tenant = await getPrisma().$transaction(async (tx) => {
    const current = await tx.tenant.findUnique({ where: { key } });
    if (!current) throw appError("tenant/NotFound");
    const cleared = await tx.tenant.updateMany({ where: { id: current.id, deletedAt: { not: null } }, data: { deletedAt: null } });
    if (cleared.count === 0) return current;
    await audit(
      { actor: staffActor(caller), action: "tenant.restored", tenant: tenantRef(current), target: `tenant:${current.key}`, ip: caller.ip },
      tx,
    );
    return { ...current, deletedAt: null };
  });
  invalidateCorsOrigins(); // appUrl and deletion decide which browser origins may call
  return toTenantDto(tenant);
}
