import type { User as UserRow } from "@gatehouse/db";

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
}

type UserFields = Pick<
  UserRow,
  "id" | "userId" | "displayName" | "email" | "emailVerifiedAt" | "role" | "source" | "mustChangePassword" | "suspendedAt" | "lastLoginAt" | "createdAt"
>;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

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
  };
}
