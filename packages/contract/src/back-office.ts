import { z } from "zod";
import {
  AUDIT_ACTION_FILTER_MAX_LENGTH,
  allowedEmailDomainsSchema,
  appUrlSchema,
  displayNameSchema,
  emailSchema,
  existingPasswordSchema,
  newPasswordSchema,
  nativeClientIdsSchema,
  pageFields,
  phoneCountriesSchema,
  providerClientIdSchema,
  providerClientSecretSchema,
  providerScopesSchema,
  redirectUrisSchema,
  searchQuerySchema,
  socialProviderSchema,
  staffLookupEmailSchema,
  staffRoleSchema,
  tenantKeySchema,
  tenantNameSchema,
  userIdSchema,
  userLookupSchema,
} from "./fields";
import { defaultLocale, localeSchema } from "./locales";
import { anyProcedure, defineProcedure, staffGates } from "./procedure";
import {
  auditEventSchema,
  pageOf,
  socialProviderConfigSchema,
  staffSchema,
  successSchema,
  temporaryPasswordResultSchema,
  tenantSchema,
  tenantStatsSchema,
  userResultSchema,
  userSchema,
  userWithSessionsSchema,
} from "./shapes";

/** Every BackOffice procedure: the staff gates and what any procedure can answer. */
const staffProcedure = [...staffGates, ...anyProcedure] as const;

/** Names a tenant by its key (`tenants.*`). */
const tenantRef = z.object({ key: tenantKeySchema });
/** Names an existing user. */
const userRef = z.object({ tenantKey: tenantKeySchema, userId: userLookupSchema });

