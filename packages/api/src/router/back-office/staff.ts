import { z } from "zod";
import { emailSchema, existingPasswordSchema, newPasswordSchema } from "../../policy/inputs";
import { adminProcedure, staffProcedure } from "../../procedures";
import { staffLookupEmailSchema } from "../../services/back-office/inputs";
import { changeStaffPassword, createStaff, listStaff, updateStaff } from "../../services/back-office/staff";
import { staffSessionCookie } from "../../staff/auth";
import { createTRPCRouter } from "../../trpc";
import { callerOf } from "./caller";

const staffRoleSchema = z.enum(["admin", "viewer"]);

/** CONTRACT.md "backOffice": staff.* (admin only, except changing one's own password). */
export const staffRouter = createTRPCRouter({
  list: adminProcedure.input(z.object({}).prefault({})).query(() => listStaff()),

  create: adminProcedure
    .input(z.object({ email: emailSchema, password: newPasswordSchema, role: staffRoleSchema }))
    .mutation(({ ctx, input }) => createStaff(input, callerOf(ctx))),

  update: adminProcedure
    .input(z.object({ email: staffLookupEmailSchema, role: staffRoleSchema.optional(), disabled: z.boolean().optional() }))
    .mutation(({ ctx, input }) => updateStaff(input, callerOf(ctx))),

  changePassword: staffProcedure
    .input(z.object({ currentPassword: existingPasswordSchema, newPassword: newPasswordSchema }))
    .mutation(async ({ ctx, input }) => {
      const { renewed } = await changeStaffPassword(input, callerOf(ctx));
      // Every older session ended with the change; the caller gets a new one at once.
      ctx.setHeader?.("set-cookie", await staffSessionCookie(ctx.staff, renewed));
      return { success: true as const };
    }),
});
