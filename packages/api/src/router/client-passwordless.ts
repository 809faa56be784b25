import { clientPasswordlessContract as c } from "@gatehouse/contract";
import { publicProcedure } from "../procedures";
import { sendSignInCode, verifySignInCode } from "../services/passwordless";
import { registerWithSignupToken } from "../services/passwordless-signup";
import { createTRPCRouter } from "../trpc";

/**
 * CONTRACT v2 "clientPasswordless": email-code sign-in and sign-up, all `P`. The per-IP limit
 * counts every call before its input is parsed (procedures.ts); the services check the tenant,
 * its `emailCodeSignIn` switch and the rest in the contract's order.
 */
export const clientPasswordlessRouter = createTRPCRouter({
  sendCode: publicProcedure
    .meta({ ipLimit: "passwordlessSendCode" })
    .input(c.sendCode.input)
    .output(c.sendCode.output)
    .mutation(({ ctx, input }) => sendSignInCode(input, ctx)),

  verify: publicProcedure
    .meta({ ipLimit: "passwordlessVerify" })
    .input(c.verify.input)
    .output(c.verify.output)
    .mutation(({ ctx, input }) => verifySignInCode(input, ctx)),

  register: publicProcedure
    .meta({ ipLimit: "passwordlessRegister" })
    .input(c.register.input)
    .output(c.register.output)
    .mutation(({ ctx, input }) => registerWithSignupToken(input, ctx)),
});
