import { usersContract as c } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import { deleteUser, getUser, listUsers, resetUserPassword, suspendUser, unsuspendUser } from "../../services/back-office/users";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": users.* */
export const usersRouter = createTRPCRouter({
  list: staffProcedure
    .input(c.list.input)
    .output(c.list.output)
    .query(({ input }) => listUsers(input)),

  /** Additive (README "Contract changelog"): one user and their live sessions. */
  get: staffProcedure
    .input(c.get.input)
    .output(c.get.output)
    .query(({ input }) => getUser(input)),

  suspend: adminProcedure
    .input(c.suspend.input)
    .output(c.suspend.output)
    .mutation(({ ctx, input }) => suspendUser(ctx.caller, input)),

  unsuspend: adminProcedure
    .input(c.unsuspend.input)
    .output(c.unsuspend.output)
    .mutation(({ ctx, input }) => unsuspendUser(ctx.caller, input)),

  resetPassword: adminProcedure
    .input(c.resetPassword.input)
    .output(c.resetPassword.output)
    .mutation(({ ctx, input }) => resetUserPassword(ctx.caller, input)),

  delete: adminProcedure
    .input(c.delete.input)
    .output(c.delete.output)
    .mutation(({ ctx, input }) => deleteUser(ctx.caller, input)),
});
