import { getPgPool, type User } from "@gatehouse/db";

/** The user as every authenticated request sees it: never the password hash (nor its version), only whether there is one. */
export type SessionUser = Omit<User, "passwordHash" | "credentialsVersion"> & { hasPassword: boolean };

/**
 * The state every authenticated end-user request needs, in one indexed query: the session (is
 * it live?), its user (the gates read current state) and its tenant (soft-deleted?).
 */
export interface SessionState {
  session: { id: string; tokenFamily: string; revokedAt: Date | null; expiresAt: Date };
  user: SessionUser;
  tenant: { id: string; key: string; deletedAt: Date | null; allowedEmailDomains: string[]; locale: "ko" | "en"; name: string };
}

type Row = SessionUser & {
  s_id: string;
  s_tokenFamily: string;
  s_revokedAt: Date | null;
  s_expiresAt: Date;
  t_key: string;
  t_deletedAt: Date | null;
  t_allowedEmailDomains: string[];
  t_locale: "ko" | "en";
  t_name: string;
};

// A named prepared statement on the plain pg pool: parsed and planned once per connection.
// Exported for test/session-state-columns.test.ts, which holds its columns to the schema.
export const SESSION_STATE_QUERY = {
  name: "gatehouse_session_state",
  text: `SELECT u.id, u."tenantId", u."userId", u.email, u."verifiedEmail", u."emailVerifiedAt", u."displayName",
                u.role, u.source, u."mustChangePassword", u."suspendedAt", u."lastLoginAt", u."deletedAt",
                u."createdAt", u."updatedAt", u.phone, u."verifiedPhone", u."phoneVerifiedAt",
                (u."passwordHash" IS NOT NULL) AS "hasPassword", s.id AS "s_id", s."tokenFamily" AS "s_tokenFamily", s."revokedAt" AS "s_revokedAt",
                s."expiresAt" AS "s_expiresAt", t.key AS "t_key", t."deletedAt" AS "t_deletedAt",
                t."allowedEmailDomains" AS "t_allowedEmailDomains", t.locale::text AS "t_locale", t.name AS "t_name"
           FROM "Session" s
           JOIN "User" u ON u.id = s."userId"
           JOIN "Tenant" t ON t.id = s."tenantId"
          WHERE s.id = $1::uuid`,
};

export async function loadSessionState(sessionId: string): Promise<SessionState | undefined> {
  const { rows } = await getPgPool().query<Row>({ ...SESSION_STATE_QUERY, values: [sessionId] });
  const row = rows[0];
  if (!row) return undefined;
  const { s_id, s_tokenFamily, s_revokedAt, s_expiresAt, t_key, t_deletedAt, t_allowedEmailDomains, t_locale, t_name, ...user } = row;
  return {
    session: { id: s_id, tokenFamily: s_tokenFamily, revokedAt: s_revokedAt, expiresAt: s_expiresAt },
    user,
    tenant: {
      id: user.tenantId,
      key: t_key,
      deletedAt: t_deletedAt,
      allowedEmailDomains: t_allowedEmailDomains,
      locale: t_locale,
      name: t_name,
    },
  };
}
