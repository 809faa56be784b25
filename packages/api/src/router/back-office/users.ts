import { z } from "zod";
import { pageSchema, tenantKeySchema } from "../../policy/inputs";
import { adminProcedure, staffProcedure } from "../../procedures";
import { searchQuerySchema, userLookupSchema } from "../../services/back-office/inputs";
import { deleteUser, getUser, listUsers, resetUserPassword, suspendUser, unsuspendUser } from "../../services/back-office/users";
import { createTRPCRouter } from "../../trpc";

const userRef = z.object({ tenantKey: tenantKeySchema, userId: userLookupSchema });

/** CONTRACT.md "backOffice": users.* */
export const usersRouter = createTRPCRouter({
  list: staffProcedure
    .input(z.object({ tenantKey: tenantKeySchema, query: searchQuerySchema, ...pageSchema }))
    .query(({ input }) => listUsers(input)),

  /** Additive (README "Contract changelog"): one user and their live sessions. */
  get: staffProcedure.input(userRef).query(({ input }) => getUser(input)),

  suspend: adminProcedure.input(userRef).mutation(({ ctx, input }) => suspendUser(ctx.caller, input)),

  unsuspend: adminProcedure.input(userRef).mutation(({ ctx, input }) => unsuspendUser(ctx.caller, input)),

  resetPassword: adminProcedure.input(userRef).mutation(({ ctx, input }) => resetUserPassword(ctx.caller, input)),

  delete: adminProcedure.input(userRef).mutation(({ ctx, input }) => deleteUser(ctx.caller, input)),
});
