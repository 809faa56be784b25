import { usersContract } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import { deleteUser, getUser, listUsers, resetUserPassword, suspendUser, unsuspendUser } from "../../services/back-office/users";
import { createTRPCRouter } from "../../trpc";
import { callerOf } from "./caller";

/** CONTRACT.md "backOffice": users.* */
export const usersRouter = createTRPCRouter({
  list: staffProcedure
    .input(usersContract.list.input).output(usersContract.list.output)
    .query(({ input }) => listUsers(input)),

  /** Additive (README "Contract changelog"): one user and their live sessions. */
  get: staffProcedure.input(usersContract.get.input).output(usersContract.get.output).query(({ input }) => getUser(input)),

  suspend: adminProcedure.input(usersContract.suspend.input).output(usersContract.suspend.output).mutation(({ ctx, input }) => suspendUser(input, callerOf(ctx))),

  unsuspend: adminProcedure.input(usersContract.unsuspend.input).output(usersContract.unsuspend.output).mutation(({ ctx, input }) => unsuspendUser(input, callerOf(ctx))),

  resetPassword: adminProcedure.input(usersContract.resetPassword.input).output(usersContract.resetPassword.output).mutation(({ ctx, input }) => resetUserPassword(input, callerOf(ctx))),

  delete: adminProcedure.input(usersContract.delete.input).output(usersContract.delete.output).mutation(({ ctx, input }) => deleteUser(input, callerOf(ctx))),
});
