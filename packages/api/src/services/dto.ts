import { defaultSocialScopes } from "@gatehouse/contract";
import type { AuditEvent, Locale, Session, SocialProvider, StaffRole, StaffUser, Tenant, TenantSocialProvider, User } from "@gatehouse/db";

/**
 * The contract's shapes (CONTRACT.md "Types") and the one mapper from a database row to each:
 * dates leave as ISO strings, and no hash or token material ever leaves.
 */

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** The contract's `User` (never a hash). */
export interface UserDto {
  id: string;
  tenantKey: string;
  userId: string;
  displayName: string;
  email: string | null;
  emailVerifiedAt: string | null;
  role: "member" | "manager";
  source: "self_signup" | "admin_issued";
  mustChangePassword: boolean;
  suspendedAt: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  phone: string | null;
  phoneVerifiedAt: string | null;
  hasPassword: boolean;
}

type UserFields = Pick<
  User,
  | "id"
  | "userId"
  | "displayName"
  | "email"
  | "emailVerifiedAt"
  | "role"
  | "source"
  | "mustChangePassword"
  | "suspendedAt"
  | "lastLoginAt"
  | "createdAt"
  | "phone"
  | "phoneVerifiedAt"
> &
  /** A row with the hash, or the session check's `hasPassword` (it never reads the hash). */
  ({ passwordHash: string | null } | { hasPassword: boolean });

export function toUserDto(user: UserFields, tenantKey: string): UserDto {
  return {
    id: user.id,
    tenantKey,
    userId: user.userId,
    displayName: user.displayName,
    email: user.email,
    emailVerifiedAt: iso(user.emailVerifiedAt),
    role: user.role,
    source: user.source,
    mustChangePassword: user.mustChangePassword,
    suspendedAt: iso(user.suspendedAt),
    lastLoginAt: iso(user.lastLoginAt),
    createdAt: user.createdAt.toISOString(),
    phone: user.phone,
    phoneVerifiedAt: iso(user.phoneVerifiedAt),
    hasPassword: "hasPassword" in user ? user.hasPassword : user.passwordHash !== null,
  };
}

/** A live session as BackOffice shows it (`backOffice.users.get`): no token material. */
export interface SessionViewDto {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
}

type SessionFields = Pick<Session, "id" | "createdAt" | "lastUsedAt" | "ip" | "userAgent">;

export function toSessionViewDto(session: SessionFields): SessionViewDto {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}

/** One of the caller's own sessions (`clientAuth.listSessions`): `current` marks the one asking. */
export interface OwnSessionDto extends SessionViewDto {
  current: boolean;
}

export function toOwnSessionDto(session: SessionFields, currentSessionId: string): OwnSessionDto {
  return { ...toSessionViewDto(session), current: session.id === currentSessionId };
}

/** The contract's `Tenant`. */
export interface TenantDto {
  id: string;
  key: string;
  name: string;
  allowedEmailDomains: string[];
  locale: Locale;
  appUrl: string | null;
  passwordSignUp: boolean;
  emailCodeSignIn: boolean;
  redirectUris: string[];
  phoneCountries: string[];
  socialProviders: { provider: SocialProvider; enabled: boolean }[];
  deletedAt: string | null;
  createdAt: string;
}

/** What a tenant read must include for `toTenantDto` (the `socialProviders` summary). */
export const tenantDtoInclude = {
  socialProviders: { select: { provider: true, enabled: true }, orderBy: { provider: "asc" } },
} as const;

export function toTenantDto(tenant: Tenant & { socialProviders: { provider: SocialProvider; enabled: boolean }[] }): TenantDto {
  return {
    id: tenant.id,
    key: tenant.key,
    name: tenant.name,
    allowedEmailDomains: tenant.allowedEmailDomains,
    locale: tenant.locale,
    appUrl: tenant.appUrl,
    passwordSignUp: tenant.passwordSignUp,
    emailCodeSignIn: tenant.emailCodeSignIn,
    redirectUris: tenant.redirectUris,
    phoneCountries: tenant.phoneCountries,
    socialProviders: tenant.socialProviders.map(({ provider, enabled }) => ({ provider, enabled })),
    deletedAt: iso(tenant.deletedAt),
    createdAt: tenant.createdAt.toISOString(),
  };
}

/** The contract's `Staff` (never the hash). */
/** The contract's `SocialProvider` (CONTRACT v2 `backOffice.socialProviders`): the secret only as `hasClientSecret`. */
export interface SocialProviderDto {
  provider: SocialProvider;
  clientId: string;
  hasClientSecret: boolean;
  nativeClientIds: string[];
  /** The effective scopes: the stored ones, or the provider's default when none are stored. */
  scopes: string[];
  enabled: boolean;
  updatedAt: string;
}

export function toSocialProviderDto(row: TenantSocialProvider): SocialProviderDto {
  return {
    provider: row.provider,
    clientId: row.clientId,
    hasClientSecret: row.clientSecretSealed !== null,
    nativeClientIds: row.nativeClientIds,
    scopes: row.scopes.length > 0 ? row.scopes : [...defaultSocialScopes[row.provider]],
    enabled: row.enabled,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface StaffDto {
  id: string;
  email: string;
  role: StaffRole;
  disabledAt: string | null;
  createdAt: string;
}

export function toStaffDto(staff: Pick<StaffUser, "id" | "email" | "role" | "disabledAt" | "createdAt">): StaffDto {
  return {
    id: staff.id,
    email: staff.email,
    role: staff.role,
    disabledAt: iso(staff.disabledAt),
    createdAt: staff.createdAt.toISOString(),
  };
}

/** The contract's `AuditEvent`; the BigInt id leaves as a string. */
export interface AuditEventDto {
  id: string;
  at: string;
  actor: { type: "staff" | "user" | "system"; id: string | null; label: string | null };
  tenantKey: string | null;
  action: string;
  target: string | null;
  ip: string | null;
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id.toString(),
    at: event.at.toISOString(),
    actor: { type: event.actorType, id: event.actorId, label: event.actorLabel },
    tenantKey: event.tenantKey,
    action: event.action,
    target: event.target,
    ip: event.ip,
  };
}
