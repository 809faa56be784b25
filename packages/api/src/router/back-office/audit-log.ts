import { z } from "zod";
import { pageSchema, tenantKeySchema } from "../../policy/inputs";
import { staffProcedure } from "../../procedures";
import { listAuditEvents } from "../../services/back-office/audit-log";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": auditLog.list */
export const auditLogRouter = createTRPCRouter({
  list: staffProcedure
    .input(
      z
        .object({
          tenantKey: tenantKeySchema.optional(),
          // Free text, not the enum: events of actions that no longer exist stay findable.
          action: z.string().trim().min(1).max(64).optional(),
          ...pageSchema,
        })
        .prefault({}),
    )
    .query(({ input }) => listAuditEvents(input)),
});
