import { z } from "zod";
import { displayNameSchema, emailSchema, tenantKeySchema, userIdSchema } from "../../policy/inputs";
import { adminProcedure } from "../../procedures";
import { issueManagerAccount } from "../../services/back-office/managers";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": managers.issue */
export const managersRouter = createTRPCRouter({
  issue: adminProcedure
    .input(
      z.object({
        tenantKey: tenantKeySchema,
        userId: userIdSchema,
        displayName: displayNameSchema,
        email: emailSchema.optional(),
        includePasswordInEmail: z.boolean().default(false),
      }),
    )
    .mutation(({ ctx, input }) => issueManagerAccount(ctx.caller, input)),
});
