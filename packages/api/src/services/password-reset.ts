import { getPrisma, type Tenant, type User } from "@gatehouse/db";
import { renderPasswordResetCodeEmail } from "@gatehouse/email";
import { getConfig } from "../config";
import { appError } from "../errors";
import { assertMailableAddress } from "../policy/email-domain-policy";
import { checkOtp, otpCodeHmac, withdrawOtpCode, type AddressOtpSubject, type ResetSmsOtpSubject } from "../policy/otp-limiter";
import { normalizePhone } from "../policy/phone-number";
import { addressCodeBudgets, codeMinutes, issueMailCode, tooManyRequests, type CodeSent } from "./code-mail";
import { deliverSoon, enqueue, type OutboxInput } from "./outbox";
import { issueResetToken, type ResetTokenIssued } from "./password-reset-token";
import type { ClientInfo } from "./sessions";
import { smsEnabled } from "./sms";
import { checkSmsCode, countSmsSendRequest, issueSmsCode, smsCodeText } from "./sms-code";
import { findLiveTenant } from "./tenants";

/**
 * CONTRACT v2 "clientPasswordReset" up to the code ("forgot password"): sendEmailCode,
 * sendSmsCode and verifyCode. In the v2 order of checks (schema and per-IP limit in the router):
 * tenant (404) → SMS configured (400 auth/MethodNotEnabled, SMS only) → the address or number
 * (400) → volume caps (429, SMS) → failure budgets (429) → cooldown (429) — every one decided by
 * the limiter (policy/otp-limiter.ts) before anything is looked up, so they hold the same whether
 * or not anyone has the address or number. Only then is the owner looked up:
 *
 * - a user of the tenant whose **verified** address or number it is: the message goes to the
 *   outbox (services/outbox.ts), written before the answer and delivered at once after it, with
 *   failures retried in the background; the answer never waits for delivery;
 * - no one: nothing is sent (no texts to strangers' numbers) and the code is withdrawn, so the
 *   send stored nothing that any code could verify; the cooldown and every count stay.
 *
 * Both branches do the same work up to one small write (the message is rendered either way; the
 * outbox row in one case, the code's withdrawal in Redis in the other), so the answer and its
 * timing say nothing about the account. verifyCode names the account only once the code is
 * proved; a code can only be proved where one was delivered, so for a number or address no one
 * verified every guess is the plain 401 (and counts toward the budgets).
 */

const emailSubject = (tenant: Tenant, address: string): AddressOtpSubject => ({ tenantId: tenant.id, purpose: "resetEmail", address });
const smsSubject = (tenant: Tenant, phone: string): ResetSmsOtpSubject => ({ tenantId: tenant.id, purpose: "resetSms", phone });

/** The live user of the tenant who verified this address, if any (deleting a user clears it). */
async function ownerOfAddress(tenant: Tenant, address: string): Promise<User | null> {
  const user = await getPrisma().user.findUnique({ where: { tenantId_verifiedEmail: { tenantId: tenant.id, verifiedEmail: address } } });
  return user && !user.deletedAt ? user : null;
}

/** The live user of the tenant who verified this number (E.164), if any. */
async function ownerOfNumber(tenant: Tenant, phone: string): Promise<User | null> {
  const user = await getPrisma().user.findUnique({ where: { tenantId_verifiedPhone: { tenantId: tenant.id, verifiedPhone: phone } } });
  return user && !user.deletedAt ? user : null;
}

/** Writes the message to the outbox (durable before the answer), then starts its delivery in the background. */
async function handToOutbox(message: OutboxInput): Promise<void> {
  deliverSoon(await enqueue(getPrisma(), message));
}

/** The tenant, when this deployment can text (production without SMS_URL cannot: 400). */
async function smsTenant(tenantKey: string): Promise<Tenant> {
  const tenant = await findLiveTenant(getPrisma(), tenantKey);
  if (!smsEnabled()) throw appError("auth/MethodNotEnabled");
  return tenant;
}

