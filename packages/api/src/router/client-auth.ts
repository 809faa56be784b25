import { clientAuthContract as c } from "@gatehouse/contract";
import { publicProcedure, userProcedure } from "../procedures";
import { currentUser, listOwnSessions, revokeOwnSession, signOut, updateProfile } from "../services/account";
import { changePassword, signIn, signUp } from "../services/end-user-auth";
import { rotateRefreshToken } from "../services/sessions";
import { createTRPCRouter } from "../trpc";

/** U and C: allowed for unverified users and while a password change is required. */
const anyState = { allowUnverifiedEmail: true, allowPasswordChangeRequired: true } as const;

/**
 * CONTRACT.md "clientAuth". Inputs, outputs and appCodes are declared in @gatehouse/contract; the
 * context is the client (`ip`, `userAgent`) the services record.
 */
export const clientAuthRouter = createTRPCRouter({
  signUp: publicProcedure
    .meta({ ipLimit: "signUp" })
    .input(c.signUp.input)
    .output(c.signUp.output)
    .mutation(({ ctx, input }) => signUp(input, ctx)),

  signIn: publicProcedure
    .meta({ ipLimit: "signIn" })
    .input(c.signIn.input)
    .output(c.signIn.output)
    .mutation(({ ctx, input }) => signIn(input, ctx)),

  refresh: publicProcedure
    .meta({ ipLimit: "refresh" })
    .input(c.refresh.input)
    .output(c.refresh.output)
    .mutation(({ ctx, input }) => rotateRefreshToken(input.refreshToken, ctx)),

  signOut: userProcedure
    .meta(anyState)
    .input(c.signOut.input)
    .output(c.signOut.output)
    .mutation(({ ctx, input }) => signOut(ctx.auth, input, ctx)),

  me: userProcedure
    .meta(anyState)
    .output(c.me.output)
    .query(({ ctx }) => currentUser(ctx.auth)),

  updateMe: userProcedure
    .input(c.updateMe.input)
    .output(c.updateMe.output)
    .mutation(({ ctx, input }) => updateProfile(ctx.auth, input)),

  changePassword: userProcedure
    .meta(anyState)
    .input(c.changePassword.input)
    .output(c.changePassword.output)
    .mutation(({ ctx, input }) => changePassword(ctx.auth, input, ctx)),

  listSessions: userProcedure
    .meta(anyState)
    .output(c.listSessions.output)
    .query(({ ctx }) => listOwnSessions(ctx.auth)),

  revokeSession: userProcedure
    .meta(anyState)
    .input(c.revokeSession.input)
    .output(c.revokeSession.output)
    .mutation(({ ctx, input }) => revokeOwnSession(ctx.auth, input.id, ctx)),
});
