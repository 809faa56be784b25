import type { AppCode as ServerAppCode } from "@gatehouse/contract/app-codes";
import {
  AccessTokenError,
  createAccessTokenVerifier,
  GatehouseConfigError,
  type AccessTokenClaims,
  type AccessTokenErrorCode,
  type AccessTokenVerifier,
  type VerifyAccessTokenOptions,
} from "./verify";

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

export type GatehouseAuthOptions = VerifyAccessTokenOptions & {
  /** Also accept the token from this cookie when there is no Authorization header. */
  cookieName?: string;
  /** The answer for a request without a valid token. Default: a JSON 401/403/503 (see README). */
  onError?: (error: AccessTokenError, request: RequestLike) => Response | Promise<Response>;
};

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

/** The appCode Gatehouse itself answers for the same refusal, so clients handle both alike. */
const appCodeByError: Record<AccessTokenErrorCode, ServerAppCode> = {
  "token/Missing": "auth/Unauthenticated",
  "token/Malformed": "auth/Unauthenticated",
  "token/Expired": "auth/Unauthenticated",
  "token/InvalidSignature": "auth/Unauthenticated",
  "token/InvalidClaims": "auth/Unauthenticated",
  "token/WrongTenant": "auth/Unauthenticated",
  "token/PasswordChangeRequired": "auth/PasswordChangeRequired",
  "token/EmailNotVerified": "auth/EmailNotVerified",
  "jwks/Unavailable": "service/Unavailable",
};

