import { declaredIpLimit } from "./middleware/ip-limit";
import { requireAdmin, requireStaff } from "./middleware/staff-session";
import { refuseUnstorableText } from "./middleware/unstorable-text";
import { requireUserSession, userGates } from "./middleware/user-session";
import { bareProcedure } from "./trpc";

/**
 * The building blocks routers stack (tRPC middlewares), named after the contract's marks. Each
 * ends with the per-IP limit its procedure declares (`.meta({ ipLimit })`), so the limit counts
 * after the access checks and before the input is parsed; a procedure adds only its input, its
 * output and one service call.
 */
const base = bareProcedure.use(refuseUnstorableText);

/** `P`: anyone may call. */
export const publicProcedure = base.use(declaredIpLimit);

/**
 * `A` with every gate (`ctx.auth`); `.meta({allowUnverifiedEmail, allowPasswordChangeRequired})`
 * adds the `U` and `C` marks.
 */
export const userProcedure = base.use(requireUserSession).use(userGates).use(declaredIpLimit);

/** `S`: any enabled BackOffice staff member (`ctx.caller`). */
export const staffProcedure = base.use(requireStaff).use(declaredIpLimit);

/** `admin`: staff with the admin role (a viewer gets 403 auth/Forbidden). */
export const adminProcedure = base.use(requireStaff).use(requireAdmin).use(declaredIpLimit);
