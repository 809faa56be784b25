import { appError } from "../errors";
import { staffFromCookie } from "../staff/auth";
import { middleware } from "../trpc";

/** `S`: a next-auth staff session cookie for an enabled staff member (re-read every call). */
export const requireStaff = middleware(async ({ ctx, next }) => {
  const staff = await staffFromCookie(ctx.header("cookie"));
  if (!staff) throw appError("auth/Unauthenticated");
  return next({ ctx: { ...ctx, staff } });
});

/** `admin`: 403 auth/Forbidden for a viewer. */
export const requireAdmin = middleware(async ({ ctx, next }) => {
  const staff = (ctx as typeof ctx & { staff?: { role: string } }).staff;
  if (!staff) throw appError("auth/Unauthenticated");
  if (staff.role !== "admin") throw appError("auth/Forbidden");
  return next();
});
