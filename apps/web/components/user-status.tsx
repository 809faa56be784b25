import { Badge } from "./ui";

export interface UserStatusFields {
  suspendedAt: string | null;
  mustChangePassword: boolean;
  emailVerifiedAt: string | null;
  source: "self_signup" | "admin_issued";
}

/** Status in words: suspension first (it blocks everything), then what the user still has to do. */
export function UserStatusBadges({ user }: { user: UserStatusFields }) {
  return (
    <span className="badges">
      {user.suspendedAt ? <Badge tone="danger">Suspended</Badge> : <Badge tone="success">Active</Badge>}
      {user.mustChangePassword ? <Badge tone="warning">Must change password</Badge> : null}
      {user.source === "self_signup" && !user.emailVerifiedAt ? <Badge tone="warning">Email not verified</Badge> : null}
    </span>
  );
}

export const sourceLabel = (source: "self_signup" | "admin_issued") => (source === "admin_issued" ? "Issued by staff" : "Self sign-up");
export const roleLabel = (role: "member" | "manager") => (role === "manager" ? "Manager" : "Member");
