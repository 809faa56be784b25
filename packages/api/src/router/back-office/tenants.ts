import { tenantsContract as c } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import {
  createTenant,
  getTenant,
  getTenantStats,
  listTenants,
  restoreTenant,
  softDeleteTenant,
  updateTenant,
} from "../../services/back-office/tenants";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": tenants.* */
export const tenantsRouter = createTRPCRouter({
  list: staffProcedure
    .input(c.list.input)
    .output(c.list.output)
    .query(({ input }) => listTenants(input)),

  get: staffProcedure
    .input(c.get.input)
    .output(c.get.output)
    .query(({ input }) => getTenant(input.key)),

  create: adminProcedure
    .input(c.create.input)
    .output(c.create.output)
    .mutation(({ ctx, input }) => createTenant(ctx.caller, input)),

  update: adminProcedure
    .input(c.update.input)
    .output(c.update.output)
    .mutation(({ ctx, input: { key, ...changes } }) => updateTenant(ctx.caller, key, changes)),

  softDelete: adminProcedure
    .input(c.softDelete.input)
    .output(c.softDelete.output)
    .mutation(({ ctx, input }) => softDeleteTenant(ctx.caller, input.key)),

  restore: adminProcedure
    .input(c.restore.input)
    .output(c.restore.output)
    .mutation(({ ctx, input }) => restoreTenant(ctx.caller, input.key)),

  stats: staffProcedure
    .input(c.stats.input)
    .output(c.stats.output)
    .query(({ input }) => getTenantStats(input.key)),
});
