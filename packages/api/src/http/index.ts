import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { AnyTRPCRouter } from "@trpc/server";
import { getConfig } from "../config";
import { createContext } from "../context";
import { classifyError, noteRequestMethod, retryAfterOf } from "../error-shape";
import { getLogger } from "../lib/log";
import { checkHealth } from "../services/health";
import { publishedJwks } from "../services/signing-keys";
import { clientIp } from "./client-ip";
import { applyCors } from "./cors";
import { CLIENT_IP_HEADER as CLIENT_IP_HEADER_NAME, REQUEST_ID_HEADER } from "./headers";
import { MAX_BATCH_CALLS } from "./limits";
import { createOpenApiHandler } from "./openapi";
import { apiHeaders, sendAppError, sendJson } from "./respond";
import { createRestHandler, REST_BASE_PATH, REST_PREFIX } from "./rest";
import { createSocialRoutesHandler, SOCIAL_BASE_PATH } from "./social";
import { createTrpcNodeHandler } from "./trpc-node-adapter";

export { clientIp } from "./client-ip";

export const TRPC_BASE_PATH = "/api/trpc/";
export { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from "./headers";

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** HTTP/1.1: a request has a body only with Transfer-Encoding or a non-zero Content-Length. */
function hasRequestBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? "0") > 0;
}

function isApiPath(pathname: string): boolean {
  return (pathname.startsWith("/api/") && !pathname.startsWith("/api/auth/")) || pathname === "/.well-known/jwks.json";
}

/** Our own id, or the one a trusted proxy in front set (so a request can be followed through). */
export function requestIdFor(req: IncomingMessage, trustProxy: boolean): string {
  const upstream = req.headers[REQUEST_ID_HEADER];
  if (trustProxy && typeof upstream === "string" && /^[A-Za-z0-9._-]{8,64}$/.test(upstream)) return upstream;
  return randomUUID();
}

/**
 * One structured line per request when it ends: id, method, path (never the query string,
 * which can carry input), status, duration, client IP. Bodies and headers are never logged.
 */
export function logRequest(req: IncomingMessage, res: ServerResponse, requestId: string, pathname: string): void {
  const log = getLogger();
  if (!log.isLevelEnabled("info")) return;
  const started = performance.now();
  res.once("finish", () => {
    log.info(
      {
        requestId,
        method: req.method,
        path: pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname,
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ip: req.headers[CLIENT_IP_HEADER_NAME],
      },
      "request",
    );
  });
}

const TRPC_METHODS = new Set(["GET", "POST", "OPTIONS"]);

