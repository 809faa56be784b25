import { z } from "zod";
import { domainNamePattern } from "../../policy/email-domain-policy";

/** Field schemas that only BackOffice inputs use (the shared ones live in policy/inputs.ts). */

export const tenantNameSchema = z.string().trim().min(1, "Enter a name.").max(100, "A tenant name has at most 100 characters.");

const emailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(domainNamePattern, "Enter a domain name such as example.com (no @, no scheme).");

/** Each entry trimmed and lower-cased, then checked; duplicates dropped, first occurrence kept. */
export const allowedEmailDomainsSchema = z
  .array(emailDomainSchema)
  .max(100, "At most 100 domains.")
  .transform((domains) => [...new Set(domains)]);

export const localeSchema = z.enum(["ko", "en"]);

/**
 * A tenant's app URL: http(s) only, stored as its origin (links in mail and CORS use the
 * origin). An empty string or null clears it.
 */
export const appUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .transform((value, ctx) => {
    if (value === "") return null;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter an absolute http(s) URL such as https://app.example.com." });
      return z.NEVER;
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
      ctx.addIssue({ code: "custom", message: "The app URL must start with http:// or https://." });
      return z.NEVER;
    }
    return url.origin;
  })
  .nullable();

/** `query`: a case-insensitive substring; blank means no filter. */
export const searchQuerySchema = z
  .string()
  .trim()
  .max(100)
  .transform((value) => (value === "" ? undefined : value))
  .optional();

/** Names an existing user: any 1..64 characters, lower-cased (unknown ones are a 404, not a 400). */
export const userLookupSchema = z.string().trim().toLowerCase().min(1).max(64);

/** Names an existing staff member by email (lower-cased). */
export const staffLookupEmailSchema = z.string().trim().toLowerCase().min(1).max(254);
