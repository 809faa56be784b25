import { createTRPCRouter } from "./trpc";
import { backOfficeRouter } from "./router/back-office";
import { clientAuthRouter } from "./router/client-auth";
import { clientEmailVerificationRouter } from "./router/client-email-verification";

/** The whole API (CONTRACT.md "Routers"). */
export const appRouter = createTRPCRouter({
  clientAuth: clientAuthRouter,
  clientEmailVerification: clientEmailVerificationRouter,
  backOffice: backOfficeRouter,
});

export type AppRouter = typeof appRouter;
