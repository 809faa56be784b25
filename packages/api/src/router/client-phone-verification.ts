import { clientPhoneVerificationContract as c } from "@gatehouse/contract";
import { inputCheckedIpLimit } from "../middleware/ip-limit";
import { requireUserSession, userGates } from "../middleware/user-session";
import { publicProcedure } from "../procedures";
import { sendPhoneCode, verifyPhoneCode } from "../services/phone-verification";
import { createTRPCRouter } from "../trpc";

/**
 * CONTRACT v2 "clientPhoneVerification": both `A U`. In the v2 order of checks: the input schema
 * (400), the per-IP limit (429), then the session and its gates (401/403: `U`, an unverified email
 * is fine, a pending password change is not), then the service's own steps.
 */
const phoneProcedure = publicProcedure;

export const clientPhoneVerificationRouter = createTRPCRouter({
  sendCode: phoneProcedure
    .meta({ ipLimit: "phoneSendCode", ipLimitAfterInput: true, allowUnverifiedEmail: true })
    .input(c.sendCode.input)
    .use(inputCheckedIpLimit)
    .use(requireUserSession)
    .use(userGates)
    .output(c.sendCode.output)
    .mutation(({ ctx, input }) => sendPhoneCode(ctx.auth, input, ctx)),

  verifyPhone: phoneProcedure
    .meta({ ipLimit: "phoneVerify", ipLimitAfterInput: true, allowUnverifiedEmail: true })
    .input(c.verifyPhone.input)
    .use(inputCheckedIpLimit)
    .use(requireUserSession)
    .use(userGates)
    .output(c.verifyPhone.output)
    .mutation(({ ctx, input }) => verifyPhoneCode(ctx.auth, input.code, ctx)),
});
