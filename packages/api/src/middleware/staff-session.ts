import { appError } from "../errors";
import type { StaffCaller } from "../services/back-office/caller";
import { staffFromCookie } from "../staff/auth";
import { middleware, type MiddlewareAfter } from "../trpc";

/**
 * `S`: a next-auth staff session cookie for an enabled staff member (re-read every call). Puts
 * `ctx.caller` in the context: that staff member (never their password hash) and the client IP,
 * as the BackOffice services take them.
 */
export const requireStaff = middleware(async ({ ctx, next }) => {
  const staff = await staffFromCookie(ctx.header("cookie"));
  if (!staff) throw appError("auth/Unauthenticated");
  const caller: StaffCaller = { staff, ip: ctx.ip };
  return next({ ctx: { caller } });
});

/** `admin`, behind requireStaff: 403 auth/Forbidden for a viewer. */
export const requireAdmin: MiddlewareAfter<{ caller: StaffCaller }> = async ({ ctx, next }) => {
  if (ctx.caller.staff.role !== "admin") throw appError("auth/Forbidden");
  return next();
};
