import { clientPhoneVerificationContract as c } from "@gatehouse/contract";
import { userProcedure } from "../procedures";
import { sendPhoneCode, verifyPhoneCode } from "../services/phone-verification";
import { createTRPCRouter } from "../trpc";

/**
 * CONTRACT v2 "clientPhoneVerification": both `A U`, checked like clientEmailVerification (the
 * v2 "order of checks" is for public procedures): the per-IP limit, the session and its gates
 * (401/403: an unverified email is fine, a pending password change is not), the input schema,
 * then the service's own steps. A call without a token is 401 whatever its body.
 */
export const clientPhoneVerificationRouter = createTRPCRouter({
  sendCode: userProcedure
    .meta({ ipLimit: "phoneSendCode", allowUnverifiedEmail: true })
    .input(c.sendCode.input)
    .output(c.sendCode.output)
    .mutation(({ ctx, input }) => sendPhoneCode(ctx.auth, input, ctx)),

  verifyPhone: userProcedure
    .meta({ ipLimit: "phoneVerify", allowUnverifiedEmail: true })
    .input(c.verifyPhone.input)
    .output(c.verifyPhone.output)
    .mutation(({ ctx, input }) => verifyPhoneCode(ctx.auth, input.code, ctx)),
});
