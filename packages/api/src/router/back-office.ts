import { createTRPCRouter } from "../trpc";
import { auditLogRouter } from "./back-office/audit-log";
import { managersRouter } from "./back-office/managers";
import { socialProvidersRouter } from "./back-office/social-providers";
import { staffRouter } from "./back-office/staff";
import { tenantsRouter } from "./back-office/tenants";
import { usersRouter } from "./back-office/users";

/**
 * CONTRACT.md "backOffice (S)": every procedure needs a staff session (`staffProcedure`, 401
 * without one; end-user access tokens never open it), the mutations the admin role
 * (`adminProcedure`, 403 for a viewer). No output holds a password or token hash.
 */
export const backOfficeRouter = createTRPCRouter({
  tenants: tenantsRouter,
  socialProviders: socialProvidersRouter,
  managers: managersRouter,
  users: usersRouter,
  auditLog: auditLogRouter,
  staff: staffRouter,
});
