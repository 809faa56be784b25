import { randomUUID } from "node:crypto";
import { getPrisma, type Prisma, type User } from "@gatehouse/db";
import { getConfig } from "../config";
import { appError } from "../errors";
import { pausePoint } from "../lib/pause-points";
import { auditUserAction } from "./audit";
import { issueAccessToken, newRefreshSecret, newTokenFamily, parseRefreshToken, sha256 } from "./tokens";
import { toUserDto, type UserDto } from "./dto";

/**
 * Sessions: one per sign-in, a refresh-token rotation family. The refresh token is
 * `<family>.<secret>`; the session keeps only SHA-256 of the current secret, so presenting any
 * other secret for a live family means an older token was replayed (reuse): the whole session
 * is revoked, the newest tokens with it.
 */
export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: UserDto;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

type Tenant = { id: string; key: string };

function refreshExpiry(now: Date, sessionExpiresAt: Date): Date {
  const ttl = new Date(now.getTime() + getConfig().tokens.refreshTtlSeconds * 1000);
  return ttl < sessionExpiresAt ? ttl : sessionExpiresAt;
}

/** A session row just written; its access token is not signed yet (see sessionTokens). */
export interface OpenedSession {
  sessionId: string;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

/**
 * A new session (rotation family) row for a user, and the refresh token it stands for: the one
 * place that decides a session's lifetimes and what is stored of the token (its hash).
 */
export function newSessionRecord(user: { id: string }, tenant: Tenant, client: ClientInfo, now = new Date()) {
  const expiresAt = new Date(now.getTime() + getConfig().tokens.sessionMaxAgeSeconds * 1000);
  const family = newTokenFamily();
  const secret = newRefreshSecret();
  const refreshTokenExpiresAt = refreshExpiry(now, expiresAt);
  const data = {
    tenantId: tenant.id,
    userId: user.id,
    tokenFamily: family,
    refreshTokenHash: sha256(secret),
    refreshTokenExpiresAt,
    expiresAt,
    ip: client.ip,
    userAgent: client.userAgent,
    createdAt: now,
    lastUsedAt: now,
  } satisfies Prisma.SessionUncheckedCreateInput;
  return { data, refreshToken: `${family}.${secret}` };
}

/** What the caller verified: the user row as read together with the credential it checked. */
export type VerifiedUser = Pick<User, "id" | "credentialsVersion">;

/**
 * Why no session was opened: the tenant is gone (soft-deleted), or the user changed since the
 * caller read them (password changed or reset, suspended, deleted: each bumps
 * credentialsVersion).
 */
export type SessionRefusal = "tenant_gone" | "user_changed";

export type OpenSessionResult = { opened: true; session: OpenedSession } | { opened: false; reason: SessionRefusal };

/**
 * Writes a new session (rotation family) for a user who just proved who they are, inside the
 * caller's transaction when one is given, and only if what they proved still holds: one
 * INSERT ... SELECT that writes the row only while the user's credentialsVersion is the one the
 * caller read with the credential it checked, the user is neither suspended nor deleted and the
 * tenant is live. It locks the user and tenant rows FOR SHARE, which conflicts with the row
 * update every revocation (password change or reset, suspension, deletion, tenant soft delete)
 * starts with: a revocation that committed first makes the INSERT write nothing; one that comes
 * after waits for this row to commit, then revokes it with the others. Every way in (sign-in,
 * sign-up, and any later one) opens its session here, so none can outrun a revocation.
 *
 * Signing the access token is left to sessionTokens, after the commit: it may need to load
 * signing keys over another connection, which must never happen while a transaction holds one
 * (concurrent sign-ups would exhaust the pool).
 */
export async function openSession(
  user: VerifiedUser,
  tenant: Tenant,
  client: ClientInfo,
  db: Prisma.TransactionClient = getPrisma(),
): Promise<OpenSessionResult> {
  await pausePoint("session.open", user.id);
  const { data: d, refreshToken } = newSessionRecord(user, tenant, client);
  const inserted = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "Session" ("id", "tenantId", "userId", "tokenFamily", "refreshTokenHash", "refreshTokenExpiresAt",
                           "expiresAt", "ip", "userAgent", "createdAt", "lastUsedAt")
    SELECT ${randomUUID()}::uuid, t."id", u."id", ${d.tokenFamily}::text, ${d.refreshTokenHash}::text,
           ${d.refreshTokenExpiresAt}::timestamp(3), ${d.expiresAt}::timestamp(3), ${d.ip}::text, ${d.userAgent}::text,
           ${d.createdAt}::timestamp(3), ${d.lastUsedAt}::timestamp(3)
      FROM "User" u
      JOIN "Tenant" t ON t."id" = u."tenantId"
     WHERE u."id" = ${user.id}::uuid
       AND t."id" = ${tenant.id}::uuid
       AND u."credentialsVersion" = ${user.credentialsVersion}
       AND u."suspendedAt" IS NULL
       AND u."deletedAt" IS NULL
       AND t."deletedAt" IS NULL
       FOR SHARE OF u, t
    RETURNING "id"`;
  const row = inserted[0];
  if (row) return { opened: true, session: { sessionId: row.id, refreshToken, refreshTokenExpiresAt: d.refreshTokenExpiresAt } };
  const current = await db.tenant.findUnique({ where: { id: tenant.id }, select: { deletedAt: true } });
  return { opened: false, reason: !current || current.deletedAt ? "tenant_gone" : "user_changed" };
}

/** The contract's `Session` for an opened session: signs its first access token. */
export async function sessionTokens(user: User, tenant: Tenant, opened: OpenedSession): Promise<SessionTokens> {
  const access = await issueAccessToken({ user, tenant, sessionId: opened.sessionId });
  return {
    ...access,
    refreshToken: opened.refreshToken,
    refreshTokenExpiresAt: opened.refreshTokenExpiresAt.toISOString(),
    user: toUserDto(user, tenant.key),
  };
}

/**
 * Starts a session for a user who just proved who they are, as openSession does; a refusal is
 * the answer a request arriving now would get: 404 tenant/NotFound for a soft-deleted tenant,
 * else 401 auth/InvalidCredentials.
 */
export async function createSession(user: User, tenant: Tenant, client: ClientInfo): Promise<SessionTokens> {
  const result = await openSession(user, tenant, client);
  if (!result.opened) throw sessionRefusedError(result.reason);
  return sessionTokens(user, tenant, result.session);
}

/** The contract's answer for a refused openSession when nothing more specific applies. */
export function sessionRefusedError(reason: SessionRefusal) {
  return reason === "tenant_gone" ? appError("tenant/NotFound") : appError("auth/InvalidCredentials");
}

/**
 * Exchanges a refresh token for a new pair. Of concurrent calls with one token, the single
 * conditional UPDATE lets at most one win; the others find a changed hash and count as reuse.
 */
export async function rotateRefreshToken(token: string, client: ClientInfo): Promise<SessionTokens> {
  const parsed = parseRefreshToken(token);
  if (!parsed) throw appError("auth/InvalidRefreshToken");
  const prisma = getPrisma();
  const session = await prisma.session.findUnique({
    where: { tokenFamily: parsed.family },
    include: { user: true, tenant: { select: { id: true, key: true, deletedAt: true } } },
  });
  if (!session) throw appError("auth/InvalidRefreshToken");
  // CONTRACT: a soft-deleted tenant's refresh tokens give 404; suspension is checked first (403).
  if (session.tenant.deletedAt) throw appError("tenant/NotFound");
  if (session.user.suspendedAt) throw appError("auth/AccountSuspended");
  if (session.revokedAt || session.user.deletedAt) throw appError("auth/InvalidRefreshToken");

  const now = new Date();
  const presentedHash = sha256(parsed.secret);
  const newSecret = newRefreshSecret();
  const refreshTokenExpiresAt = refreshExpiry(now, session.expiresAt);
  const rotated = await prisma.session.updateMany({
    where: {
      id: session.id,
      refreshTokenHash: presentedHash,
      revokedAt: null,
      expiresAt: { gt: now },
      refreshTokenExpiresAt: { gt: now },
    },
    data: {
      refreshTokenHash: sha256(newSecret),
      refreshTokenExpiresAt,
      rotationCount: { increment: 1 },
      lastUsedAt: now,
      ip: client.ip,
      userAgent: client.userAgent,
    },
  });
  if (rotated.count === 1) {
    const access = await issueAccessToken({ user: session.user, tenant: session.tenant, sessionId: session.id });
    return {
      ...access,
      refreshToken: `${parsed.family}.${newSecret}`,
      refreshTokenExpiresAt: refreshTokenExpiresAt.toISOString(),
      user: toUserDto(session.user, session.tenant.key),
    };
  }

  // Not rotated: an expired token or session (just refused), or a secret that is no longer the
  // current one: reuse of a rotated token, or a losing concurrent refresh.
  const current = await prisma.session.findUnique({ where: { id: session.id } });
  const expired =
    !current || current.expiresAt <= now || (current.refreshTokenHash === presentedHash && current.refreshTokenExpiresAt <= now);
  if (current && !current.revokedAt && !expired) {
    const revoked = await prisma.session.updateMany({
      where: { id: session.id, revokedAt: null },
      data: { revokedAt: now, revokedReason: "reuse" },
    });
    if (revoked.count === 1) {
      await auditUserAction(prisma, session.user, "session.reuseDetected", {
        tenant: session.tenant,
        ip: client.ip,
        target: { session: session.id },
      });
    }
  }
  throw appError("auth/InvalidRefreshToken");
}

/** Revokes one session (idempotent). Returns whether it was live. */
export async function revokeSession(sessionId: string, reason: string): Promise<boolean> {
  const result = await getPrisma().session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return result.count === 1;
}

/** Revokes every live session of a user, except one (e.g. the one changing the password). */
export async function revokeUserSessions(
  userId: string,
  reason: string,
  options: { exceptSessionId?: string; db?: Prisma.TransactionClient } = {},
): Promise<number> {
  const result = await (options.db ?? getPrisma()).session.updateMany({
    where: { userId, revokedAt: null, ...(options.exceptSessionId ? { id: { not: options.exceptSessionId } } : {}) },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return result.count;
}

/** Live sessions of a user, newest first. */
export async function listLiveSessions(db: Pick<Prisma.TransactionClient, "session">, userId: string) {
  const now = new Date();
  return db.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now }, refreshTokenExpiresAt: { gt: now } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, createdAt: true, lastUsedAt: true, ip: true, userAgent: true, tokenFamily: true },
  });
}
