import type { SessionStaff } from "../../staff/sessions";

/**
 * Who performs a BackOffice action: the signed-in staff member (never their password hash) and
 * the request's IP. The staff middleware puts it in the context as `ctx.caller`.
 */
export interface StaffCaller {
  staff: SessionStaff;
  ip: string;
}
