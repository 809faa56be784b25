import { z } from "zod";
import {
  displayNameSchema,
  emailSchema,
  existingPasswordSchema,
  newPasswordSchema,
  refreshTokenSchema,
  signInUserIdSchema,
  tenantKeySchema,
  userIdSchema,
  uuidSchema,
} from "../policy/inputs";
import { publicProcedure, userProcedure } from "../procedures";
import { currentUser, listOwnSessions, revokeOwnSession, signOut, updateProfile } from "../services/account";
import { changePassword, signIn, signUp } from "../services/end-user-auth";
import { rotateRefreshToken } from "../services/sessions";
import { createTRPCRouter } from "../trpc";

/** U and C: allowed for unverified users and while a password change is required. */
const anyState = { allowUnverifiedEmail: true, allowPasswordChangeRequired: true } as const;

/** CONTRACT.md "clientAuth". The context is the client (`ip`, `userAgent`) the services record. */
export const clientAuthRouter = createTRPCRouter({
  signUp: publicProcedure
    .meta({ ipLimit: "signUp" })
    .input(z.object({ tenantKey: tenantKeySchema, userId: userIdSchema, password: newPasswordSchema, displayName: displayNameSchema, email: emailSchema }))
    .mutation(({ ctx, input }) => signUp(input, ctx)),

  signIn: publicProcedure
    .meta({ ipLimit: "signIn" })
    .input(z.object({ tenantKey: tenantKeySchema, userId: signInUserIdSchema, password: existingPasswordSchema }))
    .mutation(({ ctx, input }) => signIn(input, ctx)),

  refresh: publicProcedure
    .meta({ ipLimit: "refresh" })
    .input(z.object({ refreshToken: refreshTokenSchema }))
    .mutation(({ ctx, input }) => rotateRefreshToken(input.refreshToken, ctx)),

  signOut: userProcedure
    .meta(anyState)
    .input(z.object({ refreshToken: refreshTokenSchema.optional() }).prefault({}))
    .mutation(({ ctx, input }) => signOut(ctx.auth, input, ctx)),

  me: userProcedure.meta(anyState).query(({ ctx }) => currentUser(ctx.auth)),

  updateMe: userProcedure.input(z.object({ displayName: displayNameSchema })).mutation(({ ctx, input }) => updateProfile(ctx.auth, input)),

  changePassword: userProcedure
    .meta(anyState)
    .input(z.object({ currentPassword: existingPasswordSchema, newPassword: newPasswordSchema }))
    .mutation(({ ctx, input }) => changePassword(ctx.auth, input, ctx)),

  listSessions: userProcedure.meta(anyState).query(({ ctx }) => listOwnSessions(ctx.auth)),

  revokeSession: userProcedure
    .meta(anyState)
    .input(z.object({ id: uuidSchema }))
    .mutation(({ ctx, input }) => revokeOwnSession(ctx.auth, input.id, ctx)),
});
