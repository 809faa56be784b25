import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, pageSecurityHeaders } from "./lib/security-headers";

/**
 * Runs before every page: a fresh CSP nonce per response (Next reads it from the request's CSP
 * header and puts it on its scripts), the security headers, and the request path for
 * "sign in again, then come back here" redirects.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const appUrl = process.env.APP_URL;
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https: appUrl?.startsWith("https:") });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-nonce", nonce);
  const search = new URLSearchParams(request.nextUrl.search);
  search.delete("_rsc");
  const query = search.toString();
  requestHeaders.set("x-gatehouse-path", request.nextUrl.pathname + (query ? `?${query}` : ""));

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(pageSecurityHeaders(appUrl))) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    // Pages only: not the API (the front server answers /api/trpc itself; next-auth's JSON
    // routes need no CSP) nor Next's static files (next.config.ts gives those nosniff).
    "/((?!api/|_next/static|_next/image|favicon.ico).*)",
  ],
};
