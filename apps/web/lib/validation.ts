import type { z } from "zod";
import {
  ALLOWED_EMAIL_DOMAINS_MAX,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_CHARACTERS,
  allowedEmailDomainsSchema,
  appUrlSchema,
  emailDomainSchema,
  emailSchema,
  newPasswordSchema,
  tenantKeySchema,
} from "@gatehouse/contract";

/**
 * The forms' checks are the API's own zod schemas (@gatehouse/contract), run before the round
 * trip; this module only picks plainer words for staff where the schema's are technical. The API
 * stays the judge: its `issues` are shown next to the fields as well.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A value through a schema: its normalized form, or the first problem in the schema's words. */
export function check<Schema extends z.ZodType>(schema: Schema, value: unknown): Checked<z.output<Schema>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: result.error.issues[0]?.message ?? "This value is not valid." };
}

/** The first problem a schema finds with a value, in its words; undefined when it passes. */
export function problemOf(schema: z.ZodType, value: unknown): string | undefined {
  const checked = check(schema, value);
  return checked.ok ? undefined : checked.problem;
}

/** Whether a route or query parameter is a tenant key as the API writes it (no normalizing needed). */
export function isTenantKey(value: string): boolean {
  const checked = check(tenantKeySchema, value);
  return checked.ok && checked.value === value;
}

export type DomainCheck = { ok: true; domain: string } | { ok: false; message: string };

/** One allowed email domain typed into the chips (a leading "@" forgiven), checked by the API's schema. */
export function checkEmailDomain(raw: string, existing: readonly string[]): DomainCheck {
  const typed = raw.trim();
  const candidate = typed.startsWith("@") ? typed.slice(1) : typed;
  if (candidate === "") return { ok: false, message: "Type a domain first, such as example.com." };
  const checked = check(emailDomainSchema, candidate);
  if (!checked.ok) {
    // Say what went wrong in staff's words: an address or a URL pasted in, or just not a domain.
    if (candidate.includes("@")) return { ok: false, message: "Enter only the part after @, such as example.com." };
    if (candidate.includes("://")) return { ok: false, message: "Enter the domain without http:// or https://." };
    return { ok: false, message: "That is not a valid domain name. Use letters, digits, hyphens and dots, such as example.com." };
  }
  const domain = checked.value;
  if (existing.includes(domain)) return { ok: false, message: `${domain} is already in the list.` };
  if (!check(allowedEmailDomainsSchema, [...existing, domain]).ok) {
    return { ok: false, message: `A tenant can have at most ${ALLOWED_EMAIL_DOMAINS_MAX} allowed domains.` };
  }
  return { ok: true, domain };
}

/**
 * The rule in people's words, for every new-password hint. The maximum is 72 UTF-8 bytes, said as
 * characters: plain letters, digits and symbols count one, accented ones two, Korean ones three.
 */
export const newPasswordHint = `${PASSWORD_MIN_CHARACTERS} to ${PASSWORD_MAX_BYTES} characters; accented letters count as 2 and Korean ones as 3 (so at most ${Math.floor(PASSWORD_MAX_BYTES / 3)} in Korean).`;

/** The length rule of a new password (the API's schema, counted after NFKC); undefined when it passes. */
export function passwordLengthProblem(password: string): string | undefined {
  const result = newPasswordSchema.safeParse(password);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (issue?.code === "too_small") return `Use at least ${PASSWORD_MIN_CHARACTERS} characters.`;
  if (issue?.code === "too_big") {
    return `Too long: at most ${PASSWORD_MAX_BYTES} characters, where accented letters count as 2 and Korean ones as 3. Shorten it.`;
  }
  return issue?.message;
}

/** An email address through the API's schema: its normalized form, or the problem in staff's words. */
export function checkEmail(raw: string): Checked<string> {
  if (raw.trim() === "") return { ok: false, problem: "Enter an email address." };
  const result = emailSchema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, problem: issue?.code === "too_big" ? issue.message : "Enter a valid email address, such as name@example.com." };
}

/** An email address's problem (see checkEmail); undefined when it passes. */
export function emailProblem(raw: string): string | undefined {
  const checked = checkEmail(raw);
  return checked.ok ? undefined : checked.problem;
}

/** The API's appUrl rule (absolute http or https); undefined when empty or fine. */
export function appUrlProblem(raw: string): string | undefined {
  return problemOf(appUrlSchema, raw);
}
