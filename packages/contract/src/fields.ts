import { z } from "zod";

/**
 * The contract's field rules (CONTRACT.md "Numbers", docs/api.md "Input rules"), one schema each,
 * shared by the API's procedures and the BackOffice's forms. Strings are normalized (trimmed,
 * lower-cased) before they are checked. Browser-safe: no Node API (bytes are counted with
 * TextEncoder).
 */

/** A new password: at least this many characters (code points), counted after NFKC. */
export const PASSWORD_MIN_CHARACTERS = 8;
/** Any password: at most this many UTF-8 bytes after NFKC (bcrypt's input; longer is refused, never truncated). */
export const PASSWORD_MAX_BYTES = 72;
/** The longest tenant key and new userId (their patterns' maximum). */
export const TENANT_KEY_MAX_LENGTH = 32;
export const USER_ID_MAX_LENGTH = 32;
/** What names an existing user, or signIn's userId: any 1..64 characters. */
export const USER_LOOKUP_MAX_CHARACTERS = 64;
export const DISPLAY_NAME_MAX_CHARACTERS = 64;
export const EMAIL_MAX_LENGTH = 254;
export const TENANT_NAME_MAX_LENGTH = 100;
export const ALLOWED_EMAIL_DOMAINS_MAX = 100;
export const APP_URL_MAX_LENGTH = 2048;
export const SEARCH_QUERY_MAX_LENGTH = 100;
export const AUDIT_ACTION_FILTER_MAX_LENGTH = 64;
/** Lists: `limit` 1..LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT when left out. */
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

const encoder = new TextEncoder();
const utf8Bytes = (value: string) => encoder.encode(value).length;
/** Characters as people count them: code points, so an emoji is one, not two UTF-16 units. */
const characters = (value: string) => [...value].length;

/**
 * Whether text can be stored and queried at all: PostgreSQL text cannot hold U+0000, and Prisma's
 * engine refuses to decode a lone UTF-16 surrogate (with the u flag, \p{Cs} matches only those).
 * The API's base procedure refuses any input holding such a string (a 400, never a database error).
 */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !/\p{Cs}/u.test(value);
}

/**
 * The one form of a password that is checked, hashed and compared: the same password typed on
 * another keyboard or input method (full-width, composed or decomposed) is the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** Whether two passwords are the same password (compared in their normalized form). */
export function isSamePassword(a: string, b: string): boolean {
  return normalizePassword(a) === normalizePassword(b);
}

/** Which of the account's names a password equals (case-insensitively, normalized), if any. */
export function passwordEqualsIdentity(
  password: string,
  identity: { userId?: string | null; email?: string | null },
): "userId" | "email" | undefined {
  const lower = normalizePassword(password).toLowerCase();
  if (identity.userId && lower === identity.userId.toLowerCase()) return "userId";
  if (identity.email && lower === identity.email.toLowerCase()) return "email";
  return undefined;
}

export const tenantKeySchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,31}$/, "Use 2-32 lower-case letters, digits or hyphens, starting with a letter or digit.")
  .describe("A tenant's key: 2-32 lower-case letters, digits or hyphens (trimmed and lower-cased first), e.g. `acme`.")
  .meta({ examples: ["acme"] });

export const userIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._-]{2,31}$/,
    "Use 3-32 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
  )
  .describe(
    "A new account's user ID: 3-32 lower-case letters, digits, dots, hyphens or underscores (trimmed and lower-cased first), e.g. `alice`.",
  )
  .meta({ examples: ["alice"] });

export const emailSchema = z
  .string()
  .trim()
  .max(EMAIL_MAX_LENGTH, `An email address has at most ${EMAIL_MAX_LENGTH} characters.`)
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }))
  .describe("An email address (trimmed, lower-cased), e.g. `alice@example.com`.")
  .meta({ examples: ["alice@example.com"] });

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a display name.")
  .refine(
    (value) => characters(value) <= DISPLAY_NAME_MAX_CHARACTERS,
    `A display name has at most ${DISPLAY_NAME_MAX_CHARACTERS} characters.`,
  )
  .describe(`The name shown for the user: 1-${DISPLAY_NAME_MAX_CHARACTERS} characters after trimming.`)
  .meta({ examples: ["Alice Kim"] });

/**
 * A new password, normalized (NFKC) and then measured: the output is the normalized form, which is
 * what services check and hash (the common-password and identity rules come in the API's
 * passwordPolicy). Its issues are `too_small` (characters) and `too_big` (bytes), so a form can
 * say either in its own words.
 */
