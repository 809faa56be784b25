import { randomBytes, randomInt } from "node:crypto";
import { getPrisma, isUniqueViolation, type Tenant, type User } from "@gatehouse/db";
import { getConfig } from "../config";
import { appError } from "../errors";
import { auditUserAction } from "./audit";
import { openSession, sessionRefusedError, sessionTokens, type ClientInfo, type OpenedSession, type SessionTokens } from "./sessions";
import { sha256 } from "./tokens";

/**
 * clientPasswordless after the code (CONTRACT v2 "clientPasswordless"): the owner of a verified
 * address is signed in; anyone else gets a signupToken bound to (tenant, address), which
 * `register` redeems for a new user with that address verified and no password.
 */

/** `verify`'s answer: a signed-in session, or the token to finish signing up with. */
export type VerifyResult =
  (SessionTokens & { needSignup: false }) | { needSignup: true; signupToken: string; signupTokenExpiresAt: string };

/** `register`'s answer. */
export type NewUserSession = SessionTokens & { isNewUser: true };

/** What the audit log says about how an email-code user came in. */
const viaEmailCode = { via: "emailCode" } as const;

/**
 * Sessions refused because the user changed between our read and the insert (a password reset,
 * an unsuspension…) are retried with a fresh read this many times; only a user being changed
 * continuously could exhaust it.
 */
const SIGN_IN_READS = 3;

/**
 * The code proved `email` in `tenant`: the user whose **verified** email it is gets a session
 * (suspended → 403), anyone else (no user, or only an unverified one with that address) a
 * signupToken. Like signIn, a sign-in sets lastLoginAt and audits `user.signedIn`.
 */
export async function signInVerifiedAddress(tenant: Tenant, email: string, client: ClientInfo): Promise<VerifyResult> {
  const prisma = getPrisma();
  const address = email.trim().toLowerCase();
  for (let read = 0; read < SIGN_IN_READS; read++) {
    const user = await prisma.user.findUnique({ where: { tenantId_verifiedEmail: { tenantId: tenant.id, verifiedEmail: address } } });
    // Deleting a user clears verifiedEmail; the check is for a row caught halfway.
    if (!user || user.deletedAt) return issueSignupToken(tenant, address);
    if (user.suspendedAt) throw appError("auth/AccountSuspended");
    const opened = await openSession(user, tenant, client);
    if (opened.opened) return { needSignup: false, ...(await signedIn(user, tenant, client, opened.session)) };
    if (opened.reason === "tenant_gone") throw sessionRefusedError(opened.reason);
    // user_changed: read again; a suspension or deletion meanwhile then answers as above.
  }
  // verify declares no 401 of its own; this is a transient conflict, worth a retry.
  throw appError("service/Unavailable");
}

async function signedIn(user: User, tenant: Tenant, client: ClientInfo, session: OpenedSession): Promise<SessionTokens> {
  const prisma = getPrisma();
  const updated = await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await auditUserAction(prisma, updated, "user.signedIn", { tenant, ip: client.ip, details: viaEmailCode });
  return sessionTokens(updated, tenant, session);
}

/** 256 random bits, base64url; only the SHA-256 is stored (a database leak redeems nothing). */
async function issueSignupToken(tenant: Tenant, address: string): Promise<VerifyResult> {
  const prisma = getPrisma();
  const now = new Date();
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + getConfig().tokens.signupTtlSeconds * 1000);
  // Expired rows can never be redeemed (an unknown token gets the same 401), so each issue
  // sweeps them through the expiresAt index instead of a separate job.
  await prisma.signupToken.deleteMany({ where: { expiresAt: { lt: now } } });
  await prisma.signupToken.create({ data: { tenantId: tenant.id, email: address, tokenHash: sha256(token), expiresAt } });
  return { needSignup: true, signupToken: token, signupTokenExpiresAt: expiresAt.toISOString() };
}

/** `user-` and 12 of [a-z0-9]: 62 bits, within the userId pattern (CONTRACT v2: `user-…`). */
function generatedUserId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let id = "user-";
  for (let i = 0; i < 12; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/** Generated userIds tried before giving up (a collision at 62 bits is already improbable). */
const GENERATED_ID_TRIES = 3;

/**
 * Creates the user the token names (email verified now, no password, self_signup member) and
 * signs them in. The token is consumed in the transaction that inserts the user, by a
 * conditional update: a refusal (400, 404, 409) rolls it back and leaves the token usable, and
 * of parallel registers with one token the first holds the row lock, the others then find it
 * consumed (401).
 */
export async function registerWithSignupToken(
  input: { signupToken: string; displayName: string; userId?: string | undefined },
  client: ClientInfo,
): Promise<NewUserSession> {
  const prisma = getPrisma();
  const found = await prisma.signupToken.findUnique({ where: { tokenHash: sha256(input.signupToken) }, include: { tenant: true } });
  if (!found || found.consumedAt || found.expiresAt <= new Date()) throw appError("auth/InvalidSignupToken");
  const { tenant, email: address } = found;
  if (tenant.deletedAt) throw appError("tenant/NotFound");
  if (!tenant.emailCodeSignIn) throw appError("auth/MethodNotEnabled");
  const given = input.userId?.trim().toLowerCase();
  for (let attempt = 1; ; attempt++) {
    const userId = given ?? generatedUserId();
    try {
      const created = await prisma.$transaction(async (tx) => {
        const now = new Date();
        const consumed = await tx.signupToken.updateMany({
          where: { id: found.id, consumedAt: null, expiresAt: { gt: now } },
          data: { consumedAt: now },
        });
        if (consumed.count !== 1) throw appError("auth/InvalidSignupToken");
        const user = await tx.user.create({
          data: {
            tenantId: tenant.id,
            userId,
            email: address,
            verifiedEmail: address,
            emailVerifiedAt: now,
            displayName: input.displayName,
            passwordHash: null,
            role: "member",
            source: "self_signup",
            // The sign-up is also a sign-in (audited as one), as signIn sets it.
            lastLoginAt: now,
          },
        });
        const opened = await openSession(user, tenant, client, tx);
        // Only a tenant soft-deleted meanwhile can refuse a user created a moment ago.
        if (!opened.opened) throw sessionRefusedError(opened.reason);
        await auditUserAction(tx, user, "user.signedUp", { tenant, ip: client.ip, details: viaEmailCode });
        await auditUserAction(tx, user, "user.signedIn", { tenant, ip: client.ip, details: viaEmailCode });
        return { user, session: opened.session };
      });
      return { ...(await sessionTokens(created.user, tenant, created.session)), isNewUser: true };
    } catch (error) {
      if (isUniqueViolation(error, ["tenantId", "verifiedEmail"])) throw appError("user/EmailDuplicated");
      if (!isUniqueViolation(error, ["tenantId", "userId"])) throw error;
      if (given !== undefined) throw appError("user/UserIdDuplicated");
      // A generated id that is taken: the transaction rolled back, the token is unspent.
      if (attempt >= GENERATED_ID_TRIES) throw appError("service/Unavailable");
    }
  }
}
