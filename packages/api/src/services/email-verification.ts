import { getPrisma, isUniqueViolation } from "@gatehouse/db";
import { renderVerificationEmail } from "@gatehouse/email";
import { getConfig } from "../config";
import { appError } from "../errors";
import { assertEmailDomainAllowed, assertMailableAddress } from "../policy/email-domain-policy";
import { checkOtp, otpCodeHmac, type OtpSubject } from "../policy/otp-limiter";
import { mailNewCode, tooManyRequests } from "./code-mail";
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

  return mailNewCode(subject, {
    email,
    ttlSeconds: otp.ttlSeconds,
    failuresPerHour: otp.failuresPerHour,
    render: (code, ttlMinutes) => renderVerificationEmail({ locale: auth.tenant.locale, code, ttlMinutes, tenantName: auth.tenant.name }),
    what: "verification code",
  });
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