export const newPasswordSchema = z
  .string()
  .normalize("NFKC")
  .superRefine((value, ctx) => {
    if (characters(value) < PASSWORD_MIN_CHARACTERS) {
      ctx.addIssue({
        code: "too_small",
        origin: "string",
        minimum: PASSWORD_MIN_CHARACTERS,
        inclusive: true,
        message: `A password has at least ${PASSWORD_MIN_CHARACTERS} characters.`,
      });
    }
    if (utf8Bytes(value) > PASSWORD_MAX_BYTES) {
      ctx.addIssue({
        code: "too_big",
        origin: "string",
        maximum: PASSWORD_MAX_BYTES,
        inclusive: true,
        message: `A password has at most ${PASSWORD_MAX_BYTES} bytes (UTF-8, after Unicode normalization); longer ones are refused, never truncated.`,
      });
    }
  })
  .describe(
    `A new password: normalized with Unicode NFKC, then at least ${PASSWORD_MIN_CHARACTERS} characters and at most ${PASSWORD_MAX_BYTES} UTF-8 bytes; not a common password, not the user ID or email.`,
  )
  .meta({ examples: ["a-long-unguessable-passphrase"] });

/** What signIn accepts: any 1..64 characters (unknown ones are simply 401). */
export const signInUserIdSchema = z
  .string()
  .min(1, "Enter your user ID.")
  .refine((value) => characters(value) <= USER_LOOKUP_MAX_CHARACTERS, `A user ID has at most ${USER_LOOKUP_MAX_CHARACTERS} characters.`)
  .describe(`The user ID to sign in with: any 1-${USER_LOOKUP_MAX_CHARACTERS} characters (trimmed and lower-cased for the lookup).`)
  .meta({ examples: ["alice"] });

/**
 * An existing password, as typed (the services normalize it before comparing, and compare the
 * typed form too for hashes made before normalization): 1..72 bytes, as typed or once normalized,
 * so whatever newPasswordSchema accepted signs in.
 */
export const existingPasswordSchema = z
  .string()
  .min(1, "Enter the password.")
  .refine(
    (value) => utf8Bytes(value) <= PASSWORD_MAX_BYTES || utf8Bytes(normalizePassword(value)) <= PASSWORD_MAX_BYTES,
    `A password has at most ${PASSWORD_MAX_BYTES} bytes.`,
  )
  .describe(`The current password, as typed: 1-${PASSWORD_MAX_BYTES} UTF-8 bytes (or longer when its NFKC form fits).`)
  .meta({ examples: ["a-long-unguessable-passphrase"] });

export const refreshTokenSchema = z
  .string()
  .min(1)
  .max(512)
  .describe("An opaque refresh token `<family>.<secret>`, as a Session answered it.");
export const uuidSchema = z
  .uuid()
  .describe("A UUID.")
  .meta({ examples: ["0b7e2a4c-5f1d-4e8a-9c3b-2d6f8a1e4b70"] });
export const otpCodeSchema = z
  .string()
  .regex(/^\d{6}$/, "The code is 6 digits.")
  .describe("The 6-digit code from the verification mail, e.g. `123456`.")
  .meta({ examples: ["123456"] });

/** Lists: `{cursor?, limit?}` with limit 1..100, default 20 (fields to spread into an input object). */
export const pageFields = {
  cursor: z.string().max(200).optional().nullable().describe("The previous page's `nextCursor`; leave out (or null) for the first page."),
  limit: z
    .number()
    .int()
    .min(1)
    .max(LIST_LIMIT_MAX)
    .default(LIST_LIMIT_DEFAULT)
    .describe(`Items per page, 1-${LIST_LIMIT_MAX} (default ${LIST_LIMIT_DEFAULT}).`),
};

/** A domain name such as example.com: labels of letters, digits and inner hyphens, at least two. */
export const domainNamePattern = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

export const tenantNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a name.")
  .max(TENANT_NAME_MAX_LENGTH, `A tenant name has at most ${TENANT_NAME_MAX_LENGTH} characters.`)
  .describe(`The tenant's name: 1-${TENANT_NAME_MAX_LENGTH} characters after trimming.`);

/** One allowed email domain: trimmed and lower-cased, then checked. */
export const emailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(domainNamePattern, "Enter a domain name such as example.com (no @, no scheme).");

