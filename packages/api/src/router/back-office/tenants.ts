import { z } from "zod";
import { pageSchema, tenantKeySchema } from "../../policy/inputs";
import { adminProcedure, staffProcedure } from "../../procedures";
import { allowedEmailDomainsSchema, appUrlSchema, localeSchema, searchQuerySchema, tenantNameSchema } from "../../services/back-office/inputs";
import {
  createTenant,
  getTenant,
  listTenants,
  restoreTenant,
  softDeleteTenant,
  updateTenant,
} from "../../services/back-office/tenants";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": tenants.* */
export const tenantsRouter = createTRPCRouter({
  list: staffProcedure
    .input(z.object({ query: searchQuerySchema, includeDeleted: z.boolean().optional(), ...pageSchema }).prefault({}))
    .query(({ input }) => listTenants(input)),

  get: staffProcedure.input(z.object({ key: tenantKeySchema })).query(({ input }) => getTenant(input.key)),

  create: adminProcedure
    .input(
      z.object({
        key: tenantKeySchema,
        name: tenantNameSchema,
        allowedEmailDomains: allowedEmailDomainsSchema.default([]),
        locale: localeSchema.default("ko"),
        appUrl: appUrlSchema.optional().transform((url) => url ?? null),
      }),
    )
    .mutation(({ ctx, input }) => createTenant(ctx.caller, input)),

  update: adminProcedure
    .input(
      z.object({
        key: tenantKeySchema,
        name: tenantNameSchema.optional(),
        allowedEmailDomains: allowedEmailDomainsSchema.optional(),
        locale: localeSchema.optional(),
        appUrl: appUrlSchema.optional(),
      }),
    )
    .mutation(({ ctx, input: { key, ...changes } }) => updateTenant(ctx.caller, key, changes)),

  softDelete: adminProcedure.input(z.object({ key: tenantKeySchema })).mutation(({ ctx, input }) => softDeleteTenant(ctx.caller, input.key)),

  restore: adminProcedure.input(z.object({ key: tenantKeySchema })).mutation(({ ctx, input }) => restoreTenant(ctx.caller, input.key)),
});
