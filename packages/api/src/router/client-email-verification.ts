import { clientEmailVerificationContract as c } from "@gatehouse/contract";
import { userProcedure } from "../procedures";
import { sendVerificationCode, verifyEmailCode } from "../services/email-verification";
import { createTRPCRouter } from "../trpc";

/** CONTRACT.md "clientEmailVerification": both are `A U` (not while a password change is required). */
export const clientEmailVerificationRouter = createTRPCRouter({
  sendVerification: userProcedure
    .meta({ allowUnverifiedEmail: true, ipLimit: "sendVerification" })
    .input(c.sendVerification.input)
    .output(c.sendVerification.output)
    .mutation(({ ctx, input }) => sendVerificationCode(ctx.auth, input.email)),

  verifyEmail: userProcedure
    .meta({ allowUnverifiedEmail: true, ipLimit: "verifyEmail" })
    .input(c.verifyEmail.input)
    .output(c.verifyEmail.output)
    .mutation(({ ctx, input }) => verifyEmailCode(ctx.auth, input.code, ctx)),
});
