import { randomBytes } from "node:crypto";
import { isMailUnavailable, type RenderedEmail } from "@gatehouse/email";
import { getConfig } from "../config";
import { appError } from "../errors";
import { getLogger } from "../lib/log";
import { getMailer } from "../lib/mailer";
import { clientSubnet } from "../lib/network";
import { recordSent } from "./message-stats";
import { issueOtp, newOtpCode, otpCodeHmac, releaseOtp, type NetworkBudget, type OtpSubject } from "../policy/otp-limiter";

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The two failure budgets of an emailed code whose target is an address (CONTRACT "Numbers (v2)":
 * email sign-in and reset codes): 100 per (tenant, address), the limiter's own, and 15 per
 * (tenant, address, client network), so guesses from one network cannot spend the address's whole
 * budget and lock its owner out from theirs.
 */
export function addressCodeBudgets(client: { ip: string }): { failuresPerHour: number; networkBudget: NetworkBudget } {
  const { perAddress, perAddressAndNetwork } = getConfig().limits.signInCodeFailures;
  return { failuresPerHour: perAddress, networkBudget: { network: clientSubnet(client.ip), failuresPerHour: perAddressAndNetwork } };
}

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

/** A send's answer: when its code expires, when the next send may come. */
export interface CodeSent {
  expiresAt: string;
  nextResendAvailableAt: string;
}

/** A code the limiter accepted and stored: what to deliver, and how to undo the send. */
export interface IssuedCode {
  code: string;
  /** Names this send in the limiter (releaseOtp undoes only what it set). */
  nonce: string;
  sent: CodeSent;
}

/**
 * One limiter script decides the address's hourly mail cap, the failure budgets and the cooldown
 * (429s, in that order), and stores the new code with its cooldown and mail count. Delivering it
 * is the caller's; an undelivered code is taken back with releaseOtp and the nonce. (Texted codes
 * have their own: services/sms-code.ts.)
 */
export async function issueMailCode(subject: OtpSubject, spec: Omit<CodeMail, "render" | "what">): Promise<IssuedCode> {
  const { otp } = getConfig();
  const code = newOtpCode();
  const nonce = randomBytes(16).toString("hex");
  const now = Date.now();
  const ttlMs = spec.ttlSeconds * 1000;
  const cooldownMs = otp.resendCooldownSeconds * 1000;
  const issued = await issueOtp(subject, {
    hmac: otpCodeHmac(subject, code),
    email: spec.email,
    nonce,
    ttlMs,
    cooldownMs,
    failuresPerHour: spec.failuresPerHour,
    ...(spec.networkBudget ? { networkBudget: spec.networkBudget } : {}),
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
  return {
    code,
    nonce,
    sent: { expiresAt: new Date(now + ttlMs).toISOString(), nextResendAvailableAt: new Date(now + cooldownMs).toISOString() },
  };
}

/** What a code mail says of its code's life, in whole minutes (1..1440). */
export const codeMinutes = (ttlSeconds: number) => Math.min(1440, Math.max(1, Math.ceil(ttlSeconds / 60)));

/**
 * Every code mailed while the caller waits (email verification, email-code sign-in): issueMailCode,
 * then the mail. A mail not delivered takes back its code, cooldown and mail count, so the user
 * can retry at once (503 when the mail server is down). Password reset mails through the outbox
 * instead (services/password-reset.ts).
 */
export async function mailNewCode(subject: OtpSubject, mail: CodeMail): Promise<CodeSent> {
  const { render, what, ...spec } = mail;
  const issued = await issueMailCode(subject, spec);
  try {
    const rendered = await render(issued.code, codeMinutes(mail.ttlSeconds));
    await getMailer().send({ to: mail.email, ...rendered });
  } catch (error) {
    await releaseOtp(subject, { nonce: issued.nonce, email: mail.email }).catch((releaseError: unknown) => {
      getLogger().warn({ err: String(releaseError) }, `could not release an undelivered ${what}`);
    });
    if (isMailUnavailable(error)) throw appError("service/Unavailable", { cause: error });
    throw error;
  }
  // Counted only once the mail server took it (tenants.stats): a refused or given-back code is not a mail.
  await recordSent(subject.tenantId, "codeMail");
  return issued.sent;
}
