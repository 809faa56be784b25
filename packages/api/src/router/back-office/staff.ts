import { staffContract } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import { changeStaffPassword, createStaff, listStaff, updateStaff } from "../../services/back-office/staff";
import { staffSessionCookie } from "../../staff/auth";
import { createTRPCRouter } from "../../trpc";
import { callerOf } from "./caller";

/** CONTRACT.md "backOffice": staff.* (admin only, except changing one's own password). */
export const staffRouter = createTRPCRouter({
  list: adminProcedure.input(staffContract.list.input).output(staffContract.list.output).query(() => listStaff()),

  create: adminProcedure
    .input(staffContract.create.input).output(staffContract.create.output)
    .mutation(({ ctx, input }) => createStaff(input, callerOf(ctx))),

  update: adminProcedure
    .input(staffContract.update.input).output(staffContract.update.output)
    .mutation(({ ctx, input }) => updateStaff(input, callerOf(ctx))),

  changePassword: staffProcedure
    .input(staffContract.changePassword.input).output(staffContract.changePassword.output)
    .mutation(async ({ ctx, input }) => {
      const { renewed } = await changeStaffPassword(input, callerOf(ctx));
      // Every older session ended with the change; the caller gets a new one at once.
      ctx.setHeader?.("set-cookie", await staffSessionCookie(ctx.staff, renewed));
      return { success: true as const };
    }),
});
