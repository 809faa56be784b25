import { clientPasswordResetContract as c } from "@gatehouse/contract";
import { inputCheckedIpLimit } from "../middleware/ip-limit";
import { publicProcedure } from "../procedures";
import { sendResetEmailCode, sendResetSmsCode, verifyResetCode } from "../services/password-reset";
import { resetPasswordWithToken } from "../services/password-reset-token";
import { createTRPCRouter } from "../trpc";

/**
 * CONTRACT v2 "clientPasswordReset": forgot password, by SMS or by email, all `P`. In the v2 order
 * of checks: the input schema, then the per-IP limit (so it sits after `.input()`), then the
 * services check the tenant, SMS, the number or address, the limiter's caps, budgets and cooldown.
 */
export const clientPasswordResetRouter = createTRPCRouter({
  sendSmsCode: publicProcedure
    .meta({ ipLimit: "resetSendSmsCode", ipLimitAfterInput: true })
    .input(c.sendSmsCode.input)
    .use(inputCheckedIpLimit)
    .output(c.sendSmsCode.output)
    .mutation(({ ctx, input }) => sendResetSmsCode(input, ctx)),

  sendEmailCode: publicProcedure
    .meta({ ipLimit: "resetSendEmailCode", ipLimitAfterInput: true })
    .input(c.sendEmailCode.input)
    .use(inputCheckedIpLimit)
    .output(c.sendEmailCode.output)
    .mutation(({ ctx, input }) => sendResetEmailCode(input, ctx)),

  verifyCode: publicProcedure
    .meta({ ipLimit: "resetVerifyCode", ipLimitAfterInput: true })
    .input(c.verifyCode.input)
    .use(inputCheckedIpLimit)
    .output(c.verifyCode.output)
    .mutation(({ ctx, input }) => verifyResetCode(input, ctx)),

  resetPassword: publicProcedure
    .meta({ ipLimit: "resetPassword", ipLimitAfterInput: true })
    .input(c.resetPassword.input)
    .use(inputCheckedIpLimit)
    .output(c.resetPassword.output)
    .mutation(({ ctx, input }) => resetPasswordWithToken(input, ctx)),
});
