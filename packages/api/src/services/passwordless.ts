import { getPrisma, type Tenant } from "@gatehouse/db";
import { renderSignInCodeEmail } from "@gatehouse/email";
import { getConfig } from "../config";
import { appError } from "../errors";
import { assertEmailDomainAllowed, assertMailableAddress } from "../policy/email-domain-policy";
import { checkOtp, otpCodeHmac, type AddressOtpSubject } from "../policy/otp-limiter";
import { addressCodeBudgets, mailNewCode, tooManyRequests } from "./code-mail";
import { signInVerifiedAddress, type VerifyResult } from "./passwordless-signup";
import type { ClientInfo } from "./sessions";
import { findLiveTenant } from "./tenants";

/**
 * clientPasswordless.sendCode and .verify (CONTRACT v2 "clientPasswordless"; "v2 rules in
 * detail" for the order of checks). The code is policy/otp-limiter's, purpose "signIn", target
 * the (tenant, address) pair: the same atomic guarantees as email verification. sendCode never
 * looks the address up, so its answer, its work and its mail are the same whether or not anyone
 * has the address. What verify does with a proved address is passwordless-signup.ts's.
 */

/** The tenant, if it exists and lets its users in by email code (404, then 400). */
async function emailCodeTenant(tenantKey: string): Promise<Tenant> {
  const tenant = await findLiveTenant(getPrisma(), tenantKey);
  if (!tenant.emailCodeSignIn) throw appError("auth/MethodNotEnabled");
  return tenant;
}

const subjectOf = (tenant: Tenant, email: string): AddressOtpSubject => ({ tenantId: tenant.id, purpose: "signIn", address: email });

/** The two failure budgets (CONTRACT "Numbers (v2)"): per (tenant, address) and per (tenant, address, network). */
const budgets = addressCodeBudgets;

export async function sendSignInCode(
  input: { tenantKey: string; email: string },
  client: ClientInfo,
): Promise<{ expiresAt: string; nextResendAvailableAt: string }> {
  const { otp } = getConfig();
  const tenant = await emailCodeTenant(input.tenantKey);
  // The schema trimmed and lower-cased the address; then the address's own rules.
  const email = input.email;
  assertMailableAddress(email);
  assertEmailDomainAllowed(email, tenant.allowedEmailDomains);

  // One script decides the rest, in the contract's order: the address's hourly mail cap, the
  // failure budgets, the cooldown; then stores the code and counts its mail.
  return mailNewCode(subjectOf(tenant, email), {
    email,
    ttlSeconds: otp.signInTtlSeconds,
    ...budgets(client),
    render: (code, ttlMinutes) => renderSignInCodeEmail({ locale: tenant.locale, code, ttlMinutes, tenantName: tenant.name }),
    what: "sign-in code",
  });
}

export async function verifySignInCode(
  input: { tenantKey: string; email: string; code: string },
  client: ClientInfo,
): Promise<VerifyResult> {
  const { otp } = getConfig();
  const tenant = await emailCodeTenant(input.tenantKey);
  const subject = subjectOf(tenant, input.email);
  // Counted before anyone learns the answer; a match consumes the code.
  const checked = await checkOtp(subject, { hmac: otpCodeHmac(subject, input.code), maxAttempts: otp.maxAttempts, ...budgets(client) });
  if (checked.outcome === "budget") throw tooManyRequests(checked.retryAfterMs);
  if (checked.outcome === "invalid") throw appError("emailVerification/InvalidCode");
  return signInVerifiedAddress(tenant, checked.email, client);
}
