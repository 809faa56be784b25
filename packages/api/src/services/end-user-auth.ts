import { getPrisma, isUniqueViolation } from "@gatehouse/db";
import { appError, invalidField } from "../errors";
import { checkSpendingAttempt, hashPassword, replaceOutdatedHash, verifyPassword, verifyPasswordOrDummy } from "../lib/password-hasher";
import { assertEmailDomainAllowed, assertMailableAddress } from "../policy/email-domain-policy";
import { normalizePhone } from "../policy/phone-number";
import { assertPasswordAllowed, normalizePassword } from "../policy/password-policy";
import { takeSignInAttempt } from "../policy/sign-in-budget";
import { auditUserAction } from "./audit";
import { notifyPasswordChanged } from "./security-notice";
import {
  openSession,
  revokeUserSessions,
  sessionRefusedError,
  sessionTokens,
  type ClientInfo,
  type SessionRefusal,
  type SessionTokens,
} from "./sessions";
import type { SessionState } from "./session-state";
import { findLiveTenant } from "./tenants";
import { issueAccessToken } from "./tokens";

export async function signUp(
  input: { tenantKey: string; userId: string; password: string; displayName: string; email: string; phone?: string | undefined },
  client: ClientInfo,
): Promise<SessionTokens> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, input.tenantKey);
  // CONTRACT v2: a tenant may take sign-ups only by email code or social sign-in.
  if (!tenant.passwordSignUp) throw appError("auth/MethodNotEnabled");
  assertMailableAddress(input.email);
  assertEmailDomainAllowed(input.email, tenant.allowedEmailDomains);
  // CONTRACT v2 "Phone numbers": an optional number, normalized to E.164 and stored unverified
  // (verifying it is clientPhoneVerification's; no uniqueness until then).
  const phone = input.phone === undefined ? null : normalizePhone(input.phone, tenant.phoneCountries);
  assertPasswordAllowed(input.password, { userId: input.userId, email: input.email });
  // Saves a bcrypt hash on the obvious case; the unique index still decides races.
  const taken = await prisma.user.findUnique({
    where: { tenantId_userId: { tenantId: tenant.id, userId: input.userId } },
    select: { id: true },
  });
  if (taken) throw appError("user/UserIdDuplicated");
  const passwordHash = await hashPassword(input.password);
  // The user, its first session and the audit event commit together; the access token is
  // signed after the commit, so the transaction never waits on another connection.
  const created = await prisma
    .$transaction(async (tx) => {
      const user = await tx.user.create({
        data: {
          tenantId: tenant.id,
          userId: input.userId,
          email: input.email,
          phone,
          displayName: input.displayName,
          passwordHash,
          role: "member",
          source: "self_signup",
        },
      });
      const opened = await openSession(user, tenant, client, tx);
      // Only a tenant soft-deleted meanwhile can refuse a user created a moment ago.
      if (!opened.opened) throw sessionRefusedError(opened.reason);
      const session = opened.session;
      await auditUserAction(tx, user, "user.signedUp", { tenant, ip: client.ip });
      return { user, session };
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error, ["tenantId", "userId"]) ? appError("user/UserIdDuplicated") : error;
    });
  return sessionTokens(created.user, tenant, created.session);
}

