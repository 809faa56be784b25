import { clientEmailVerificationContract } from "@gatehouse/contract";
import { enforceIpLimit } from "../policy/rate-limits";
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
    .input(clientEmailVerificationContract.sendVerification.input).output(clientEmailVerificationContract.sendVerification.output)
    .mutation(({ ctx, input }) => sendVerificationCode(ctx.auth, input.email)),

  verifyEmail: userProcedure
    .meta(unverified)
    .use(async ({ ctx, next }) => (await enforceIpLimit("verifyEmail", ctx.ip), next()))
    .input(clientEmailVerificationContract.verifyEmail.input).output(clientEmailVerificationContract.verifyEmail.output)
    .mutation(({ ctx, input }) => verifyEmailCode(ctx.auth, input.code, { ip: ctx.ip })),
});
