import { Badge, Time } from "./ui";

export interface UserStatusFields {
  suspendedAt: string | null;
  mustChangePassword: boolean;
  emailVerifiedAt: string | null;
  source: "self_signup" | "admin_issued";
  hasPassword: boolean;
}

/** Status in words: suspension first (it blocks everything), then what the user still has to do. */
export function UserStatusBadges({ user }: { user: UserStatusFields }) {
  return (
    <span className="badges">
      {user.suspendedAt ? <Badge tone="danger">Suspended</Badge> : <Badge tone="success">Active</Badge>}
      {user.mustChangePassword ? <Badge tone="warning">Must change password</Badge> : null}
      {user.source === "self_signup" && !user.emailVerifiedAt ? <Badge tone="warning">Email not verified</Badge> : null}
      {/* Not a problem, but what an admin asks first: how does this user sign in? */}
      {user.hasPassword ? null : <Badge tone="info">No password</Badge>}
    </span>
  );
}

/**
 * The password in words: none for a user who signed up with an email code (CONTRACT v2
 * `hasPassword: false`; they set one through password reset by email).
 */
export function passwordLabel(user: { hasPassword: boolean; mustChangePassword: boolean }): string {
  if (!user.hasPassword) return "None (signed up with an email code)";
  return user.mustChangePassword ? "Set, must be changed at next sign-in" : "Set";
}

export const sourceLabel = (source: "self_signup" | "admin_issued") => (source === "admin_issued" ? "Issued by staff" : "Self sign-up");
export const roleLabel = (role: "member" | "manager") => (role === "manager" ? "Manager" : "Member");

/**
 * "Last sign-in" true to the data: `lastLoginAt` is set by a password sign-in, while sign-up opens
 * the user's first session without setting it (README, decisions). A self-signed-up user without
 * one has signed in only at sign-up.
 */
export function LastSignIn({
  user,
  timeZone,
}: {
  user: { lastLoginAt: string | null; source: string; createdAt: string };
  timeZone: string;
}) {
  if (user.lastLoginAt) return <Time iso={user.lastLoginAt} timeZone={timeZone} />;
  if (user.source === "self_signup") {
    return (
      <span>
        At sign-up, <Time iso={user.createdAt} timeZone={timeZone} />
      </span>
    );
  }
  return <span className="muted">Never</span>;
}
