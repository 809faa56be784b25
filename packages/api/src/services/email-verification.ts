import { randomBytes } from "node:crypto";
import { getPrisma, isUniqueViolation } from "@gatehouse/db";
import { isMailUnavailable, renderVerificationEmail } from "@gatehouse/email";
import { getConfig } from "../config";
import { appError } from "../errors";
import { getLogger } from "../lib/log";
import { getMailer } from "../lib/mailer";
import { assertEmailDomainAllowed, assertMailableAddress } from "../policy/email-domain-policy";
import { checkOtp, issueOtp, newOtpCode, otpCodeHmac, releaseOtp, type OtpSubject } from "../policy/otp-limiter";
import { auditUserAction } from "./audit";
import type { SessionState } from "./session-state";
import { issueAccessToken } from "./tokens";
import { toUserDto, type UserDto } from "./dto";

/**
 * clientEmailVerification (CONTRACT.md): a 6-digit code mailed to an address of the user's
 * choosing; entering it makes that address the user's verified email. The code lives only in
 * Redis and only as an HMAC; the limits are policy/otp-limiter's scripts.
 */

const subjectOf = (auth: SessionState): OtpSubject => ({ tenantId: auth.tenant.id, userId: auth.user.id });
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
/** The failure budget or the address's mail cap. */
const tooManyRequests = (retryAfterMs: number) => appError("rateLimit/TooManyRequests", { retryAfterSeconds: seconds(retryAfterMs) });

/** Someone else in the tenant already verified this address. */
async function isVerifiedByAnother(auth: SessionState, email: string): Promise<boolean> {
  const other = await getPrisma().user.findFirst({
    where: { tenantId: auth.tenant.id, verifiedEmail: email, id: { not: auth.user.id } },
    select: { id: true },
  });
  return other !== null;
}

export async function sendVerificationCode(
  auth: SessionState,
  email: string,
): Promise<{ expiresAt: string; nextResendAvailableAt: string }> {
  const { otp } = getConfig();
  const subject = subjectOf(auth);
  // The address is checked first (no code could go to it anyway), then one script decides the
  // rest: the address's hourly mail cap (429), the hourly failure budget (429), the resend
  // cooldown (429), and storing the code and counting its mail.
  assertMailableAddress(email);
  assertEmailDomainAllowed(email, auth.tenant.allowedEmailDomains);
  if (await isVerifiedByAnother(auth, email)) throw appError("user/EmailDuplicated");

  const code = newOtpCode();
  const nonce = randomBytes(16).toString("hex");
  const now = Date.now();
  const ttlMs = otp.ttlSeconds * 1000;
  const cooldownMs = otp.resendCooldownSeconds * 1000;
  const issued = await issueOtp(subject, {
    hmac: otpCodeHmac(subject, code),
    email,
    nonce,
    ttlMs,
    cooldownMs,
    failuresPerHour: otp.failuresPerHour,
    mailsPerAddressPerHour: otp.mailsPerAddressPerHour,
    expiresAtMs: now + ttlMs,
    now,
  });
  if (issued.outcome === "cap" || issued.outcome === "budget") throw tooManyRequests(issued.retryAfterMs);
  if (issued.outcome === "cooldown") {
    const nextResendAvailableAt = new Date(Date.now() + issued.retryAfterMs).toISOString();
    throw appError("emailVerification/CooldownActive", {
      data: { nextResendAvailableAt },
      retryAfterSeconds: seconds(issued.retryAfterMs),
    });
  }

  try {
    const mail = await renderVerificationEmail({
      locale: auth.tenant.locale,
      code,
      ttlMinutes: Math.min(1440, Math.max(1, Math.ceil(otp.ttlSeconds / 60))),
      tenantName: auth.tenant.name,
    });
    await getMailer().send({ to: email, ...mail });
  } catch (error) {
    // Not delivered: take back this send's code, cooldown and mail count so the user can retry at once.
    await releaseOtp(subject, { nonce, email }).catch((releaseError: unknown) => {
      getLogger().warn({ err: String(releaseError) }, "could not release an undelivered verification code");
    });
    if (isMailUnavailable(error)) throw appError("service/Unavailable", { cause: error });
    throw error;
  }
  return { expiresAt: new Date(now + ttlMs).toISOString(), nextResendAvailableAt: new Date(now + cooldownMs).toISOString() };
}

export async function verifyEmailCode(
  auth: SessionState,
  code: string,
  client: { ip: string },
): Promise<{ user: UserDto; accessToken: string; accessTokenExpiresAt: string }> {
  const { otp } = getConfig();
  const { tenant, session } = auth;
  const subject = subjectOf(auth);
  const checked = await checkOtp(subject, {
    hmac: otpCodeHmac(subject, code),
    maxAttempts: otp.maxAttempts,
    failuresPerHour: otp.failuresPerHour,
  });
  if (checked.outcome === "budget") throw tooManyRequests(checked.retryAfterMs);
  if (checked.outcome === "invalid") throw appError("emailVerification/InvalidCode");

  const email = checked.email;
  let user;
  try {
    user = await getPrisma().$transaction(async (tx) => {
      const updated = await tx.user.update({
        where: { id: auth.user.id },
        data: { email, verifiedEmail: email, emailVerifiedAt: new Date() },
      });
      await auditUserAction(tx, updated, "user.emailVerified", { tenant, ip: client.ip });
      return updated;
    });
  } catch (error) {
    // The unique index decides between two users verifying one address at the same time.
    if (isUniqueViolation(error, ["tenantId", "verifiedEmail"])) throw appError("user/EmailDuplicated");
    throw error;
  }
  const access = await issueAccessToken({ user, tenant, sessionId: session.id });
  return { user: toUserDto(user, tenant.key), ...access };
}
