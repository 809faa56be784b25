import { randomBytes } from "node:crypto";
import { getConfig } from "../config";
import { appError } from "../errors";
import { clientSubnet } from "../lib/network";
import {
  checkOtp,
  countSmsSend,
  issueOtp,
  newOtpCode,
  otpCodeHmac,
  releaseOtp,
  releaseSmsSend,
  type NetworkBudget,
  type PhoneVerificationOtpSubject,
  type ResetSmsOtpSubject,
  type SmsSend,
} from "../policy/otp-limiter";
import { tooManyRequests } from "./code-mail";

/**
 * Every texted code (phone verification, reset by SMS), as code-mail.ts is for mailed ones: the
 * steps of CONTRACT v2 "Order of checks" that concern SMS, each one call, so a procedure puts
 * its own checks (the 409 of phone verification) between them:
 *
 *   const send = await countSmsSendRequest({ tenantId, phone, userId? });  // volume caps, 429
 *   ... uniqueness (409) ...
 *   const issued = await issueSmsCode(subject, phone, client);             // budgets, cooldown, 429s
 *   try { deliver smsCodeText(...) } catch { await undoSmsSend(subject, issued, send); throw 503 }
 *
 * Reset by SMS (clientPasswordReset.sendSmsCode) calls countSmsSendRequest without a userId (no
 * per-user cap: the number's and the tenant's count), then issueSmsCode with the subject
 * `{ tenantId, purpose: "resetSms", phone }`, whether or not anyone verified the number; when the
 * outbox finally gives up on the message, `undoSmsSend(...)` (or just `releaseSmsSend(send)`) gives
 * the counts back; `checkSmsCode(subject, code, client)` proves the code and answers the number.
 */

/** Where an SMS code goes: a phone verification's user, or a reset's number. */
export type SmsCodeSubject = PhoneVerificationOtpSubject | ResetSmsOtpSubject;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The two failure budgets (CONTRACT "Numbers (v2)", SMS code): 100 per hour for the subject's
 * target (the number of a reset, the user of a phone verification), and 15 of them per client
 * network, so guesses from one network cannot lock the owner out from theirs.
 */
function budgets(client: { ip: string }): { failuresPerHour: number; networkBudget: NetworkBudget } {
  const { perNumber, perNumberAndNetwork } = getConfig().limits.smsCodeFailures;
  return { failuresPerHour: perNumber, networkBudget: { network: clientSubnet(client.ip), failuresPerHour: perNumberAndNetwork } };
}

/**
 * Counts one SMS send request against the volume caps (429 rateLimit/TooManyRequests when one is
 * reached). Call it for every send request right after the number is normalized, before any
 * lookup; keep the answer to give the count back if the SMS is never delivered.
 */
export async function countSmsSendRequest(who: { tenantId: string; phone: string; userId?: string }): Promise<SmsSend> {
  const send: SmsSend = { ...who, nonce: randomBytes(16).toString("hex") };
  const counted = await countSmsSend(send);
  if (counted.outcome === "cap") throw tooManyRequests(counted.retryAfterMs);
  return send;
}

export interface IssuedSmsCode {
  /** The 6 digits to text; never logged, never stored (Redis keeps its keyed hash). */
  code: string;
  /** Names this send, so that undoSmsSend takes back only what it set. */
  nonce: string;
  phone: string;
  expiresAt: string;
  nextResendAvailableAt: string;
}

/**
 * Issues the subject's new code for `phone` (replacing its previous one): the failure budgets
 * (429 rateLimit/TooManyRequests), then the cooldown (429 smsVerification/CooldownActive with
 * `data.nextResendAvailableAt` and Retry-After), then the code and the cooldown are stored.
 */
export async function issueSmsCode(subject: SmsCodeSubject, phone: string, client: { ip: string }): Promise<IssuedSmsCode> {
  const { otp, sms } = getConfig();
  const code = newOtpCode();
  const nonce = randomBytes(16).toString("hex");
  const now = Date.now();
  const ttlMs = sms.codeTtlSeconds * 1000;
  const cooldownMs = otp.resendCooldownSeconds * 1000;
  const issued = await issueOtp(subject, {
    hmac: otpCodeHmac(subject, code),
    email: phone,
    nonce,
    ttlMs,
    cooldownMs,
    ...budgets(client),
    mailsPerAddressPerHour: 0,
    expiresAtMs: now + ttlMs,
    now,
  });
  if (issued.outcome === "cap" || issued.outcome === "budget") throw tooManyRequests(issued.retryAfterMs);
  if (issued.outcome === "cooldown") {
    throw appError("smsVerification/CooldownActive", {
      data: { nextResendAvailableAt: new Date(Date.now() + issued.retryAfterMs).toISOString() },
      retryAfterSeconds: seconds(issued.retryAfterMs),
    });
  }
  return {
    code,
    nonce,
    phone,
    expiresAt: new Date(now + ttlMs).toISOString(),
    nextResendAvailableAt: new Date(now + cooldownMs).toISOString(),
  };
}

/**
 * Undoes a send whose SMS was not delivered: its code and cooldown (if still this send's) and its
 * counts in the volume caps, so the user may retry at once. Never throws (a failure is the
 * caller's log line at most): the answer the caller gives is about the delivery.
 */
export async function undoSmsSend(subject: SmsCodeSubject, issued: { nonce: string; phone: string }, send: SmsSend): Promise<void> {
  await Promise.all([releaseOtp(subject, { nonce: issued.nonce, email: issued.phone }), releaseSmsSend(send)]);
}

/**
 * One guess at the subject's code, counted before its answer is known: the number the code was
 * texted to, or 401 smsVerification/InvalidCode (wrong, expired, exhausted, none), or 429 when a
 * failure budget is spent (even for the right code).
 */
export async function checkSmsCode(subject: SmsCodeSubject, code: string, client: { ip: string }): Promise<string> {
  const { otp } = getConfig();
  const checked = await checkOtp(subject, { hmac: otpCodeHmac(subject, code), maxAttempts: otp.maxAttempts, ...budgets(client) });
  if (checked.outcome === "budget") throw tooManyRequests(checked.retryAfterMs);
  if (checked.outcome === "invalid") throw appError("smsVerification/InvalidCode");
  return checked.email;
}

/** A tenant name in an SMS: one line, short, and with no run of 6 digits beside the code. */
function serviceName(name: string): string {
  const line = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const short = Array.from(line).length > 40 ? `${Array.from(line).slice(0, 39).join("")}…` : line;
  return short.replace(/\p{Nd}{6,}/gu, (run) => (run.match(/\p{Nd}{1,3}/gu) ?? [run]).join("-"));
}

/**
 * The text of a code SMS, in the tenant's locale (ko, else en): names the service (the tenant's
 * name) and has the code as its only run of 6 digits (CONTRACT v2 "Numbers (v2)").
 */
export function smsCodeText(
  tenant: { name: string; locale: string },
  code: string,
  purpose: SmsCodeSubject["purpose"],
  ttlSeconds: number = getConfig().sms.codeTtlSeconds,
): string {
  const name = serviceName(tenant.name);
  const minutes = Math.max(1, Math.ceil(ttlSeconds / 60));
  if (tenant.locale === "ko") {
    const what = purpose === "resetSms" ? "비밀번호 재설정 인증번호" : "휴대폰 인증번호";
    return `[${name}] ${what}는 ${code} 입니다. ${minutes}분 안에 입력하세요. 타인에게 알려주지 마세요.`;
  }
  const what = purpose === "resetSms" ? "password reset code" : "phone verification code";
  return `${name}: your ${what} is ${code}. It expires in ${minutes} min. Never share it.`;
}