/** CONTRACT.md "backOffice": tenants.* */
export const tenantsContract = {
  list: defineProcedure({
    kind: "query",
    summary: "Tenants, newest first; deleted ones only with includeDeleted.",
    input: z.object({ query: searchQuerySchema, includeDeleted: z.boolean().optional(), ...pageFields }).prefault({}),
    output: pageOf(tenantSchema),
    errors: [...staffProcedure],
  }),
  get: defineProcedure({
    kind: "query",
    summary: "One tenant by key, deleted ones too.",
    input: tenantRef,
    output: tenantSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  create: defineProcedure({
    kind: "mutation",
    summary: "Creates a tenant; a key is never reused (deleted tenants keep theirs).",
    input: z.object({
      key: tenantKeySchema,
      name: tenantNameSchema,
      allowedEmailDomains: allowedEmailDomainsSchema.default([]),
      locale: localeSchema.default(defaultLocale),
      appUrl: appUrlSchema.optional().transform((url) => url ?? null),
      passwordSignUp: z.boolean().default(true),
      emailCodeSignIn: z.boolean().default(false),
      redirectUris: redirectUrisSchema.default([]),
      phoneCountries: phoneCountriesSchema.default(["KR"]),
    }),
    output: tenantSchema,
    errors: ["tenant/KeyDuplicated", ...staffProcedure],
  }),
  update: defineProcedure({
    kind: "mutation",
    summary: "Changes a live tenant's name, allowed email domains, locale, app URL or sign-in methods.",
    input: z.object({
      key: tenantKeySchema,
      name: tenantNameSchema.optional(),
      allowedEmailDomains: allowedEmailDomainsSchema.optional(),
      locale: localeSchema.optional(),
      appUrl: appUrlSchema.optional(),
      passwordSignUp: z.boolean().optional(),
      emailCodeSignIn: z.boolean().optional(),
      redirectUris: redirectUrisSchema.optional(),
      phoneCountries: phoneCountriesSchema.optional(),
    }),
    output: tenantSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  softDelete: defineProcedure({
    kind: "mutation",
    summary: "Marks a tenant deleted and ends every session of it (idempotent).",
    input: tenantRef,
    output: tenantSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  restore: defineProcedure({
    kind: "mutation",
    summary: "Clears a tenant's deletion; revives no session (idempotent).",
    input: tenantRef,
    output: tenantSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  /** CONTRACT v2 "backOffice additions". */
  stats: defineProcedure({
    kind: "query",
    summary: "Users, live sessions, and SMS and code mails sent in the last 24 hours (what an operator watches for pumping).",
    input: tenantRef,
    output: tenantStatsSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
};

/** CONTRACT v2 "backOffice additions": socialProviders.* (a tenant's credentials at each provider). */
export const socialProvidersContract = {
  list: defineProcedure({
    kind: "query",
    summary: "A tenant's provider credentials (secrets never returned).",
    input: z.object({ tenantKey: tenantKeySchema }),
    output: z.object({ items: z.array(socialProviderConfigSchema) }),
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  set: defineProcedure({
    kind: "mutation",
    summary: "Creates or replaces a tenant's credentials at one provider; leaving out clientSecret keeps the stored one.",
    input: z.object({
      tenantKey: tenantKeySchema,
      provider: socialProviderSchema,
      clientId: providerClientIdSchema,
      clientSecret: providerClientSecretSchema.optional(),
      nativeClientIds: nativeClientIdsSchema.optional(),
      scopes: providerScopesSchema.optional(),
      enabled: z.boolean(),
    }),
    output: socialProviderConfigSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  remove: defineProcedure({
    kind: "mutation",
    summary: "Removes a tenant's credentials at one provider (idempotent); linked identities stay.",
    input: z.object({ tenantKey: tenantKeySchema, provider: socialProviderSchema }),
    output: successSchema,
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
};

/** CONTRACT.md "backOffice": managers.issue */
export const managersContract = {
  issue: defineProcedure({
    kind: "mutation",
    summary: "Issues a manager (admin_issued, mustChangePassword) with a temporary password shown once; optionally mails an invitation.",
    input: z.object({
      tenantKey: tenantKeySchema,
      userId: userIdSchema,
      displayName: displayNameSchema,
      email: emailSchema.optional(),
      includePasswordInEmail: z.boolean().default(false).describe("Put the temporary password in the invitation (default false)."),
    }),
    output: temporaryPasswordResultSchema,
    errors: ["tenant/NotFound", "user/UserIdDuplicated", ...staffProcedure],
  }),
};

/** CONTRACT.md "backOffice": users.* */
export const usersContract = {
  list: defineProcedure({
    kind: "query",
    summary: "A live tenant's users, newest first.",
    input: z.object({ tenantKey: tenantKeySchema, query: searchQuerySchema, ...pageFields }),
    output: pageOf(userSchema),
    errors: ["tenant/NotFound", ...staffProcedure],
  }),
  /** Additive (README "Contract changelog"): one user and their live sessions. */
  get: defineProcedure({
    kind: "query",
    summary: "One user and their live sessions, newest first.",
    input: userRef,
    output: userWithSessionsSchema,
    errors: ["tenant/NotFound", "user/NotFound", ...staffProcedure],
  }),
  suspend: defineProcedure({
    kind: "mutation",
    summary: "Suspends a user and ends every session of theirs (idempotent).",
    input: userRef,
    output: userResultSchema,
    errors: ["tenant/NotFound", "user/NotFound", ...staffProcedure],
  }),
  unsuspend: defineProcedure({
    kind: "mutation",
    summary: "Lifts a suspension; revives no session (idempotent).",
    input: userRef,
    output: userResultSchema,
    errors: ["tenant/NotFound", "user/NotFound", ...staffProcedure],
  }),
  resetPassword: defineProcedure({
    kind: "mutation",
    summary: "Sets a temporary password (shown once), requires a password change and ends every session.",
    input: userRef,
    output: temporaryPasswordResultSchema,
    errors: ["tenant/NotFound", "user/NotFound", ...staffProcedure],
  }),
  delete: defineProcedure({
    kind: "mutation",
    summary: "Erases the user's personal data, frees the userId and ends their sessions.",
    input: userRef,
    output: successSchema,
    errors: ["tenant/NotFound", "user/NotFound", ...staffProcedure],
  }),
};

/** CONTRACT.md "backOffice": auditLog.list */
export const auditLogContract = {
  list: defineProcedure({
    kind: "query",
    summary: "Audit events, newest first, optionally of one tenant and/or one action.",
    input: z
      .object({
        tenantKey: tenantKeySchema.optional(),
        // Free text, not the enum: events of actions that no longer exist stay findable.
        action: z
          .string()
          .trim()
          .min(1)
          .max(AUDIT_ACTION_FILTER_MAX_LENGTH)
          .optional()
          .describe("Exactly this action, e.g. `user.signedIn`."),
        ...pageFields,
      })
      .prefault({}),
    output: pageOf(auditEventSchema),
    errors: [...staffProcedure],
  }),
};

/** CONTRACT.md "backOffice": staff.* (admin only, except changing one's own password). */
export const staffContract = {
  list: defineProcedure({
    kind: "query",
    summary: "Every staff member, newest first (no paging).",
    input: z.object({}).prefault({}),
    output: z.object({ items: z.array(staffSchema) }),
    errors: [...staffProcedure],
  }),
  create: defineProcedure({
    kind: "mutation",
    summary: "Adds a staff member with an initial password.",
    input: z.object({ email: emailSchema, password: newPasswordSchema, role: staffRoleSchema }),
    output: staffSchema,
    errors: ["staff/EmailDuplicated", ...staffProcedure],
  }),
  update: defineProcedure({
    kind: "mutation",
    summary: "Changes a staff member's role or enabled state (never leaving no enabled admin); takes effect on their next call.",
    input: z.object({ email: staffLookupEmailSchema, role: staffRoleSchema.optional(), disabled: z.boolean().optional() }),
    output: staffSchema,
    errors: ["staff/NotFound", ...staffProcedure],
  }),
  changePassword: defineProcedure({
    kind: "mutation",
    summary: "Changes the caller's own password, ends their other sessions and sets a fresh session cookie.",
    input: z.object({ currentPassword: existingPasswordSchema, newPassword: newPasswordSchema }),
    output: successSchema,
    errors: ["rateLimit/TooManyRequests", "auth/InvalidCredentials", ...staffProcedure],
  }),
};

/** CONTRACT.md "backOffice (S)": every procedure needs a staff session, the mutations the admin role. */
export const backOfficeContract = {
  tenants: tenantsContract,
  socialProviders: socialProvidersContract,
  managers: managersContract,
  users: usersContract,
  auditLog: auditLogContract,
  staff: staffContract,
};
