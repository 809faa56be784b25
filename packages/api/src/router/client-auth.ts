import { clientAuthContract } from "@gatehouse/contract";
import { getPrisma } from "@gatehouse/db";
import { appError } from "../errors";
import { enforceIpLimit } from "../policy/rate-limits";
import { publicProcedure, userProcedure } from "../procedures";
import { audit } from "../services/audit";
import { changePassword, signIn, signUp } from "../services/end-user-auth";
import { listLiveSessions, revokeSession, rotateRefreshToken } from "../services/sessions";
import { parseRefreshToken } from "../services/tokens";
import { toUserDto } from "../services/user-dto";
import { createTRPCRouter } from "../trpc";

const client = (ctx: { ip: string; userAgent: string | null }) => ({ ip: ctx.ip, userAgent: ctx.userAgent });
/** U and C: allowed for unverified users and while a password change is required. */
const anyState = { allowUnverifiedEmail: true, allowPasswordChangeRequired: true } as const;

/** CONTRACT.md "clientAuth". */
export const clientAuthRouter = createTRPCRouter({
  signUp: publicProcedure
    .use(async ({ ctx, next }) => (await enforceIpLimit("signUp", ctx.ip), next()))
    .input(clientAuthContract.signUp.input).output(clientAuthContract.signUp.output)
    .mutation(({ ctx, input }) => signUp(input, client(ctx))),

  signIn: publicProcedure
    .use(async ({ ctx, next }) => (await enforceIpLimit("signIn", ctx.ip), next()))
    .input(clientAuthContract.signIn.input).output(clientAuthContract.signIn.output)
    .mutation(({ ctx, input }) => signIn(input, client(ctx))),

  refresh: publicProcedure
    .use(async ({ ctx, next }) => (await enforceIpLimit("refresh", ctx.ip), next()))
    .input(clientAuthContract.refresh.input).output(clientAuthContract.refresh.output)
    .mutation(({ ctx, input }) => rotateRefreshToken(input.refreshToken, client(ctx))),

  signOut: userProcedure
    .meta(anyState)
    .input(clientAuthContract.signOut.input).output(clientAuthContract.signOut.output)
    .mutation(async ({ ctx, input }) => {
      const { session, user, tenant } = ctx.auth;
      if (input.refreshToken !== undefined && parseRefreshToken(input.refreshToken)?.family !== session.tokenFamily) {
        throw appError("auth/InvalidRefreshToken");
      }
      await revokeSession(session.id, "signed_out");
      await audit({ actor: { type: "user", id: user.id, label: user.userId }, action: "user.signedOut", tenant, target: `session:${session.id}`, ip: ctx.ip });
      return { success: true as const };
    }),

  me: userProcedure.meta(anyState).output(clientAuthContract.me.output).query(({ ctx }) => ({ user: toUserDto(ctx.auth.user, ctx.auth.tenant.key) })),

  updateMe: userProcedure.input(clientAuthContract.updateMe.input).output(clientAuthContract.updateMe.output).mutation(async ({ ctx, input }) => {
    const user = await getPrisma().user.update({ where: { id: ctx.auth.user.id }, data: { displayName: input.displayName } });
    return { user: toUserDto(user, ctx.auth.tenant.key) };
  }),

  changePassword: userProcedure
    .meta(anyState)
    .input(clientAuthContract.changePassword.input).output(clientAuthContract.changePassword.output)
    .mutation(({ ctx, input }) => changePassword(ctx.auth, input, client(ctx))),

  listSessions: userProcedure.meta(anyState).output(clientAuthContract.listSessions.output).query(async ({ ctx }) => {
    const sessions = await listLiveSessions(ctx.auth.user.id);
    return {
      items: sessions.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === ctx.auth.session.id,
      })),
    };
  }),

  revokeSession: userProcedure
    .meta(anyState)
    .input(clientAuthContract.revokeSession.input).output(clientAuthContract.revokeSession.output)
    .mutation(async ({ ctx, input }) => {
      const { user, tenant } = ctx.auth;
      const owned = await getPrisma().session.findFirst({ where: { id: input.id, userId: user.id }, select: { id: true } });
      if (!owned) throw appError("session/NotFound");
      if (await revokeSession(input.id, "revoked_by_user")) {
        await audit({ actor: { type: "user", id: user.id, label: user.userId }, action: "session.revoked", tenant, target: `session:${input.id}`, ip: ctx.ip });
      }
      return { success: true as const };
    }),
});
