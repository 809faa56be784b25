import { clientPasswordlessContract as c } from "@gatehouse/contract";
import { inputCheckedIpLimit } from "../middleware/ip-limit";
import { publicProcedure } from "../procedures";
import { sendSignInCode, verifySignInCode } from "../services/passwordless";
import { registerWithSignupToken } from "../services/passwordless-signup";
import { createTRPCRouter } from "../trpc";

/**
 * CONTRACT v2 "clientPasswordless": email-code sign-in and sign-up, all `P`. In the v2 order of
 * checks: the input schema, then the per-IP limit (so it sits after `.input()`), then the
 * services check the tenant, its `emailCodeSignIn` switch and the rest.
 */
export const clientPasswordlessRouter = createTRPCRouter({
  sendCode: publicProcedure
    .meta({ ipLimit: "passwordlessSendCode", ipLimitAfterInput: true })
    .input(c.sendCode.input)
    .use(inputCheckedIpLimit)
    .output(c.sendCode.output)
    .mutation(({ ctx, input }) => sendSignInCode(input, ctx)),

  verify: publicProcedure
    .meta({ ipLimit: "passwordlessVerify", ipLimitAfterInput: true })
    .input(c.verify.input)
    .use(inputCheckedIpLimit)
    .output(c.verify.output)
    .mutation(({ ctx, input }) => verifySignInCode(input, ctx)),

  register: publicProcedure
    .meta({ ipLimit: "passwordlessRegister", ipLimitAfterInput: true })
    .input(c.register.input)
    .use(inputCheckedIpLimit)
    .output(c.register.output)
    .mutation(({ ctx, input }) => registerWithSignupToken(input, ctx)),
});
