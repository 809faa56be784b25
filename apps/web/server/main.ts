import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import {
  appRouter,
  assertProductionConfig,
  ConfigError,
  ensureSigningKey,
  getLogger,
  loadConfig,
  setConfig,
} from "@gatehouse/api";
import { CLIENT_IP_HEADER, clientIp, createApiHandler, logRequest, REQUEST_ID_HEADER, requestIdFor } from "@gatehouse/api/http";
import { ensureBootstrapAdmin, seedDevData } from "@gatehouse/api/bootstrap";
import { closePgPool, disconnectPrisma } from "@gatehouse/db";
import { applyDevDefaults } from "./dev-defaults";

/**
 * The front server: one Node HTTP server. /api/trpc/*, /api/health and /.well-known/jwks.json go
 * straight to the API's Node handler (packages/api/src/http: plain tRPC calls through our lean
 * adapter, everything else through tRPC's own; see TOOLCHAIN.md and docs/performance.md for the
 * measured reasons); everything else (BackOffice pages, next-auth) goes to Next's request handler.
 */
const dev = process.argv.includes("--dev");
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(appDir, "../..");

async function main(): Promise<void> {
  if (!dev) (process.env as Record<string, string>).NODE_ENV = "production";
  const stopEmbedded = dev ? await applyDevDefaults(path.join(repoRoot, ".data"), (m) => console.log(`[gatehouse] ${m}`)) : async () => {};

  let config;
  try {
    config = setConfig(loadConfig(process.env, dev ? "development" : "production"));
    if (!dev) assertProductionConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gatehouse: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  // next-auth reads these.
  process.env.AUTH_URL ??= config.appUrl;
  process.env.AUTH_TRUST_HOST ??= "true";
  const log = getLogger();

  if (dev) {
    const { migrate } = await import("@gatehouse/db/migrate");
    const { applied } = await migrate(config.databaseUrl!);
    if (applied.length > 0) log.info({ applied }, "migrations applied");
  }
  await ensureSigningKey();
  await ensureBootstrapAdmin();
  if (dev) {
    const seeded = await seedDevData();
    if (seeded) console.log(seeded);
  }

  // One host name throughout (next-auth compares origins): the one APP_URL names.
  const nextApp = next({ dev, dir: appDir, hostname: new URL(config.appUrl).hostname, port: config.port });
  await nextApp.prepare();
  const handleNext = nextApp.getRequestHandler();
  const handleApi = createApiHandler(appRouter);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Next's routes learn the client IP from us only; a client-sent value is dropped.
    req.headers[CLIENT_IP_HEADER] = clientIp(req, config.trustProxyHops);
    if (handleApi(req, res)) return;
    const requestId = requestIdFor(req, config.trustProxyHops > 0);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    logRequest(req, res, requestId, (req.url ?? "/").split("?", 1)[0] ?? "/");
    void handleNext(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  log.info({ port: config.port, appUrl: config.appUrl, mode: config.mode }, "gatehouse listening");
  console.log(`[gatehouse] ready on ${config.appUrl} (BackOffice: ${config.appUrl}/backoffice)`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([disconnectPrisma().catch(() => {}), closePgPool().catch(() => {})]);
    await stopEmbedded().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("gatehouse: failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
