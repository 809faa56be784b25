import { randomBytes } from "node:crypto";
import { isMailUnavailable, type RenderedEmail } from "@gatehouse/email";
import { getConfig } from "../config";
import { appError } from "../errors";
import { getLogger } from "../lib/log";
import { getMailer } from "../lib/mailer";
import { recordSent } from "./message-stats";
import { issueOtp, newOtpCode, otpCodeHmac, releaseOtp, type NetworkBudget, type OtpSubject } from "../policy/otp-limiter";

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** A 429 with Retry-After in whole seconds. */
export const tooManyRequests = (retryAfterMs: number) =>
  appError("rateLimit/TooManyRequests", { retryAfterSeconds: seconds(retryAfterMs) });

export interface CodeMail {
  /** Where the code goes (already checked against the address's rules). */
  email: string;
  ttlSeconds: number;
  /** The failure budget per hour of the subject, and for address codes the per-network one. */
  failuresPerHour: number;
  networkBudget?: NetworkBudget;
  /** The mail for this code; `ttlMinutes` is what it says of the code's life. */
  render: (code: string, ttlMinutes: number) => Promise<RenderedEmail>;
  /** For the log line when an undelivered code cannot be taken back, e.g. "sign-in code". */
  what: string;
}

/**
 * Every emailed code (email verification, email-code sign-in, and the reset mail to come): one
 * limiter script decides the address's hourly mail cap, the failure budgets and the cooldown
 * (429s), and stores the new code; then the mail goes out. A mail not delivered takes back its
 * code, cooldown and mail count, so the user can retry at once (503 when the mail server is down).
 */
export async function mailNewCode(subject: OtpSubject, mail: CodeMail): Promise<{ expiresAt: string; nextResendAvailableAt: string }> {
  const { otp } = getConfig();
  const code = newOtpCode();
  const nonce = randomBytes(16).toString("hex");
  const now = Date.now();
  const ttlMs = mail.ttlSeconds * 1000;
  const cooldownMs = otp.resendCooldownSeconds * 1000;
  const issued = await issueOtp(subject, {
    hmac: otpCodeHmac(subject, code),
    email: mail.email,
    nonce,
    ttlMs,
    cooldownMs,
    failuresPerHour: mail.failuresPerHour,
    ...(mail.networkBudget ? { networkBudget: mail.networkBudget } : {}),
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
    const rendered = await mail.render(code, Math.min(1440, Math.max(1, Math.ceil(mail.ttlSeconds / 60))));
    await getMailer().send({ to: mail.email, ...rendered });
  } catch (error) {
    await releaseOtp(subject, { nonce, email: mail.email }).catch((releaseError: unknown) => {
      getLogger().warn({ err: String(releaseError) }, `could not release an undelivered ${mail.what}`);
    });
    if (isMailUnavailable(error)) throw appError("service/Unavailable", { cause: error });
    throw error;
  }
  // Counted only once the mail server took it (tenants.stats): a refused or given-back code is not a mail.
  await recordSent(subject.tenantId, "codeMail");
  return { expiresAt: new Date(now + ttlMs).toISOString(), nextResendAvailableAt: new Date(now + cooldownMs).toISOString() };
}
