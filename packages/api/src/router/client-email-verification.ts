import { z } from "zod";
import { emailSchema, otpCodeSchema } from "../policy/inputs";
import { userProcedure } from "../procedures";
import { sendVerificationCode, verifyEmailCode } from "../services/email-verification";
import { createTRPCRouter } from "../trpc";

/** CONTRACT.md "clientEmailVerification": both are `A U` (not while a password change is required). */
export const clientEmailVerificationRouter = createTRPCRouter({
  sendVerification: userProcedure
    .meta({ allowUnverifiedEmail: true, ipLimit: "sendVerification" })
    .input(z.object({ email: emailSchema }))
    .mutation(({ ctx, input }) => sendVerificationCode(ctx.auth, input.email)),

  verifyEmail: userProcedure
    .meta({ allowUnverifiedEmail: true, ipLimit: "verifyEmail" })
    .input(z.object({ code: otpCodeSchema }))
    .mutation(({ ctx, input }) => verifyEmailCode(ctx.auth, input.code, ctx)),
});
