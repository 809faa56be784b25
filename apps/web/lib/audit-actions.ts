import { isAuditAction, type AuditAction } from "@gatehouse/contract";

/**
 * Audit actions (CONTRACT.md "Audit actions" plus Gatehouse's additions, listed in
 * @gatehouse/contract) in plain words. Keyed by `AuditAction`: a new action fails the typecheck
 * until it has words here.
 */
export const auditActionLabels: Record<AuditAction, string> = {
  "tenant.created": "Tenant created",
  "tenant.updated": "Tenant settings changed",
  "tenant.deleted": "Tenant deleted",
  "tenant.restored": "Tenant restored",
  "manager.issued": "Manager issued",
  "user.signedUp": "User signed up",
  "user.signedIn": "User signed in",
  "user.signInFailed": "User sign-in failed",
  "user.signedOut": "User signed out",
  "user.emailVerified": "Email verified",
  "user.passwordChanged": "User changed password",
  "user.passwordReset": "Password reset by staff",
  "user.suspended": "User suspended",
  "user.unsuspended": "User unsuspended",
  "user.deleted": "User deleted",
  "user.updated": "User profile changed",
  "session.revoked": "Session revoked",
  "session.reuseDetected": "Refresh token reuse detected",
  "staff.created": "Staff member created",
  "staff.updated": "Staff member changed",
  "staff.signedIn": "Staff signed in",
  "staff.signInFailed": "Staff sign-in failed",
  "staff.passwordChanged": "Staff changed password",
  "staff.passwordChangeFailed": "Staff password change refused",
  "signingKey.rotated": "Signing key rotated",
  "tenant.socialProviderUpdated": "Social sign-in settings changed",
  "tenant.socialProviderRemoved": "Social sign-in provider removed",
  "user.identityLinked": "Provider account linked",
  "user.phoneVerified": "Phone number verified",
  "user.passwordRecovered": "Password reset by the user",
};

/** An event's action in plain words; one no longer written (older events) as it is stored. */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? auditActionLabels[action] : action;
}
