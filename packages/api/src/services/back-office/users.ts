import { getPrisma, type Prisma, type Tenant, type User } from "@gatehouse/db";
import { appError } from "../../errors";
import { hashPassword } from "../../lib/password-hasher";
import { auditStaffAction } from "../audit";
import { toSessionViewDto, toUserDto, type SessionViewDto, type UserDto } from "../dto";
import { findLiveTenant } from "../tenants";
import { listIdentities, type IdentityDto } from "../identities";
import { listLiveSessions, revokeUserSessions } from "../sessions";
import type { StaffCaller } from "./caller";
import { afterCreatedCursor, containsInsensitive, createdOrder, encodeCreatedCursor, toPage, type Page } from "./pagination";
import { generateTemporaryPassword } from "./temporary-password";

/**
 * End users as BackOffice administers them. A user is named by (tenantKey, userId); the tenant
 * must be live (404 tenant/NotFound) and the user not deleted (404 user/NotFound).
 */
export interface UserRef {
  tenantKey: string;
  userId: string;
}

type Tx = Prisma.TransactionClient;

export async function listUsers(input: {
  tenantKey: string;
  query?: string | undefined;
  cursor?: string | null | undefined;
  limit: number;
}): Promise<Page<UserDto>> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, input.tenantKey);
  const q = input.query;
  const rows = await prisma.user.findMany({
    where: {
      AND: [
        { tenantId: tenant.id, deletedAt: null },
        q ? { OR: [{ userId: containsInsensitive(q) }, { email: containsInsensitive(q) }, { displayName: containsInsensitive(q) }] } : {},
        afterCreatedCursor(input.cursor),
      ],
    },
    orderBy: createdOrder,
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, encodeCreatedCursor, (user) => toUserDto(user, tenant.key));
}

/** One user by (tenantKey, userId), with their live sessions (newest first) and linked identities. */
export async function getUser(ref: UserRef): Promise<{ user: UserDto; sessions: SessionViewDto[]; identities: IdentityDto[] }> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, ref.tenantKey);
  const user = await prisma.user.findFirst({ where: { tenantId: tenant.id, userId: ref.userId, deletedAt: null } });
  if (!user) throw appError("user/NotFound");
  const [sessions, identities] = await Promise.all([listLiveSessions(prisma, user.id), listIdentities(prisma, user.id)]);
  return { user: toUserDto(user, tenant.key), sessions: sessions.map(toSessionViewDto), identities };
}

/**
 * Runs `change` in a transaction on the named user's row, locked (FOR UPDATE) so concurrent
 * administrative changes to one user apply one after the other.
 */
async function withLockedUser<T>(ref: UserRef, change: (tx: Tx, user: User, tenant: Tenant) => Promise<T>): Promise<T> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, ref.tenantKey);
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "User" WHERE "tenantId" = ${tenant.id}::uuid AND "userId" = ${ref.userId} AND "deletedAt" IS NULL FOR UPDATE`;
    const id = locked[0]?.id;
    if (!id) throw appError("user/NotFound");
    const user = await tx.user.findUniqueOrThrow({ where: { id } });
    return change(tx, user, tenant);
  });
}

/** Suspends the user and revokes all their sessions at once. Idempotent (audited once). */
export async function suspendUser(caller: StaffCaller, ref: UserRef): Promise<{ user: UserDto }> {
  return withLockedUser(ref, async (tx, user, tenant) => {
    if (user.suspendedAt) return { user: toUserDto(user, tenant.key) };
    const suspended = await tx.user.update({
      where: { id: user.id },
      data: { suspendedAt: new Date(), credentialsVersion: { increment: 1 } },
    });
    const revoked = await revokeUserSessions(user.id, "suspended", { db: tx });
    await auditStaffAction(tx, caller, "user.suspended", { tenant, target: { user: user.userId }, details: { sessionsRevoked: revoked } });
    return { user: toUserDto(suspended, tenant.key) };
  });
}

/** Lifts a suspension; revives no session. Idempotent (audited once). */
export async function unsuspendUser(caller: StaffCaller, ref: UserRef): Promise<{ user: UserDto }> {
  return withLockedUser(ref, async (tx, user, tenant) => {
    if (!user.suspendedAt) return { user: toUserDto(user, tenant.key) };
    const lifted = await tx.user.update({ where: { id: user.id }, data: { suspendedAt: null } });
    await auditStaffAction(tx, caller, "user.unsuspended", { tenant, target: { user: user.userId } });
    return { user: toUserDto(lifted, tenant.key) };
  });
}

/**
 * Replaces the password with a temporary one (returned once, stored only hashed), requires a
 * change at the next sign-in and revokes every session.
 */
export async function resetUserPassword(caller: StaffCaller, ref: UserRef): Promise<{ user: UserDto; temporaryPassword: string }> {
  // Hashing (the slow part) happens before the row is locked.
  const temporaryPassword = generateTemporaryPassword({ userId: ref.userId });
  const passwordHash = await hashPassword(temporaryPassword);
  return withLockedUser(ref, async (tx, user, tenant) => {
    const reset = await tx.user.update({
      where: { id: user.id },
      data: { passwordHash, mustChangePassword: true, credentialsVersion: { increment: 1 } },
    });
    const revoked = await revokeUserSessions(user.id, "password_reset", { db: tx });
    await auditStaffAction(tx, caller, "user.passwordReset", {
      tenant,
      target: { user: user.userId },
      details: { sessionsRevoked: revoked },
    });
    return { user: toUserDto(reset, tenant.key), temporaryPassword };
  });
}

/**
 * Deletes a user: the row stays (sessions and audit events refer to it) but its personal data is
 * erased: email addresses, password hash, display name, and the userId, which is replaced by
 * `deleted-<id>` so the name is free for reuse. The replacement is longer than any valid userId,
 * so it can never clash with a live account. Sessions are revoked and their IP and user agent
 * erased. The audit event names the user by its internal id, not by the erased userId.
 */
export async function deleteUser(caller: StaffCaller, ref: UserRef): Promise<{ success: true }> {
  return withLockedUser(ref, async (tx, user, tenant) => {
    const now = new Date();
    await tx.user.update({
      where: { id: user.id },
      data: {
        deletedAt: now,
        userId: `deleted-${user.id}`,
        email: null,
        verifiedEmail: null,
        emailVerifiedAt: null,
        passwordHash: null,
        phone: null,
        verifiedPhone: null,
        phoneVerifiedAt: null,
        displayName: "Deleted user",
        mustChangePassword: false,
        credentialsVersion: { increment: 1 },
      },
    });
    await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now, revokedReason: "user_deleted" } });
    await tx.session.updateMany({ where: { userId: user.id }, data: { ip: null, userAgent: null } });
    // CONTRACT v2: the provider accounts go too (a later sign-in with one is a new user).
    await tx.userIdentity.deleteMany({ where: { userId: user.id } });
    await auditStaffAction(tx, caller, "user.deleted", { tenant, target: { user: user.id } });
    return { success: true as const };
  });
}
