import { createTRPCRouter } from "./trpc";
import { backOfficeRouter } from "./router/back-office";
import { clientAuthRouter } from "./router/client-auth";
import { clientEmailVerificationRouter } from "./router/client-email-verification";
import { clientPasswordResetRouter } from "./router/client-password-reset";
import { clientPasswordlessRouter } from "./router/client-passwordless";
import { clientPhoneVerificationRouter } from "./router/client-phone-verification";
import { clientSocialRouter } from "./router/client-social";

/** The end-user API product apps call (the SDK's types cover exactly this). */
export const clientRouters = {
  clientAuth: clientAuthRouter,
  clientEmailVerification: clientEmailVerificationRouter,
  clientPasswordless: clientPasswordlessRouter,
  clientPasswordReset: clientPasswordResetRouter,
  clientPhoneVerification: clientPhoneVerificationRouter,
  clientSocial: clientSocialRouter,
};
/** @public: only its type is used (ClientRouter, the SDK's router type). */
export const clientAppRouter = createTRPCRouter(clientRouters);
export type ClientRouter = typeof clientAppRouter;

/** The whole API (CONTRACT.md "Routers"). */
export const appRouter = createTRPCRouter({
  ...clientRouters,
  backOffice: backOfficeRouter,
});

export type AppRouter = typeof appRouter;