export async function sendResetEmailCode(input: { tenantKey: string; email: string }, client: ClientInfo): Promise<CodeSent> {
  const { otp } = getConfig();
  const tenant = await findLiveTenant(getPrisma(), input.tenantKey);
  // The schema trimmed and lower-cased the address. No domain policy: the address is already
  // verified in the tenant when a reset can reach it (CONTRACT v2 "Domain policy").
  const email = input.email;
  assertMailableAddress(email);
  const subject = emailSubject(tenant, email);
  // The code-mail cap, the budgets and the cooldown, counted for every address.
  const issued = await issueMailCode(subject, { email, ttlSeconds: otp.signInTtlSeconds, ...addressCodeBudgets(client) });
  const mail = await renderPasswordResetCodeEmail({
    locale: tenant.locale,
    code: issued.code,
    ttlMinutes: codeMinutes(otp.signInTtlSeconds),
    tenantName: tenant.name,
  });
  const owner = await ownerOfAddress(tenant, email);
  if (owner) {
    await handToOutbox({
      tenantId: tenant.id,
      channel: "email",
      purpose: "passwordReset",
      payload: { to: email, ...mail },
      codeMail: true,
    });
  } else await withdrawOtpCode(subject, issued.nonce);
  return issued.sent;
}

export async function sendResetSmsCode(input: { tenantKey: string; phone: string }, client: ClientInfo): Promise<CodeSent> {
  const tenant = await smsTenant(input.tenantKey);
  const phone = normalizePhone(input.phone, tenant.phoneCountries);
  // Every request counts toward the volume caps, a send to a number no one verified too.
  const capCount = await countSmsSendRequest({ tenantId: tenant.id, phone });
  const subject = smsSubject(tenant, phone);
  const issued = await issueSmsCode(subject, phone, client);
  const text = smsCodeText(tenant, issued.code, "resetSms");
  const owner = await ownerOfNumber(tenant, phone);
  if (owner)
    await handToOutbox({
      tenantId: tenant.id,
      channel: "sms",
      purpose: "passwordReset",
      payload: { to: phone, text, tenantKey: tenant.key },
      capCount,
    });
  else await withdrawOtpCode(subject, issued.nonce);
  return { expiresAt: issued.expiresAt, nextResendAvailableAt: issued.nextResendAvailableAt };
}

/**
 * One guess at a reset code (counted before anyone learns the answer; a match consumes the code),
 * then the account: the user who verified the number or address **now**. One who lost it between
 * the send and the guess (deleted, or another took the number) gets the same 401 as a wrong code.
 */
export async function verifyResetCode(
  input: { tenantKey: string; code: string; phone?: string | undefined; email?: string | undefined },
  client: ClientInfo,
): Promise<ResetTokenIssued> {
  if (input.phone !== undefined) {
    const tenant = await smsTenant(input.tenantKey);
    const phone = normalizePhone(input.phone, tenant.phoneCountries);
    await checkSmsCode(smsSubject(tenant, phone), input.code, client);
    const owner = await ownerOfNumber(tenant, phone);
    if (!owner) throw appError("smsVerification/InvalidCode");
    return issueResetToken(tenant, owner);
  }
  const { otp } = getConfig();
  const tenant = await findLiveTenant(getPrisma(), input.tenantKey);
  // The schema guarantees exactly one of the two.
  const email = input.email ?? "";
  const subject = emailSubject(tenant, email);
  const checked = await checkOtp(subject, {
    hmac: otpCodeHmac(subject, input.code),
    maxAttempts: otp.maxAttempts,
    ...addressCodeBudgets(client),
  });
  if (checked.outcome === "budget") throw tooManyRequests(checked.retryAfterMs);
  if (checked.outcome === "invalid") throw appError("emailVerification/InvalidCode");
  const owner = await ownerOfAddress(tenant, email);
  if (!owner) throw appError("emailVerification/InvalidCode");
  return issueResetToken(tenant, owner);
}
