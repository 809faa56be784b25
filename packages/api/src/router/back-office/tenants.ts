import { tenantsContract } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import {
  createTenant,
  getTenant,
  listTenants,
  restoreTenant,
  softDeleteTenant,
  updateTenant,
} from "../../services/back-office/tenants";
import { createTRPCRouter } from "../../trpc";
import { callerOf } from "./caller";

/** CONTRACT.md "backOffice": tenants.* */
export const tenantsRouter = createTRPCRouter({
  list: staffProcedure
    .input(tenantsContract.list.input).output(tenantsContract.list.output)
    .query(({ input }) => listTenants(input)),

  get: staffProcedure.input(tenantsContract.get.input).output(tenantsContract.get.output).query(({ input }) => getTenant(input.key)),

  create: adminProcedure
    .input(tenantsContract.create.input).output(tenantsContract.create.output)
    .mutation(({ ctx, input }) => createTenant(input, callerOf(ctx))),

  update: adminProcedure
    .input(tenantsContract.update.input).output(tenantsContract.update.output)
    .mutation(({ ctx, input: { key, ...changes } }) => updateTenant(key, changes, callerOf(ctx))),

  softDelete: adminProcedure.input(tenantsContract.softDelete.input).output(tenantsContract.softDelete.output).mutation(({ ctx, input }) => softDeleteTenant(input.key, callerOf(ctx))),

  restore: adminProcedure.input(tenantsContract.restore.input).output(tenantsContract.restore.output).mutation(({ ctx, input }) => restoreTenant(input.key, callerOf(ctx))),
});
