import { TRPCError } from "@trpc/server";
import type { SocialProviderName } from "@gatehouse/contract";
import { getConfig } from "./config";
import { createContext } from "./context";
import { appErrorOf, type AppCode } from "./errors";
import { CLIENT_IP_HEADER } from "./http/headers";
import { appRouter } from "./root";
import { liveTenantSummary } from "./services/tenants";
import { staffFromCookie, staffSessionCookieName } from "./staff/auth";
import { staffAuthConfig } from "./staff/auth-config";
import { createCallerFactory } from "./trpc";

/**
 * What Next's server code (BackOffice pages, next-auth's route, the demo page) uses of the API.
 * The front server builds it from its own, the process's only, copy of the API and hands it to
 * Next (pages-handoff.ts): Next's bundle holds no API code, so one process has one config, one
 * database pool, one Redis connection, one hashing pool, and our errors pass `instanceof`.
 * Why not import the API from Next: Next compiles its server code into bundles of its own, so
 * the API would be a second copy beside the front server's (the packages are TypeScript source
 * without a build step, so neither side can load them from node_modules at run time instead).
 */
export function createPagesApi() {
  const createCaller = createCallerFactory(appRouter);
  return {
    /**
     * The backOffice procedures for one page request: the same middlewares and staff-session
     * check as over HTTP (the context carries the request's cookies and the client IP the front
     * server determined), so a page sees exactly what its staff member may see.
     */
    backOffice: (requestHeaders: Headers) =>
      createCaller(createContext({ ip: requestHeaders.get(CLIENT_IP_HEADER) ?? "unknown", headers: requestHeaders })).backOffice,
    /** The appCode an in-process call failed with (an input the schema refused is validation/Invalid). */
    appCodeOf(error: unknown): AppCode | undefined {
      const appCode = appErrorOf(error)?.appCode;
      if (appCode) return appCode;
      return error instanceof TRPCError && error.code === "BAD_REQUEST" ? "validation/Invalid" : undefined;
    },
    liveTenantSummary,
    /**
     * Gatehouse's one callback URL at `provider` for every tenant (CONTRACT v2 "clientSocial"),
     * what a tenant's admin registers in the provider's console: APP_URL + the callback route.
     */
    socialCallbackUrl: (provider: SocialProviderName) => `${getConfig().appUrl.replace(/\/+$/, "")}/api/social/${provider}/callback`,
    /** next-auth's configuration for the staff sign-in (built per request: it reads the config). */
    staffAuthConfig,
    staffFromCookie,
    staffSessionCookieName: () => staffSessionCookieName(),
  };
}

export type PagesApi = ReturnType<typeof createPagesApi>;
export type BackOfficeCaller = ReturnType<PagesApi["backOffice"]>;
