import { z } from "zod";
import { localeSchema } from "./locales";
import { socialProviderSchema, staffRoleSchema } from "./fields";

/**
 * The answers' shapes (CONTRACT.md "Routers", docs/api.md "Shapes"), with the nullability the
 * API really returns. Every procedure's output is validated against them on every call, so they
 * are plain objects: no transforms, no defaults. tRPC answers what they parse, in their key
 * order, so each lists its fields in the order the services build them (the answers' bytes are
 * the ones before output validation). They are not strict: a field a service returns that is not
 * listed here is left out of the answer (never a 500, and nothing internal leaks), and a document
 * generated from them keeps additive changes additive (no `additionalProperties: false` that
 * would make a generated client refuse a new field). Tests see a field missing from a shape.
 */

const timestamp = z.iso.datetime();
const nullableTimestamp = timestamp.nullable();
/** An id the database made (a UUID); checked for its form only, not its version. */
const id = z.guid();

export const userSchema = z
  .object({
    id: id.describe("Stable id (UUID): the access token's `sub`."),
    tenantKey: z.string(),
    userId: z.string().describe("Lower case, unique within the tenant."),
    displayName: z.string(),
    email: z.string().nullable().describe("Lower case; null for an admin-issued manager created without one."),
    emailVerifiedAt: nullableTimestamp,
    role: z.enum(["member", "manager"]),
    source: z.enum(["self_signup", "admin_issued"]),
    mustChangePassword: z.boolean(),
    suspendedAt: nullableTimestamp,
    lastLoginAt: nullableTimestamp.describe("The last password sign-in (sign-up and refresh do not set it)."),
    createdAt: timestamp,
    phone: z.string().nullable().describe("E.164; null until the user gives one (CONTRACT v2)."),
    phoneVerifiedAt: nullableTimestamp,
    hasPassword: z.boolean().describe("False for users who signed up with an email code or a provider (CONTRACT v2)."),
  })
  .describe("An end user (never a password hash).");
export type User = z.infer<typeof userSchema>;

const accessTokenFields = {
  accessToken: z.string().describe("A JWT (EdDSA) for `Authorization: Bearer`."),
  accessTokenExpiresAt: timestamp,
};

export const sessionSchema = z
  .object({
    ...accessTokenFields,
    refreshToken: z.string().describe("Opaque; rotated on every refresh."),
    refreshTokenExpiresAt: timestamp,
    user: userSchema,
  })
  .describe("The answer of signUp, signIn and refresh.");
export type Session = z.infer<typeof sessionSchema>;

/** CONTRACT v2 `clientPasswordless.verify`: signed in, or a token to finish signing up with. */
export const passwordlessVerifyResultSchema = z.discriminatedUnion("needSignup", [
  sessionSchema.extend({ needSignup: z.literal(false) }),
  z.object({
    needSignup: z.literal(true),
    signupToken: z.string().describe("Opaque, single use; `register` takes it."),
    signupTokenExpiresAt: timestamp,
  }),
]);

/** `register`'s (and a social sign-in's) answer: a session, and whether the user was created by it. */
export const newUserSessionSchema = sessionSchema.extend({ isNewUser: z.boolean() });

export const successSchema = z.object({ success: z.literal(true) });

export const changePasswordResultSchema = z.object({ success: z.literal(true), ...accessTokenFields });

export const verifyEmailResultSchema = z.object({ user: userSchema, ...accessTokenFields });

export const codeSentSchema = z.object({
  expiresAt: timestamp.describe("When this code dies."),
  nextResendAvailableAt: timestamp.describe("When the next send is allowed."),
});

const sessionViewFields = {
  id,
  createdAt: timestamp,
  lastUsedAt: timestamp.describe("The sign-in or the last refresh."),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
};

export const ownSessionsSchema = z.object({
  items: z.array(z.object({ ...sessionViewFields, current: z.boolean().describe("The caller's own session.") })),
});

/** CONTRACT v2: one of a user's linked provider accounts. */
export const identitySchema = z.object({
  provider: socialProviderSchema,
  email: z.string().nullable().describe("The provider's address when linked (lower case), null when it gave none."),
  linkedAt: timestamp,
});