/** Each entry trimmed and lower-cased, then checked; duplicates dropped, first occurrence kept. */
export const allowedEmailDomainsSchema = z
  .array(emailDomainSchema)
  .max(ALLOWED_EMAIL_DOMAINS_MAX, `At most ${ALLOWED_EMAIL_DOMAINS_MAX} domains.`)
  .transform((domains) => [...new Set(domains)])
  .describe(`Up to ${ALLOWED_EMAIL_DOMAINS_MAX} domain names, e.g. ["example.com"]; empty means any domain.`);

/**
 * A tenant's app URL: http(s) only, stored as its origin (links in mail and CORS use the
 * origin). An empty string or null clears it.
 */
export const appUrlSchema = z
  .string()
  .trim()
  .max(APP_URL_MAX_LENGTH)
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
  .nullable()
  .describe('The product app\'s absolute http(s) URL, stored as its origin, e.g. "https://app.example.com"; "" or null clears it.');

/** `query`: a case-insensitive substring; blank means no filter. */
export const searchQuerySchema = z
  .string()
  .trim()
  .max(SEARCH_QUERY_MAX_LENGTH)
  .transform((value) => (value === "" ? undefined : value))
  .optional()
  .describe(`A case-insensitive substring of the names, at most ${SEARCH_QUERY_MAX_LENGTH} characters; blank means no filter.`);

/** Names an existing user: any 1..64 characters, lower-cased (unknown ones are a 404, not a 400). */
export const userLookupSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(USER_LOOKUP_MAX_CHARACTERS)
  .describe("An existing user's user ID.");

/** Names an existing staff member by email (lower-cased). */
export const staffLookupEmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(EMAIL_MAX_LENGTH)
  .describe("An existing staff member's email.");

export const staffRoles = ["admin", "viewer"] as const;
export type StaffRole = (typeof staffRoles)[number];
export const staffRoleSchema = z.enum(staffRoles).describe('"admin" (may change things) or "viewer" (may only look).');

// ---- CONTRACT v2 "clientSocial" and `backOffice.socialProviders` ----

export const socialProviders = ["google", "kakao", "naver"] as const;
export type SocialProviderName = (typeof socialProviders)[number];
export const socialProviderSchema = z.enum(socialProviders).describe('"google", "kakao" or "naver".');

export const REDIRECT_URI_MAX_LENGTH = 2048;
export const REDIRECT_URIS_MAX = 20;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `hostname` (as `URL` reports it) is a loopback host that RFC 8252 §7.3 lets vary its port. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/**
 * Why `value` may not be one of a tenant's `redirectUris` (CONTRACT v2 "Tenant"), or null when it
 * may: `https://…`, `http://` on a loopback host, or a private-use scheme in reverse-DNS form
 * (`com.example.app:/oauth`, RFC 8252 §7.1); absolute, no fragment, no userinfo.
 */
export function redirectUriProblem(value: string): string | null {
  if (value.length > REDIRECT_URI_MAX_LENGTH) return `A redirect URI has at most ${REDIRECT_URI_MAX_LENGTH} characters.`;
  if (!/^[\x21-\x7e\u00a0-\uffff]*$/.test(value)) return "A redirect URI has no spaces or control characters.";
  if (value.includes("#")) return "A redirect URI has no fragment (#…).";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter an absolute URI such as https://app.example.com/auth/callback or com.example.app:/oauth.";
  }
  if (url.username || url.password) return "A redirect URI has no user name or password in it.";
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https") return url.hostname ? null : "An https redirect URI names a host.";
  if (scheme === "http") {
    return isLoopbackHost(url.hostname) ? null : "Plain http is allowed only for localhost, 127.0.0.1 and [::1]; use https.";
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app's owner controls.
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme)) return null;
  return "Use https://, http://localhost (or 127.0.0.1, [::1]) or an app scheme in reverse-DNS form such as com.example.app:/oauth.";
}

