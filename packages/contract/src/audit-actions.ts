/**
 * Audit actions: the contract's (CONTRACT.md "Audit actions") plus the ones Gatehouse adds
 * (`user.updated`, `session.revoked`, `staff.passwordChanged`, `staff.passwordChangeFailed`,
 * `signingKey.rotated`). The API writes only these; the BackOffice has words for each.
 */
export const auditActions = [
  "tenant.created",
  "tenant.updated",
  "tenant.deleted",
  "tenant.restored",
  "manager.issued",
  "user.signedUp",
  "user.signedIn",
  "user.signInFailed",
  "user.signedOut",
  "user.emailVerified",
  "user.passwordChanged",
  "user.passwordReset",
  "user.suspended",
  "user.unsuspended",
  "user.deleted",
  "user.updated",
  "session.revoked",
  "session.reuseDetected",
  "staff.created",
  "staff.updated",
  "staff.signedIn",
  "staff.signInFailed",
  "staff.passwordChanged",
  "staff.passwordChangeFailed",
  "signingKey.rotated",
  // CONTRACT v2 "backOffice additions".
  "tenant.socialProviderUpdated",
  "tenant.socialProviderRemoved",
  "user.identityLinked",
  "user.phoneVerified",
  "user.passwordRecovered",
] as const;

export type AuditAction = (typeof auditActions)[number];

/** Whether a stored or typed action is one written today (the log may hold older ones). */
export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === "string" && (auditActions as readonly string[]).includes(value);
}