function isJsonContentType(value: string | undefined): boolean {
  return value?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

export interface ApiHandlerOptions {
  /** Answer every tRPC request with tRPC's own Node adapter (tests compare the two). */
  stockTrpcAdapter?: boolean;
}

/**
 * The API half of the front server: tRPC (createTrpcNodeHandler) for /api/trpc/*, the REST routes
 * (createRestHandler) for /api/v1/*, plus /api/health and /.well-known/jwks.json. Returns false
 * for anything else, which goes to Next.
 */
export function createApiHandler(router: AnyTRPCRouter, options: ApiHandlerOptions = {}): ApiHandler {
  const config = getConfig();
  const log = getLogger();

  /** One context for both transports, so a REST call meets its procedure exactly as a tRPC call does. */
  const contextFor = (req: IncomingMessage, res: ServerResponse) =>
    createContext({
      ip: clientIp(req, config.trustProxyHops),
      headers: req.headers,
      requestId: res.getHeader(REQUEST_ID_HEADER) as string,
      setHeader: (name, value) => res.setHeader(name, value),
    });

  const rest = createRestHandler({ router, maxBodySize: config.bodyLimitBytes, createContext: contextFor });
  const social = createSocialRoutesHandler({ router, createContext: contextFor });

  const trpc = createTrpcNodeHandler({
    router,
    basePath: TRPC_BASE_PATH,
    maxBodySize: config.bodyLimitBytes,
    maxBatchSize: MAX_BATCH_CALLS,
    stockOnly: options.stockTrpcAdapter,
    createContext: contextFor,
    responseHeaders: (errors) => {
      // An array appends to tRPC's own `vary: trpc-accept, accept` (CORS answers differ by Origin).
      // tRPC leaves request-level errors (413, 415, malformed JSON) as text/plain; every answer
      // here is JSON.
      const headers: Record<string, string | string[]> = { ...apiHeaders, "content-type": "application/json", vary: ["Origin"] };
      const retryAfter = retryAfterOf(errors);
      if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
      return headers;
    },
    onError: ({ error, path, ctx, req }) => {
      // The formatter sees only the error; whether unparsable JSON was `?input=` or the body is
      // the request's method.
      noteRequestMethod(error, req.method);
      const appErr = classifyError(error);
      if (appErr.status >= 500) {
        log.error({ requestId: ctx?.requestId, path, appCode: appErr.appCode, err: error.cause ?? error }, "request failed");
      }
    },
  });

  const hsts = config.appUrl.startsWith("https:") ? "max-age=31536000; includeSubDomains" : undefined;
  const openApi = createOpenApiHandler();

  return (req, res) => {
    const url = req.url ?? "/";
    const pathname = url.split("?", 1)[0] ?? "/";
    const requestId = requestIdFor(req, config.trustProxyHops > 0);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (hsts) res.setHeader("strict-transport-security", hsts);
    if (isApiPath(pathname)) logRequest(req, res, requestId, pathname);

    if (pathname.startsWith(TRPC_BASE_PATH) || pathname === "/api/trpc") {
      // The contract speaks GET and POST (and CORS preflights). Anything else is a 405 here, with
      // the API's headers: tRPC's adapter builds a fetch Request, which throws on TRACE (a 500
      // before), and answered HEAD with a bare 204.
      if (!TRPC_METHODS.has(req.method ?? "")) {
        sendAppError(res, "request/MethodNotAllowed", undefined);
        return true;
      }
      // tRPC also accepts multipart and octet-stream bodies; the contract is JSON only, so any
      // other declared type is turned into one tRPC refuses with UNSUPPORTED_MEDIA_TYPE (415).
      if (req.method === "POST" && req.headers["content-type"] !== undefined && !isJsonContentType(req.headers["content-type"])) {
        req.headers["content-type"] = "application/x-gatehouse-unsupported";
      }
      // A POST with no body at all means no input, as a query without `?input` does (tRPC's own
      // client sends `signOut.mutate()` that way, with a JSON content type and no body).
      if (req.method === "POST" && !hasRequestBody(req)) {
        req.headers["content-type"] ??= "application/json";
        (req as IncomingMessage & { body?: string }).body = "{}";
      }
      if (req.headers.origin === undefined && req.method !== "OPTIONS") {
        trpc(req, res);
        return true;
      }
      applyCors(req, res, pathname, TRPC_BASE_PATH).then(
        (answered) => {
          if (!answered) trpc(req, res);
        },
        (err: unknown) => {
          log.error({ requestId, err }, "cors check failed");
          sendAppError(res, "service/Unavailable", undefined);
        },
      );
      return true;
    }
    if (pathname.startsWith(REST_BASE_PATH) || pathname === REST_PREFIX) {
      rest(req, res, pathname);
      return true;
    }
    if (pathname.startsWith(SOCIAL_BASE_PATH)) {
      social(req, res, pathname);
      return true;
    }
    if (pathname === "/api/health") {
      if (req.method !== "GET" && req.method !== "HEAD") {
        sendAppError(res, "request/MethodNotAllowed", undefined);
        return true;
      }
      void checkHealth().then(
        (health) => sendJson(res, health.status === "ok" ? 200 : 503, health),
        () => sendJson(res, 503, { status: "degraded", db: "down", redis: "down" }),
      );
      return true;
    }
    if (pathname === "/.well-known/jwks.json") {
      void publishedJwks().then(
        // Public keys: any origin may read them (product apps may verify in the browser).
        (jwks) => sendJson(res, 200, jwks, { "cache-control": "max-age=300", "access-control-allow-origin": "*" }),
        (err: unknown) => {
          log.error({ requestId, err }, "jwks unavailable");
          sendAppError(res, "service/Unavailable", undefined);
        },
      );
      return true;
    }
    if (openApi(req, res, pathname)) return true;
    if (pathname.startsWith("/api/") && !pathname.startsWith("/api/auth/")) {
      sendAppError(res, "request/NotFound", undefined);
      return true;
    }
    return false;
  };
}