export const redirectUriSchema = z
  .string()
  .max(REDIRECT_URI_MAX_LENGTH)
  .superRefine((value, ctx) => {
    const problem = redirectUriProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe("An absolute redirect URI: https://…, http://localhost…, http://127.0.0.1…, http://[::1]… or com.example.app:/path.")
  .meta({ examples: ["https://app.example.com/auth/callback"] });

/** A tenant's `redirectUris`: duplicates dropped, first occurrence kept. */
export const redirectUrisSchema = z
  .array(redirectUriSchema)
  .max(REDIRECT_URIS_MAX, `At most ${REDIRECT_URIS_MAX} redirect URIs.`)
  .transform((uris) => [...new Set(uris)])
  .describe(`Up to ${REDIRECT_URIS_MAX} absolute URIs a social sign-in may return to, compared as exact strings (loopback ports aside).`);

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** PKCE S256 challenge: base64url of a SHA-256, 43 characters. */
export const codeChallengeSchema = z
  .string()
  .length(43, "A PKCE S256 challenge is 43 base64url characters.")
  .regex(BASE64URL, "A PKCE S256 challenge is 43 base64url characters.")
  .describe("PKCE S256: BASE64URL(SHA-256(codeVerifier)), 43 characters.");

/** PKCE verifier (RFC 7636 §4.1 allows 43–128 unreserved characters; the SDK sends base64url). */
export const codeVerifierSchema = z
  .string()
  .min(43, "A PKCE verifier is 43-128 base64url characters.")
  .max(128, "A PKCE verifier is 43-128 base64url characters.")
  .regex(BASE64URL, "A PKCE verifier is 43-128 base64url characters.")
  .describe("The PKCE verifier whose S256 challenge `start` got: 43-128 base64url characters.");

/** The app's own `state`, handed back on the redirect as given (RFC 6749 VSCHAR). */
export const socialStateSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x20-\x7e]+$/, "state is printable ASCII.")
  .describe("Opaque to Gatehouse: handed back on the redirect to `redirectUri` (1-512 printable ASCII characters).");

/** Gatehouse's one-time code, as the redirect carried it. */
export const socialCodeSchema = z.string().min(1).max(512).describe("The one-time `code` the redirect carried (60 s, single use).");

/** A provider's token as a native SDK handed it to the app. */
export const providerTokenSchema = z.string().min(1).max(8192);

export const providerClientIdSchema = z
  .string()
  .trim()
  .min(1, "Enter the client id.")
  .max(256)
  .describe("The app's client id (Kakao: the REST API key).");
export const providerClientSecretSchema = z.string().trim().min(1).max(512).describe("Write-only: stored encrypted, never returned.");
export const nativeClientIdsSchema = z
  .array(z.string().trim().min(1).max(256))
  .max(REDIRECT_URIS_MAX)
  .transform((ids) => [...new Set(ids)])
  .describe("Google: the Android/iOS client ids an id_token's `aud` may name; Kakao: numeric App IDs (token info's `app_id`).");
/**
 * What a provider is asked for when a tenant sets no scopes (CONTRACT v2 "backOffice additions").
 * Kakao's `account_email` works only for Kakao business apps (KOE205 otherwise), so tenants add it.
 */
export const defaultSocialScopes: Record<SocialProviderName, readonly string[]> = {
  google: ["openid", "email", "profile"],
  kakao: ["profile_nickname"],
  naver: [],
};

export const providerScopesSchema = z
  .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, "A scope is one word of printable characters."))
  .max(REDIRECT_URIS_MAX)
  .transform((scopes) => [...new Set(scopes)])
  .describe("OAuth scopes; left out: the provider's default (Google `openid email profile`, Kakao `profile_nickname`, Naver none).");

// ---- CONTRACT v2 phones and password reset ----

/** A phone number as typed: E.164 (`+821012345678`) or national (`010-1234-5678`); the API normalizes it. */
export const phoneInputSchema = z
  .string()
  .trim()
  .min(1, "Enter a phone number.")
  .max(32, "A phone number has at most 32 characters.")
  .describe("E.164 (`+821012345678`) or a national number of the tenant's first `phoneCountries` entry (`010-1234-5678`).")
  .meta({ examples: ["+821012345678"] });

export const PHONE_COUNTRIES_MAX = 50;

/** ISO 3166-1 alpha-2 codes, upper-cased; duplicates dropped, first (the national region) kept first. */
export const phoneCountriesSchema = z
  .array(
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "Enter a two-letter country code such as KR."),
  )
  .max(PHONE_COUNTRIES_MAX, `At most ${PHONE_COUNTRIES_MAX} countries.`)
  .transform((codes) => [...new Set(codes)])
  .describe('ISO 3166-1 alpha-2 codes, e.g. ["KR"]; the first is the region of national numbers; [] = any country, + numbers only.');

/** An opaque resetToken as `verifyCode` answered it. */
export const resetTokenSchema = z.string().min(1).max(512).describe("The resetToken `clientPasswordReset.verifyCode` answered.");
