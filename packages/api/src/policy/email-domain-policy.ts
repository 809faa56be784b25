import { appError, invalidField } from "../errors";

/**
 * A tenant's allowed email domains: a non-empty list accepts only addresses whose domain equals
 * one entry (case-insensitive); an empty list accepts any domain.
 */
export function isEmailDomainAllowed(email: string, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return allowedDomains.some((allowed) => allowed.toLowerCase() === domain);
}

export function assertEmailDomainAllowed(email: string, allowedDomains: readonly string[]): void {
  if (!isEmailDomainAllowed(email, allowedDomains)) throw appError("signUp/EmailDomainNotAllowed");
}

/**
 * CONTRACT v2 "`@social.local`": the placeholder addresses of accounts without a provider email
 * (`kakao_…@social.local`) are never mailed, so no input that takes an email accepts one.
 */
export function assertMailableAddress(email: string): void {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  if (domain === "social.local") throw invalidField("email", "This address cannot receive mail.");
}
