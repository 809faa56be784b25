import { requireUserSession, userGates } from "./middleware/user-session";
import { requireAdmin, requireStaff } from "./middleware/staff-session";
import { publicProcedure } from "./trpc";

/**
 * The building blocks routers stack (tRPC middlewares), named after the contract's marks.
 * `userProcedure` is `A` with every gate; `.meta({allowUnverifiedEmail, allowPasswordChangeRequired})`
 * adds the `U` and `C` marks.
 */
export const userProcedure = publicProcedure.use(requireUserSession).use(userGates);
/** `S`: any enabled BackOffice staff member. */
export const staffProcedure = publicProcedure.use(requireStaff);
/** `admin`: staff with the admin role (a viewer gets 403 auth/Forbidden). */
export const adminProcedure = staffProcedure.use(requireAdmin);

export { publicProcedure };
