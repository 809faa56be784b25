import type { IncomingMessage, ServerResponse } from "node:http";
import { getConfig } from "../config";
import { isAllowedClientOrigin, originOf } from "../services/cors-origins";
import { apiHeaders, sendAppError } from "./respond";

/**
 * CORS for the API: client* procedures answer browsers whose Origin is a tenant's appUrl
 * origin; backOffice (and anything else) never answers cross-origin. Bearer tokens, not
 * cookies, authenticate client* calls, so credentials are never allowed cross-origin.
 */
const ALLOWED_HEADERS = "authorization, content-type, trpc-accept, x-trpc-source";

function procedurePaths(pathname: string, basePath: string): string[] {
  const raw = pathname.slice(basePath.length);
  try {
    return decodeURIComponent(raw).split(",");
  } catch {
    // A malformed %-escape names no procedure: treated as not a client path (refused cross-origin).
    return raw.split(",");
  }
}

/** Every end-user router (`clientAuth`, `clientEmailVerification`, `clientPasswordless`, …): the contract names them all `client*`. */
function isClientPath(path: string): boolean {
  return /^client[A-Z][A-Za-z]*\./.test(path);
}

/**
 * The BackOffice's own origin: APP_URL's. In development also whatever host the request was
 * addressed to, so localhost and 127.0.0.1 both work (a cross-site page still sends its own
 * Origin, which names another host; cookies are per host anyway).
 */
export function isOwnOrigin(origin: string, host: string | undefined): boolean {
  const config = getConfig();
  if (origin === originOf(config.appUrl)) return true;
  if (config.mode !== "development" || !host || !URL.canParse(origin)) return false;
  return new URL(origin).host === host.toLowerCase();
}

/**
 * Applies CORS to a /api/trpc request. Returns true when it answered the request itself (a
 * preflight), false when the request should go on to tRPC.
 */
export async function applyCors(req: IncomingMessage, res: ServerResponse, pathname: string, basePath: string): Promise<boolean> {
  const origin = req.headers.origin;
  const preflight = req.method === "OPTIONS";
  if (!origin) {
    if (preflight) {
      res.writeHead(204, apiHeaders);
      res.end();
      return true;
    }
    return false;
  }
  const paths = procedurePaths(pathname, basePath);
  // BackOffice calls ride on a cookie: one that a browser sends from another origin is refused
  // before it runs (defence in depth beside SameSite=Lax and JSON-only bodies).
  if (!preflight && !isOwnOrigin(origin, req.headers.host) && paths.some((path) => !isClientPath(path))) {
    sendAppError(res, "auth/Forbidden", paths.join(","), "Cross-origin requests to this API are not allowed.");
    return true;
  }
  const allowed = paths.length > 0 && paths.every(isClientPath) && (await isAllowedClientOrigin(origin));
  res.setHeader("vary", "Origin");
  if (allowed) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", "retry-after, x-request-id");
  }
  if (!preflight) return false;
  if (allowed) {
    res.writeHead(204, {
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "600",
      ...apiHeaders,
    });
  } else {
    res.writeHead(204, apiHeaders);
  }
  res.end();
  return true;
}
