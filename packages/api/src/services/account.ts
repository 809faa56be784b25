import { getPrisma } from "@gatehouse/db";
import { appError } from "../errors";
import { auditUserAction } from "./audit";
import { toOwnSessionDto, toUserDto, type OwnSessionDto, type UserDto } from "./dto";
import type { SessionState } from "./session-state";
import { listLiveSessions, revokeSession } from "./sessions";
import { parseRefreshToken } from "./tokens";

/**
 * What a signed-in end user does with their own account and sessions (clientAuth's `A`
 * procedures besides changePassword). `auth` is the caller's session state, as the gates
 * passed it; `client` the request's IP.
 */

export function currentUser(auth: SessionState): { user: UserDto } {
  return { user: toUserDto(auth.user, auth.tenant.key) };
}

export async function updateProfile(auth: SessionState, changes: { displayName: string }): Promise<{ user: UserDto }> {
  const user = await getPrisma().user.update({ where: { id: auth.user.id }, data: { displayName: changes.displayName } });
  return { user: toUserDto(user, auth.tenant.key) };
}

/**
 * Ends the caller's own session. A refresh token, when given, must be this session's (else
 * 401 auth/InvalidRefreshToken and nothing ends).
 */
export async function signOut(
  auth: SessionState,
  input: { refreshToken?: string | undefined },
  client: { ip: string },
): Promise<{ success: true }> {
  const { session, user, tenant } = auth;
  if (input.refreshToken !== undefined && parseRefreshToken(input.refreshToken)?.family !== session.tokenFamily) {
    throw appError("auth/InvalidRefreshToken");
  }
  await revokeSession(session.id, "signed_out");
  await auditUserAction(getPrisma(), user, "user.signedOut", { tenant, ip: client.ip, target: { session: session.id } });
  return { success: true };
}

/** The caller's live sessions, newest first, the current one marked. */
export async function listOwnSessions(auth: SessionState): Promise<{ items: OwnSessionDto[] }> {
  const sessions = await listLiveSessions(getPrisma(), auth.user.id);
  return { items: sessions.map((session) => toOwnSessionDto(session, auth.session.id)) };
}

/**
 * Revokes one of the caller's sessions (idempotent; audited when it was live). Another user's
 * session, or no session, is 404 session/NotFound: the caller learns nothing about it.
 */
export async function revokeOwnSession(auth: SessionState, sessionId: string, client: { ip: string }): Promise<{ success: true }> {
  const { user, tenant } = auth;
  const prisma = getPrisma();
  const owned = await prisma.session.findFirst({ where: { id: sessionId, userId: user.id }, select: { id: true } });
  if (!owned) throw appError("session/NotFound");
  if (await revokeSession(sessionId, "revoked_by_user")) {
    await auditUserAction(prisma, user, "session.revoked", { tenant, ip: client.ip, target: { session: sessionId } });
  }
  return { success: true };
}
