/**
 * Client-side checks that mirror the API's schemas, so a form can answer before a round trip.
 * The API stays the judge: its `issues` are shown next to the fields as well.
 */

/** Same rule as the API's domainNamePattern (policy/email-domain-policy.ts). */
export const domainNamePattern = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

export type DomainCheck = { ok: true; domain: string } | { ok: false; message: string };

/** Normalizes (trim, lower case, strip a leading "@") and checks one allowed email domain. */
export function checkEmailDomain(raw: string, existing: readonly string[]): DomainCheck {
  const domain = raw.trim().toLowerCase().replace(/^@/, "");
  if (domain === "") return { ok: false, message: "Type a domain first, such as example.com." };
  if (domain.includes("@")) return { ok: false, message: "Enter only the part after @, such as example.com." };
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(domain)) return { ok: false, message: "Enter the domain without http:// or https://." };
  if (!domainNamePattern.test(domain)) {
    return { ok: false, message: "That is not a valid domain name. Use letters, digits, hyphens and dots, such as example.com." };
  }
  if (existing.includes(domain)) return { ok: false, message: `${domain} is already in the list.` };
  if (existing.length >= 100) return { ok: false, message: "A tenant can have at most 100 allowed domains." };
  return { ok: true, domain };
}

export const tenantKeyPattern = /^[a-z0-9][a-z0-9-]{1,31}$/;
export const userIdPattern = /^[a-z0-9][a-z0-9._-]{2,31}$/;
