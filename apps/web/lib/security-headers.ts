/**
 * The BackOffice's Content-Security-Policy and companion headers (proxy.ts sets them on every
 * page response, with a fresh nonce each time).
 *
 * - Scripts: only those carrying this response's nonce (Next puts it on its own scripts when it
 *   finds `'nonce-…'` in the request's CSP header), plus what they load ('strict-dynamic').
 *   No 'unsafe-inline', no 'unsafe-eval' in production.
 * - Styles: our own stylesheet files ('self') and nonce'd style elements; no inline style
 *   attributes anywhere in the markup, so no 'unsafe-inline' either.
 * - Everything else: this origin only. No remote fonts, images or CDNs.
 */
export function contentSecurityPolicy(nonce: string, options: { dev: boolean; https?: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // Dev only: Next's dev overlay injects inline styles.
    `style-src 'self' ${options.dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${options.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "manifest-src 'self'",
    "worker-src 'self'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** Headers for every page besides the CSP. HSTS only when the public URL is https. */
export function pageSecurityHeaders(appUrl: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  };
  if (appUrl?.startsWith("https:")) headers["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  return headers;
}
