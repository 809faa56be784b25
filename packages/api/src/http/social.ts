import type { IncomingMessage, ServerResponse } from "node:http";
import { getTRPCErrorFromUnknown, type AnyTRPCRouter, type TRPCError } from "@trpc/server";
import { socialProviders, type SocialProviderName } from "@gatehouse/contract";
import type { Context } from "../context";
import { classifyError } from "../error-shape";
import { AppError, errorCatalogue, type AppCode } from "../errors";
import { getLogger } from "../lib/log";
import { withQueryParameters } from "../policy/redirect-uri";
import { callbackUrlOf, completeSocialCallback } from "../services/social/flow";
import { createCallerFactory } from "../trpc";
import { REQUEST_ID_HEADER } from "./headers";
import { apiHeaders } from "./respond";
import { sendProblem } from "./rest";

/**
 * CONTRACT v2 "clientSocial", the browser's two plain routes:
 * - `GET /api/social/{provider}/start?tenantKey=…&redirectUri=…[&state=…][&codeChallenge=…]`:
 *   `clientSocial.start` itself (called through the router, so the same checks and the same
 *   per-IP limit), answered as a 302 to its `authorizationUrl`;
 * - `GET /api/social/{provider}/callback`: where every provider sends the browser back; a 302 to
 *   the app's redirect URI with a one-time code or an `error` appCode.
 * Errors that have nowhere to go are RFC 9457 problem details, as on /api/v1. No token is ever
 * put in a URL (the code is one-time and useless without the app's PKCE verifier), and every
 * answer is `no-store` with `Referrer-Policy: no-referrer`, so the provider's code in the
 * callback's URL is not leaked onward.
 */
export const SOCIAL_BASE_PATH = "/api/social/";

const ROUTE = /^\/api\/social\/([^/]+)\/(start|callback)$/;

const isProvider = (value: string): value is SocialProviderName => (socialProviders as readonly string[]).includes(value);

export interface SocialRoutesOptions {
  router: AnyTRPCRouter;
  createContext(req: IncomingMessage, res: ServerResponse): Context;
}

function problem(appCode: AppCode): AppError {
  return new AppError(appCode, errorCatalogue[appCode].message);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { ...apiHeaders, location, "content-length": 0 });
  res.end();
}

type SocialRoutesHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

export function createSocialRoutesHandler(options: SocialRoutesOptions): SocialRoutesHandler {
  const createCaller = createCallerFactory(options.router);
  const log = getLogger();

  const fail = (req: IncomingMessage, res: ServerResponse, cause: unknown) => {
    const error = cause instanceof AppError ? cause : classifyError(getTRPCErrorFromUnknown(cause) as TRPCError);
    if (error.status >= 500) {
      log.error(
        { requestId: res.getHeader(REQUEST_ID_HEADER), path: "social", appCode: error.appCode, err: error.cause ?? cause },
        "request failed",
      );
    }
    if (res.headersSent) res.destroy();
    else sendProblem(res, error);
  };

  async function start(req: IncomingMessage, res: ServerResponse, provider: SocialProviderName, query: URLSearchParams): Promise<void> {
    const input: Record<string, string> = { provider };
    // Each parameter once: a repeated one is ambiguous, so it is left for the schema to refuse.
    for (const name of ["tenantKey", "redirectUri", "state", "codeChallenge"]) {
      const values = query.getAll(name);
      if (values.length === 1) input[name] = values[0]!;
      else if (values.length > 1) input[name] = values as unknown as string;
    }
    const caller = createCaller(options.createContext(req, res)) as unknown as {
      clientSocial: { start(input: unknown): Promise<{ authorizationUrl: string }> };
    };
    const { authorizationUrl } = await caller.clientSocial.start(input);
    redirect(res, authorizationUrl);
  }

  async function callback(req: IncomingMessage, res: ServerResponse, provider: SocialProviderName, search: string): Promise<void> {
    const context = options.createContext(req, res);
    // The URL the provider sent the browser to, as the provider knows it (APP_URL, not the Host header).
    const currentUrl = new URL(`${callbackUrlOf(provider)}${search}`);
    const outcome = await completeSocialCallback(provider, currentUrl, { ip: context.ip, userAgent: context.userAgent });
    const params: Record<string, string | null> =
      outcome.kind === "code" ? { code: outcome.code, state: outcome.appState } : { error: outcome.error, state: outcome.appState };
    redirect(res, withQueryParameters(outcome.redirectUri, params));
  }

  return (req, res, pathname) => {
    const match = ROUTE.exec(pathname);
    const provider = match?.[1];
    if (!match || provider === undefined || !isProvider(provider)) {
      sendProblem(res, problem("request/NotFound"));
      return;
    }
    if (req.method !== "GET") {
      sendProblem(res, problem("request/MethodNotAllowed"), { allow: "GET" });
      return;
    }
    const url = req.url ?? "/";
    const queryStart = url.indexOf("?");
    const search = queryStart === -1 ? "" : url.slice(queryStart);
    const answered = match[2] === "start" ? start(req, res, provider, new URLSearchParams(search)) : callback(req, res, provider, search);
    answered.catch((cause: unknown) => fail(req, res, cause));
  };
}