export async function signIn(input: { tenantKey: string; userId: string; password: string }, client: ClientInfo): Promise<SessionTokens> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, input.tenantKey);
  const account = input.userId.trim().toLowerCase();
  const who = { scope: tenant.id, account };
  const attempt = await takeSignInAttempt(who, client.ip);
  const user = await prisma.user.findUnique({ where: { tenantId_userId: { tenantId: tenant.id, userId: account } } });
  const live = user && !user.deletedAt ? user : null;
  const { ok, outdated } = await checkSpendingAttempt(attempt, () => verifyPasswordOrDummy(input.password, live?.passwordHash));
  if (!ok || !live) {
    await auditUserAction(prisma, { id: live?.id ?? null, userId: account.slice(0, 64) }, "user.signInFailed", { tenant, ip: client.ip });
    throw appError("auth/InvalidCredentials");
  }
  await attempt.refund();
  // Only after a correct password does the caller learn the account is suspended.
  if (live.suspendedAt) throw appError("auth/AccountSuspended");
  // Opened only if the credentials checked above still hold (see openSession).
  const opened = await openSession(live, tenant, client);
  if (!opened.opened) {
    await auditUserAction(prisma, live, "user.signInFailed", { tenant, ip: client.ip, details: { reason: opened.reason } });
    throw await raceLostError(live, opened.reason);
  }
  const signedIn = await prisma.user.update({ where: { id: live.id }, data: { lastLoginAt: new Date() } });
  await auditUserAction(prisma, signedIn, "user.signedIn", { tenant, ip: client.ip });
  if (outdated) {
    await replaceOutdatedHash(input.password, (passwordHash) =>
      prisma.user.updateMany({ where: { id: live.id, passwordHash: live.passwordHash }, data: { passwordHash } }),
    );
  }
  return sessionTokens(signedIn, tenant, opened.session);
}

/**
 * The answer for a sign-in whose credentials changed while its password was being checked: the
 * one it would get had it started now. The password it proved still matches only if the hash is
 * unchanged; then a suspension is 403 (as for any right password), anything else 401.
 */
async function raceLostError(verified: { id: string; passwordHash: string | null }, reason: SessionRefusal) {
  if (reason === "user_changed") {
    const now = await getPrisma().user.findUnique({
      where: { id: verified.id },
      select: { suspendedAt: true, deletedAt: true, passwordHash: true },
    });
    if (now?.suspendedAt && !now.deletedAt && now.passwordHash === verified.passwordHash) return appError("auth/AccountSuspended");
  }
  return sessionRefusedError(reason);
}

/**
 * Keeps the current session, revokes all others, clears mustChangePassword, then sends the
 * security notice. A wrong current password is a failed sign-in (401, counted).
 */
export async function changePassword(
  auth: SessionState,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<{ success: true; accessToken: string; accessTokenExpiresAt: string }> {
  const { user, tenant, session } = auth;
  // A user who signed up without a password sets one through password reset by email (CONTRACT v2).
  if (!user.hasPassword) throw appError("auth/PasswordNotSet");
  const who = { scope: tenant.id, account: user.userId };
  const attempt = await takeSignInAttempt(who, client.ip);
  const prisma = getPrisma();
  // The hash is read only here: the per-request session state never carries it.
  const stored = await prisma.user.findUnique({ where: { id: user.id }, select: { passwordHash: true } });
  const ok = stored?.passwordHash
    ? await checkSpendingAttempt(attempt, () => verifyPassword(input.currentPassword, stored.passwordHash!))
    : false;
  if (!ok) {
    await auditUserAction(prisma, user, "user.signInFailed", { tenant, ip: client.ip, details: { via: "changePassword" } });
    throw appError("auth/InvalidCredentials");
  }
  await attempt.refund();
  if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword))
    throw invalidField("newPassword", "The new password must differ from the current one.");
  assertPasswordAllowed(input.newPassword, { userId: user.userId, email: user.email }, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const updated = await prisma.$transaction(async (tx) => {
    // The version bump refuses any sign-in still checking the old password (see openSession).
    const changed = await tx.user.update({
      where: { id: user.id },
      data: { passwordHash, mustChangePassword: false, credentialsVersion: { increment: 1 } },
    });
    await revokeUserSessions(user.id, "password_changed", { exceptSessionId: session.id, db: tx });
    await auditUserAction(tx, user, "user.passwordChanged", { tenant, ip: client.ip });
    return changed;
  });
  // CONTRACT v2: a security notice after a password change, to a verified address.
  await notifyPasswordChanged(tenant, updated, "changed", updated.updatedAt);
  const access = await issueAccessToken({ user: updated, tenant, sessionId: session.id });
  return { success: true, ...access };
}
