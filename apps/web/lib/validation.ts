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

/** The password rule's numbers (CONTRACT "Numbers"), counted after NFKC normalization as the API does. */
export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_BYTES = 72;

/**
 * The rule in people's words, for every new-password hint. The maximum is 72 UTF-8 bytes, said as
 * characters: plain letters, digits and symbols count one, accented ones two, Korean ones three.
 */
export const newPasswordHint = "8 to 72 characters; accented letters count as 2 and Korean ones as 3 (so at most 24 in Korean).";

/** The length rule of a new password, counted after NFKC as the API counts; undefined when it passes. */
export function passwordLengthProblem(password: string): string | undefined {
  const normalized = password.normalize("NFKC");
  if ([...normalized].length < PASSWORD_MIN_CHARACTERS) return "Use at least 8 characters.";
  if (new TextEncoder().encode(normalized).length > PASSWORD_MAX_BYTES) {
    return "Too long: at most 72 characters, where accented letters count as 2 and Korean ones as 3. Shorten it.";
  }
  return undefined;
}

/** A plausible email address (the API's schema decides; this only spares a round trip). */
export function emailProblem(raw: string): string | undefined {
  const email = raw.trim();
  if (email === "") return "Enter an email address.";
  if (email.length > 254) return "An email address has at most 254 characters.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return "Enter a valid email address, such as name@example.com.";
  return undefined;
}

/** The API's appUrl rule (http or https, absolute); undefined when empty or fine. */
export function appUrlProblem(raw: string): string | undefined {
  const value = raw.trim();
  if (value === "") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter an absolute http(s) URL such as https://app.example.com.";
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) return "The app URL must start with http:// or https://.";
  return undefined;
}
