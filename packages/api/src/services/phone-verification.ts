import { getPrisma, isUniqueViolation } from "@gatehouse/db";
import { appError } from "../errors";
import { getLogger } from "../lib/log";
import { getSmsSender, maskPhone, SmsDeliveryError } from "../lib/sms";
import type { PhoneVerificationOtpSubject } from "../policy/otp-limiter";
import { normalizePhone } from "../policy/phone-number";
import { auditUserAction } from "./audit";
import { toUserDto, type UserDto } from "./dto";
import type { ClientInfo } from "./sessions";
import type { SessionState } from "./session-state";
import { checkSmsCode, countSmsSendRequest, issueSmsCode, smsCodeText, undoSmsSend } from "./sms-code";

/**
 * clientPhoneVerification (CONTRACT v2): a 6-digit code texted to a number of the user's choosing;
 * entering it makes that number the user's verified phone. The code is policy/otp-limiter's,
 * purpose "phoneVerification", target the user (one code, one cooldown per user; the number
 * travels with the code). Delivery is synchronous: an SMS not delivered is a 503 and takes back
 * its code, cooldown and cap counts.
 */

const subjectOf = (auth: SessionState): PhoneVerificationOtpSubject => ({
  tenantId: auth.tenant.id,
  purpose: "phoneVerification",
  userId: auth.user.id,
});

/** Someone else in the tenant already verified this number. */
async function isVerifiedByAnother(auth: SessionState, phone: string): Promise<boolean> {
  const other = await getPrisma().user.findFirst({
    where: { tenantId: auth.tenant.id, verifiedPhone: phone, id: { not: auth.user.id } },
    select: { id: true },
  });
  return other !== null;
}

/**
 * In CONTRACT v2 "Order of checks" (the schema, the per-IP limit and the gates ran before): SMS
 * configured (400) → the number (400) → the volume caps (429, counted from here on) → uniqueness
 * (409) → the failure budgets (429) → the cooldown (429) → the text, delivered before answering.
 */
export async function sendPhoneCode(
  auth: SessionState,
  input: { phone: string },
  client: ClientInfo,
): Promise<{ expiresAt: string; nextResendAvailableAt: string }> {
  const sender = getSmsSender();
  if (!sender) throw appError("auth/MethodNotEnabled", { message: "SMS is not configured on this deployment." });
  // The session's tenant row (session-state.ts, the hot path) leaves phoneCountries out.
  const { phoneCountries } = await getPrisma().tenant.findUniqueOrThrow({
    where: { id: auth.tenant.id },
    select: { phoneCountries: true },
  });
  const phone = normalizePhone(input.phone, phoneCountries);
  const send = await countSmsSendRequest({ tenantId: auth.tenant.id, phone, userId: auth.user.id });
  if (await isVerifiedByAnother(auth, phone)) throw appError("user/PhoneDuplicated");

  const subject = subjectOf(auth);
  const issued = await issueSmsCode(subject, phone, client);
  try {
    await sender.send({ to: phone, text: smsCodeText(auth.tenant, issued.code, "phoneVerification"), tenantKey: auth.tenant.key });
  } catch (error) {
    await undoSmsSend(subject, issued, send).catch((undoError: unknown) => {
      getLogger().warn({ err: String(undoError) }, "could not take back an undelivered phone verification code");
    });
    if (error instanceof SmsDeliveryError) {
      getLogger().warn(
        { sms: sender.kind, kind: error.kind, to: maskPhone(phone), reason: error.message },
        "phone verification SMS not delivered",
      );
      throw appError("service/Unavailable", { cause: error });
    }
    throw error;
  }
  return { expiresAt: issued.expiresAt, nextResendAvailableAt: issued.nextResendAvailableAt };
}

/**
 * The code proves the number it was texted to: it becomes the user's `phone` and `verifiedPhone`
 * (the unique index per tenant decides between two users verifying one number at once: 409).
 */
export async function verifyPhoneCode(auth: SessionState, code: string, client: ClientInfo): Promise<{ user: UserDto }> {
  const { tenant } = auth;
  const phone = await checkSmsCode(subjectOf(auth), code, client);
  try {
    const user = await getPrisma().$transaction(async (tx) => {
      const updated = await tx.user.update({
        where: { id: auth.user.id },
        data: { phone, verifiedPhone: phone, phoneVerifiedAt: new Date() },
      });
      await auditUserAction(tx, updated, "user.phoneVerified", { tenant, ip: client.ip });
      return updated;
    });
    return { user: toUserDto(user, tenant.key) };
  } catch (error) {
    if (isUniqueViolation(error, ["tenantId", "verifiedPhone"])) throw appError("user/PhoneDuplicated");
    throw error;
  }
}
