import type { NextConfig } from "next";

// Pages get their CSP (with a per-response nonce) and the other security headers from proxy.ts;
// these apply to everything Next serves, static files included.
const baseSecurityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
];

/**
 * Dev only: Next serves its bundles and HMR socket to pages opened from these hosts (it adds the
 * host it was started with, APP_URL's, itself). Without 127.0.0.1 a page opened there never hydrates.
 */
const devHosts = ["localhost", "127.0.0.1", "[::1]"];
const appUrlHost = URL.canParse(process.env.APP_URL ?? "") ? new URL(process.env.APP_URL!).hostname : undefined;

const config: NextConfig = {
  reactStrictMode: true,
  allowedDevOrigins: appUrlHost && !devHosts.includes(appUrlHost) ? [...devHosts, appUrlHost] : devHosts,
  // The dev badge sat over the BackOffice's "Sign out"; build errors still show as an overlay.
  devIndicators: false,
  // The front server logs each request once (server/main.ts); Next's own line would double it.
  logging: { incomingRequests: false },
  poweredByHeader: false,
  // Next's server code bundles no copy of the API: the front server hands it its own
  // (@gatehouse/api/pages-handoff, the only API module compiled here; the rest is types).
  transpilePackages: ["@gatehouse/api", "@gatehouse/client", "@gatehouse/contract"],
  // The one package both sides use at run time: next-auth (bundled here) and the API's staff
  // sign-in (in the front server) must share @auth/core, or the sign-in's refusals would not be
  // next-auth's AuthError (instanceof) and the form could not say why. Node loads it once.
  serverExternalPackages: ["@auth/core"],
  typescript: { ignoreBuildErrors: false },
  async headers() {
    return [{ source: "/:path*", headers: baseSecurityHeaders }];
  },
};

export default config;
