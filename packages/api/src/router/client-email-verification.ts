import { z } from "zod";
import { enforceIpLimit } from "../policy/rate-limits";
import { emailSchema, otpCodeSchema } from "../policy/inputs";
import { userProcedure } from "../procedures";
import { sendVerificationCode, verifyEmailCode } from "../services/email-verification";
import { createTRPCRouter } from "../trpc";

/** A U: allowed for an unverified user, not while a password change is required. */
const unverified = { allowUnverifiedEmail: true } as const;

/** CONTRACT.md "clientEmailVerification". */
export const clientEmailVerificationRouter = createTRPCRouter({
  sendVerification: userProcedure
    .meta(unverified)
    .use(async ({ ctx, next }) => (await enforceIpLimit("sendVerification", ctx.ip), next()))
    .input(z.object({ email: emailSchema }))
    .mutation(({ ctx, input }) => sendVerificationCode(ctx.auth, input.email)),

  verifyEmail: userProcedure
    .meta(unverified)
    .use(async ({ ctx, next }) => (await enforceIpLimit("verifyEmail", ctx.ip), next()))
    .input(z.object({ code: otpCodeSchema }))
    .mutation(({ ctx, input }) => verifyEmailCode(ctx.auth, input.code, { ip: ctx.ip })),
});