export const identitiesSchema = z.object({ items: z.array(identitySchema) });

export const userWithSessionsSchema = z.object({
  user: userSchema,
  sessions: z.array(z.object(sessionViewFields)),
  identities: z.array(identitySchema).describe("The user's linked provider accounts (CONTRACT v2)."),
});

/** CONTRACT v2 `backOffice.socialProviders`: a tenant's credentials at one provider, secret left out. */
export const socialProviderConfigSchema = z
  .object({
    provider: socialProviderSchema,
    clientId: z.string(),
    hasClientSecret: z.boolean().describe("A secret is stored (it is write-only)."),
    nativeClientIds: z.array(z.string()),
    scopes: z.array(z.string()),
    enabled: z.boolean(),
    updatedAt: timestamp,
  })
  .describe("A tenant's credentials at one provider (the client secret is never returned).");
export type SocialProviderConfig = z.infer<typeof socialProviderConfigSchema>;

/** CONTRACT v2 `clientSocial.start`. */
export const socialStartResultSchema = z.object({
  authorizationUrl: z.string().describe("Send the browser here (the provider's authorization page)."),
  expiresAt: timestamp.describe("When this round trip's state dies (10 minutes)."),
});

export const userResultSchema = z.object({ user: userSchema });

export const temporaryPasswordResultSchema = z.object({
  user: userSchema,
  temporaryPassword: z.string().describe("Shown once; stored only hashed."),
});

export const tenantSchema = z
  .object({
    id,
    key: z.string(),
    name: z.string(),
    allowedEmailDomains: z.array(z.string()),
    locale: localeSchema,
    appUrl: z.string().nullable().describe("An origin such as https://app.example.com."),
    passwordSignUp: z.boolean().describe("clientAuth.signUp is open (CONTRACT v2; default true)."),
    emailCodeSignIn: z.boolean().describe("clientPasswordless is open (CONTRACT v2; default false)."),
    redirectUris: z.array(z.string()).describe("Where a social sign-in may return to (CONTRACT v2)."),
    phoneCountries: z
      .array(z.string())
      .describe("Countries whose phone numbers the tenant accepts; the first is the national region (CONTRACT v2)."),
    socialProviders: z
      .array(z.object({ provider: socialProviderSchema, enabled: z.boolean() }))
      .describe("Read-only summary of backOffice.socialProviders (CONTRACT v2)."),
    deletedAt: nullableTimestamp,
    createdAt: timestamp,
  })
  .describe("A tenant.");
export type Tenant = z.infer<typeof tenantSchema>;

export const staffSchema = z
  .object({ id, email: z.string(), role: staffRoleSchema, disabledAt: nullableTimestamp, createdAt: timestamp })
  .describe("A BackOffice staff member.");
export type Staff = z.infer<typeof staffSchema>;

export const auditEventSchema = z
  .object({
    id: z.string().describe("A decimal number, as a string."),
    at: timestamp,
    actor: z.object({ type: z.enum(["staff", "user", "system"]), id: z.string().nullable(), label: z.string().nullable() }),
    tenantKey: z.string().nullable(),
    action: z.string().describe("An audit action such as `user.signedIn` (older events may hold ones no longer written)."),
    target: z.string().nullable().describe('What the action was done to, e.g. "user:alice".'),
    ip: z.string().nullable(),
  })
  .describe("One audit log event.");
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** A list's page: newest first, `nextCursor` null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** CONTRACT v2 `clientPasswordReset.verifyCode`. */
export const resetVerifyResultSchema = z.object({
  resetToken: z.string().describe("Opaque, single use; `resetPassword` takes it."),
  resetTokenExpiresAt: timestamp,
  userId: z.string().describe('The account the code proved (the seed\'s "find account").'),
});

/** CONTRACT v2 `backOffice.tenants.stats`: what an operator watches for SMS pumping. */
export const tenantStatsSchema = z.object({
  users: z.number().int().describe("Live (not deleted) users."),
  liveSessions: z.number().int(),
  smsSentLast24h: z.number().int(),
  codeMailsSentLast24h: z.number().int(),
});
