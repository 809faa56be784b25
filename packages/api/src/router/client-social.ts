import { clientSocialContract as c } from "@gatehouse/contract";
import { inputCheckedIpLimit } from "../middleware/ip-limit";
import { publicProcedure, userProcedure } from "../procedures";
import { listOwnIdentities } from "../services/identities";
import { exchangeSocialCode, signInWithProviderToken, startSocialSignIn } from "../services/social/flow";
import { createTRPCRouter } from "../trpc";

/** U and C: allowed for unverified users and while a password change is required. */
const anyState = { allowUnverifiedEmail: true, allowPasswordChangeRequired: true } as const;

/**
 * CONTRACT v2 "clientSocial": sign-in with Google, Kakao and Naver. The public three check, in
 * the v2 order, the input schema, then the per-IP limit (after `.input()`), then the services
 * check the tenant, the provider and the rest. The provider's callback is a plain route
 * (http/social.ts), not a procedure: the browser arrives there, not an app.
 */
export const clientSocialRouter = createTRPCRouter({
  start: publicProcedure
    .meta({ ipLimit: "socialStart", ipLimitAfterInput: true })
    .input(c.start.input)
    .use(inputCheckedIpLimit)
    .output(c.start.output)
    .mutation(({ input }) => startSocialSignIn(input)),

  exchange: publicProcedure
    .meta({ ipLimit: "socialExchange", ipLimitAfterInput: true })
    .input(c.exchange.input)
    .use(inputCheckedIpLimit)
    .output(c.exchange.output)
    .mutation(({ ctx, input }) => exchangeSocialCode(input, ctx)),

  signInWithToken: publicProcedure
    .meta({ ipLimit: "socialSignInWithToken", ipLimitAfterInput: true })
    .input(c.signInWithToken.input)
    .use(inputCheckedIpLimit)
    .output(c.signInWithToken.output)
    .mutation(({ ctx, input }) => signInWithProviderToken(input, ctx)),

  listIdentities: userProcedure
    .meta(anyState)
    .output(c.listIdentities.output)
    .query(({ ctx }) => listOwnIdentities(ctx.auth)),
});
