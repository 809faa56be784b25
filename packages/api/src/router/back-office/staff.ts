import { z } from "zod";
import { emailSchema, existingPasswordSchema, newPasswordSchema } from "../../policy/inputs";
import { adminProcedure, staffProcedure } from "../../procedures";
import { staffLookupEmailSchema } from "../../services/back-office/inputs";
import { changeStaffPassword, createStaff, listStaff, updateStaff } from "../../services/back-office/staff";
import { createTRPCRouter } from "../../trpc";

const staffRoleSchema = z.enum(["admin", "viewer"]);

/** CONTRACT.md "backOffice": staff.* (admin only, except changing one's own password). */
export const staffRouter = createTRPCRouter({
  list: adminProcedure.input(z.object({}).prefault({})).query(() => listStaff()),

  create: adminProcedure
    .input(z.object({ email: emailSchema, password: newPasswordSchema, role: staffRoleSchema }))
    .mutation(({ ctx, input }) => createStaff(ctx.caller, input)),

  update: adminProcedure
    .input(z.object({ email: staffLookupEmailSchema, role: staffRoleSchema.optional(), disabled: z.boolean().optional() }))
    .mutation(({ ctx, input }) => updateStaff(ctx.caller, input)),

  changePassword: staffProcedure
    .input(z.object({ currentPassword: existingPasswordSchema, newPassword: newPasswordSchema }))
    .mutation(async ({ ctx, input }) => {
      // Every older session ended with the change; the caller gets a new one at once.
      const { cookie } = await changeStaffPassword(ctx.caller, input);
      ctx.setHeader?.("set-cookie", cookie);
      return { success: true as const };
    }),
});
