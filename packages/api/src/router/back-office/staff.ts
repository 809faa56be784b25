import { staffContract as c } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import { changeStaffPassword, createStaff, listStaff, updateStaff } from "../../services/back-office/staff";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": staff.* (admin only, except changing one's own password). */
export const staffRouter = createTRPCRouter({
  list: adminProcedure
    .input(c.list.input)
    .output(c.list.output)
    .query(() => listStaff()),

  create: adminProcedure
    .input(c.create.input)
    .output(c.create.output)
    .mutation(({ ctx, input }) => createStaff(ctx.caller, input)),

  update: adminProcedure
    .input(c.update.input)
    .output(c.update.output)
    .mutation(({ ctx, input }) => updateStaff(ctx.caller, input)),

  changePassword: staffProcedure
    .input(c.changePassword.input)
    .output(c.changePassword.output)
    .mutation(async ({ ctx, input }) => {
      // Every older session ended with the change; the caller gets a new one at once.
      const { cookie } = await changeStaffPassword(ctx.caller, input);
      ctx.setHeader?.("set-cookie", cookie);
      return { success: true as const };
    }),
});
