import { randomBytes } from "node:crypto";
import { getPrisma, type Tenant, type User } from "@gatehouse/db";
import { getConfig } from "../config";
import { appError } from "../errors";
import { hashPassword } from "../lib/password-hasher";
import { assertPasswordAllowed } from "../policy/password-policy";
import { auditUserAction } from "./audit";
import { notifyPasswordChanged } from "./security-notice";
import { revokeUserSessions, type ClientInfo } from "./sessions";
import { sha256 } from "./tokens";

/**
 * CONTRACT v2 "clientPasswordReset" after the code: `verifyCode` hands the proved account a
 * resetToken, `resetPassword` redeems it. The token is 256 random bits (base64url) of which only
 * the SHA-256 is stored (PasswordResetToken), so a database leak redeems nothing; it lives
 * RESET_TOKEN_TTL_SECONDS (5 min) and is consumed in the transaction that sets the password.
 */

export interface ResetTokenIssued {
  resetToken: string;
  resetTokenExpiresAt: string;
  userId: string;
}

/** A new resetToken for `user` (the code just proved their verified number or address). */
export async function issueResetToken(tenant: Tenant, user: User): Promise<ResetTokenIssued> {
  const prisma = getPrisma();
  const now = new Date();
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + getConfig().resetTokenTtlSeconds * 1000);
  // Expired rows can never be redeemed (an unknown token gets the same 401), so each issue
  // sweeps them through the expiresAt index instead of a separate job.
  await prisma.passwordResetToken.deleteMany({ where: { expiresAt: { lt: now } } });
  await prisma.passwordResetToken.create({ data: { tenantId: tenant.id, userId: user.id, tokenHash: sha256(token), expiresAt } });
  return { resetToken: token, resetTokenExpiresAt: expiresAt.toISOString(), userId: user.userId };
}

const invalidToken = () => appError("auth/InvalidResetToken");

/**
 * Sets the password of the token's user: the password policy first (400 on `newPassword`, the
 * token untouched), the hash computed before any lock, then one transaction that consumes the
 * token by a conditional update (of parallel redemptions one wins, the others find it consumed:
 * 401), sets the hash, clears mustChangePassword, bumps credentialsVersion (a sign-in still
 * checking the old password then opens no session: see openSession), revokes every session and
 * audits `user.passwordRecovered`. The user's other reset tokens are consumed with it: a reset
 * ends every way back in that predates it. Suspension is left as it is. After the commit, the
 * security notice goes to the verified address.
 */
export async function resetPasswordWithToken(
  input: { resetToken: string; newPassword: string },
  client: ClientInfo,
): Promise<{ success: true }> {
  const prisma = getPrisma();
  const found = await prisma.passwordResetToken.findUnique({
    where: { tokenHash: sha256(input.resetToken) },
    include: { user: true, tenant: true },
  });
  // A deleted user or tenant makes the token name no one: the same 401 as an unknown token.
  if (!found || found.consumedAt || found.expiresAt <= new Date() || found.user.deletedAt || found.tenant.deletedAt) throw invalidToken();
  const { user, tenant } = found;
  assertPasswordAllowed(input.newPassword, { userId: user.userId, email: user.email }, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const changedAt = await prisma.$transaction(async (tx) => {
    const now = new Date();
    const consumed = await tx.passwordResetToken.updateMany({
      where: { id: found.id, consumedAt: null, expiresAt: { gt: now } },
      data: { consumedAt: now },
    });
    if (consumed.count !== 1) throw invalidToken();
    // The row lock this update takes orders it with sign-ins (openSession) and staff actions.
    const reset = await tx.user.updateMany({
      where: { id: user.id, deletedAt: null },
      data: { passwordHash, mustChangePassword: false, credentialsVersion: { increment: 1 } },
    });
    if (reset.count !== 1) throw invalidToken();
    await tx.passwordResetToken.updateMany({ where: { userId: user.id, consumedAt: null }, data: { consumedAt: now } });
    const revoked = await revokeUserSessions(user.id, "password_recovered", { db: tx });
    await auditUserAction(tx, user, "user.passwordRecovered", { tenant, ip: client.ip, details: { sessionsRevoked: revoked } });
    return now;
  });
  await notifyPasswordChanged(tenant, user, "reset", changedAt);
  return { success: true };
}
