import { AccessTokenError, verifyAccessToken, type AccessTokenClaims, type VerifyAccessTokenOptions } from "./verify";

/**
 * What the helpers read from a request: a Fetch `Request`, Next's `NextRequest` (cookies and
 * nextUrl included) and most framework requests fit, so nothing here imports Next.
 */
export interface RequestLike {
  headers: { get(name: string): string | null };
  url?: string;
  cookies?: { get(name: string): { value: string } | undefined };
  nextUrl?: { pathname: string };
}

export interface GatehouseAuth {
  token: string;
  claims: AccessTokenClaims;
}

export interface GatehouseAuthOptions extends VerifyAccessTokenOptions {
  /** Also accept the token from this cookie when there is no Authorization header. */
  cookieName?: string;
  /** The answer for a request without a valid token. Default: a JSON 401/403/503 (see README). */
  onError?: (error: AccessTokenError, request: RequestLike) => Response | Promise<Response>;
}

/** The bearer token of `Authorization: Bearer <token>`, else the named cookie's, else null. */
export function accessTokenOf(request: RequestLike, cookieName?: string): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer +(\S+)$/i.exec(header.trim()) : null;
  if (match) return match[1]!;
  if (cookieName) {
    const fromCookies = request.cookies?.get(cookieName)?.value;
    if (fromCookies) return fromCookies;
    const raw = request.headers.get("cookie");
    for (const part of raw?.split(";") ?? []) {
      const [name, ...rest] = part.trim().split("=");
      if (name === cookieName && rest.length > 0) return decodeURIComponent(rest.join("="));
    }
  }
  return null;
}

const appCodeOf = (error: AccessTokenError) =>
  error.code === "token/EmailNotVerified"
    ? "auth/EmailNotVerified"
    : error.code === "jwks/Unavailable"
      ? "service/Unavailable"
      : "auth/Unauthenticated";

/** The default refusal: Gatehouse's error shape, with WWW-Authenticate on 401. */
export function accessTokenErrorResponse(error: AccessTokenError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (error.status === 401) headers["www-authenticate"] = `Bearer error="invalid_token"`;
  const body = { error: { message: error.message, data: { appCode: appCodeOf(error), httpStatus: error.status, reason: error.code } } };
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/** Reads and verifies the request's access token. */
export async function authenticateRequest(
  request: RequestLike,
  options: GatehouseAuthOptions,
): Promise<{ ok: true; auth: GatehouseAuth } | { ok: false; error: AccessTokenError }> {
  const token = accessTokenOf(request, options.cookieName);
  if (!token) return { ok: false, error: new AccessTokenError("token/Missing", "An access token is required.") };
  const result = await verifyAccessToken(token, options);
  return result.ok ? { ok: true, auth: { token, claims: result.claims } } : { ok: false, error: result.error };
}

/**
 * Wraps a route handler or a Next.js middleware so it runs only with a valid access token:
 *
 *   export const GET = withGatehouseAuth((req, { claims }) => Response.json({ user: claims.sub }), options);
 *   export default withGatehouseAuth((req, { claims }) => NextResponse.next(), options); // middleware.ts
 *
 * Without one it answers `options.onError(error)` or a JSON 401 (403 for an unverified email
 * with requireVerifiedEmail, 503 when the keys cannot be fetched).
 */
export function withGatehouseAuth<TRequest extends RequestLike, TArgs extends unknown[], TResult>(
  handler: (request: TRequest, auth: GatehouseAuth, ...args: TArgs) => TResult | Promise<TResult>,
  options: GatehouseAuthOptions,
): (request: TRequest, ...args: TArgs) => Promise<TResult | Response> {
  return async (request, ...args) => {
    const result = await authenticateRequest(request, options);
    if (!result.ok) return options.onError ? options.onError(result.error, request) : accessTokenErrorResponse(result.error);
    return handler(request, result.auth, ...args);
  };
}

export interface GatehouseMiddlewareOptions extends GatehouseAuthOptions {
  /** Which paths need a token (default: all the middleware's matcher sends here). */
  protect?: (pathname: string) => boolean;
}

/**
 * A ready Next.js middleware: refuses requests to protected paths without a valid token and
 * lets the rest through (returns undefined, which Next reads as "continue").
 *
 *   // middleware.ts
 *   export const middleware = gatehouseMiddleware({ jwksUrl, issuer, audience, protect: (p) => p.startsWith("/api/") });
 */
export function gatehouseMiddleware(options: GatehouseMiddlewareOptions): (request: RequestLike) => Promise<Response | undefined> {
  return async (request) => {
    const pathname = request.nextUrl?.pathname ?? (request.url ? new URL(request.url, "http://localhost").pathname : "/");
    if (options.protect && !options.protect(pathname)) return undefined;
    const result = await authenticateRequest(request, options);
    if (result.ok) return undefined;
    return options.onError ? options.onError(result.error, request) : accessTokenErrorResponse(result.error);
  };
}