/** The default refusal: Gatehouse's error shape, with WWW-Authenticate on 401. */
export function accessTokenErrorResponse(error: AccessTokenError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (error.status === 401) headers["www-authenticate"] = `Bearer error="invalid_token"`;
  const body = {
    error: { message: error.message, data: { appCode: appCodeByError[error.code], httpStatus: error.status, reason: error.code } },
  };
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/** The auth options, checked once. */
interface PreparedAuth {
  verifier: AccessTokenVerifier;
  cookieName: string | undefined;
  refuse: (error: AccessTokenError, request: RequestLike) => Response | Promise<Response>;
}

/** RFC 6265's cookie-name token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function prepareAuth(options: GatehouseAuthOptions): PreparedAuth {
  const verifier = createAccessTokenVerifier(options);
  const { cookieName, onError } = options as { cookieName?: unknown; onError?: unknown };
  if (cookieName !== undefined && (typeof cookieName !== "string" || !COOKIE_NAME.test(cookieName))) {
    throw new GatehouseConfigError("cookieName", "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~) when given");
  }
  if (onError !== undefined && typeof onError !== "function") {
    throw new GatehouseConfigError("onError", "must be a function (error, request) => Response when given");
  }
  return {
    verifier,
    cookieName,
    refuse: (onError as GatehouseAuthOptions["onError"]) ?? accessTokenErrorResponse,
  };
}

async function authenticateWith(
  request: RequestLike,
  auth: PreparedAuth,
): Promise<{ ok: true; auth: GatehouseAuth } | { ok: false; error: AccessTokenError }> {
  const token = accessTokenOf(request, auth.cookieName);
  if (!token) return { ok: false, error: new AccessTokenError("token/Missing", "An access token is required.") };
  const result = await auth.verifier.verify(token);
  return result.ok ? { ok: true, auth: { token, claims: result.claims } } : { ok: false, error: result.error };
}

/** Reads and verifies the request's access token (rejects with GatehouseConfigError for bad options). */
export async function authenticateRequest(
  request: RequestLike,
  options: GatehouseAuthOptions,
): Promise<{ ok: true; auth: GatehouseAuth } | { ok: false; error: AccessTokenError }> {
  return authenticateWith(request, prepareAuth(options));
}

/**
 * Wraps a route handler or a Next.js middleware so it runs only with a valid access token:
 *
 *   export const GET = withGatehouseAuth((req, { claims }) => Response.json({ user: claims.sub }), options);
 *   export default withGatehouseAuth((req, { claims }) => NextResponse.next(), options); // middleware.ts
 *
 * Without one it answers `options.onError(error)` or a JSON 401 (403 for a password change
 * required or an unverified email, 503 when the keys cannot be fetched). The options are
 * checked here, when the module loads: a wrong one throws GatehouseConfigError.
 */
export function withGatehouseAuth<TRequest extends RequestLike, TArgs extends unknown[], TResult>(
  handler: (request: TRequest, auth: GatehouseAuth, ...args: TArgs) => TResult | Promise<TResult>,
  options: GatehouseAuthOptions,
): (request: TRequest, ...args: TArgs) => Promise<TResult | Response> {
  const auth = prepareAuth(options);
  return async (request, ...args) => {
    const result = await authenticateWith(request, auth);
    if (!result.ok) return auth.refuse(result.error, request);
    return handler(request, result.auth, ...args);
  };
}

export type GatehouseMiddlewareOptions = GatehouseAuthOptions & {
  /**
   * Which paths need a token (default: all the middleware's matcher sends here). Path prefixes
   * (`["/account", "/api/private"]`) match whole segments: `/account` and `/account/…`, never
   * `/accountant`. A function gets the raw pathname and decides alone.
   */
  protect?: readonly string[] | ((pathname: string) => boolean);
};

/**
 * A path's segments as a router may read it: percent-escapes decoded, backslashes read as
 * slashes, empty and dot segments resolved, lower-cased. Undefined when it cannot be decoded.
 * Reading more spellings as one path only ever protects more, never less.
 */
function segmentsOf(pathname: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const segments: string[] = [];
  for (const segment of decoded.replace(/\\/g, "/").toLowerCase().split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return segments;
}

function protectedPathsOf(protect: unknown): (pathname: string | undefined) => boolean {
  if (protect === undefined) return () => true;
  if (typeof protect === "function") {
    // Without a pathname there is nothing to hand the function: protect.
    return (pathname) => pathname === undefined || Boolean((protect as (pathname: string) => boolean)(pathname));
  }
  const expected = 'must be a list of path prefixes like ["/account"] or a function (pathname) => boolean';
  if (!Array.isArray(protect)) throw new GatehouseConfigError("protect", expected);
  const prefixes = protect.map((prefix: unknown) => {
    const segments = typeof prefix === "string" && prefix.startsWith("/") ? segmentsOf(prefix) : undefined;
    if (!segments) throw new GatehouseConfigError("protect", `${expected} (each starting with "/")`);
    return segments;
  });
  return (pathname) => {
    const path = pathname === undefined ? undefined : segmentsOf(pathname);
    // A path that cannot be read is protected: failing closed costs a 401, failing open a leak.
    if (!path) return true;
    return prefixes.some((prefix) => prefix.every((segment, i) => path[i] === segment));
  };
}

function pathnameOf(request: RequestLike): string | undefined {
  if (request.nextUrl) return request.nextUrl.pathname;
  if (!request.url) return "/";
  try {
    return new URL(request.url, "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

/**
 * A ready Next.js middleware: refuses requests to protected paths without a valid token and
 * lets the rest through (returns undefined, which Next reads as "continue"). The options are
 * checked here, when the module loads: a wrong one throws GatehouseConfigError.
 *
 *   // middleware.ts
 *   export const middleware = gatehouseMiddleware({ jwksUrl, issuer, audience, tenantKey, protect: ["/api/private"] });
 */
export function gatehouseMiddleware(options: GatehouseMiddlewareOptions): (request: RequestLike) => Promise<Response | undefined> {
  const auth = prepareAuth(options);
  const isProtected = protectedPathsOf((options as { protect?: unknown }).protect);
  return async (request) => {
    if (!isProtected(pathnameOf(request))) return undefined;
    const result = await authenticateWith(request, auth);
    if (result.ok) return undefined;
    return auth.refuse(result.error, request);
  };
}
