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
  startOutboxWorker,
} from "@gatehouse/api";
import { CLIENT_IP_HEADER, clientIp, createApiHandler, logRequest, REQUEST_ID_HEADER, requestIdFor } from "@gatehouse/api/http";
import { closeDatabase, ensureBootstrapAdmin, migrateDatabase, seedDevData } from "@gatehouse/api/bootstrap";
import { createPagesApi } from "@gatehouse/api/pages";
import { handPagesApiToNext } from "@gatehouse/api/pages-handoff";
import { applyDevDefaults, DevSetupError, shown, type DevSetup } from "./dev-defaults";

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
  const devSetup = dev ? await applyDevDefaults(devDataDir(), (m) => console.log(`[gatehouse] ${m}`)) : undefined;
  const stopEmbedded = devSetup?.stop ?? (async () => {});

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
  // next-auth reads these. In dev its URL follows each request's own host instead (localhost,
  // 127.0.0.1 and APP_URL's host all work); production stays on APP_URL.
  if (!dev) process.env.AUTH_URL ??= config.appUrl;
  process.env.AUTH_TRUST_HOST ??= "true";
  const log = getLogger();

  if (dev) {
    const applied = await migrateDatabase();
    if (applied.length > 0) log.info({ applied }, "migrations applied");
  }
  await ensureSigningKey();
  await ensureBootstrapAdmin();
  if (dev) {
    const seeded = await seedDevData({ socialProviders: devSetup?.standIns?.credentials });
    if (seeded) console.log(seeded);
  }

  // Next's server code calls this process's API (pages-handoff.ts) instead of bundling a copy.
  handPagesApiToNext(createPagesApi());
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
    const pathname = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (!isNextAsset(pathname)) logRequest(req, res, requestId, pathname);
    void handleNext(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  // Retries the outbox's undelivered messages (password-reset texts and mails) in the background.
  const outbox = startOutboxWorker();
  if (devSetup) {
    // The banner is the last thing a start prints (pino writes asynchronously, so no log line here).
    console.log(devBanner(config.appUrl, devSetup));
  } else {
    log.info({ port: config.port, appUrl: config.appUrl, mode: config.mode }, "gatehouse listening");
    console.log(`[gatehouse] ready on ${config.appUrl} (BackOffice: ${config.appUrl}/backoffice)`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await outbox.stop();
    await closeDatabase();
    await stopEmbedded().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** Where `pnpm dev` keeps its state: DEV_DATA_DIR, else `.data/` at the repository root. */
function devDataDir(): string {
  const given = process.env.DEV_DATA_DIR?.trim();
  return given ? path.resolve(process.env.INIT_CWD ?? process.cwd(), given) : path.join(repoRoot, ".data");
}

/**
 * Next's own files (bundles, HMR, dev-overlay endpoints, the icon): a page load fetches dozens,
 * so they are not logged; pages, next-auth and the API get one line per request.
 */
function isNextAsset(pathname: string): boolean {
  return pathname.startsWith("/_next/") || pathname.startsWith("/__nextjs") || pathname === "/favicon.ico" || pathname === "/icon.svg";
}

/** The last thing every `pnpm dev` start prints: where to go and how to sign in. */
function devBanner(appUrl: string, setup: DevSetup): string {
  const admin = setup.admin
    ? `${setup.admin.email}, ${setup.admin.passwordFile ? `password in ${shown(setup.admin.passwordFile)} (the one it was created with; forgotten a changed one? pnpm staff:reset-password --email ${setup.admin.email})` : "password from BACKOFFICE_ADMIN_PASSWORD"}`
    : "no admin configured: pnpm staff:create --email you@example.com";
  const mail = setup.mailDir ? `.eml files in ${shown(setup.mailDir)}/` : "sent through SMTP_URL";
  const sms = setup.smsDir ? `.json files in ${shown(setup.smsDir)}/` : "sent through SMS_URL";
  const standIns = setup.standIns
    ? [
        `  providers   local stand-ins, not the real Google, Kakao and Naver: ${setup.standIns.urls.google}, ${setup.standIns.urls.kakao}, ${setup.standIns.urls.naver} (set OAUTH_* to use real ones)`,
      ]
    : [];
  return [
    "",
    `[gatehouse] ready (development) on ${appUrl}`,
    `  BackOffice  ${appUrl}/backoffice`,
    `  admin       ${admin}`,
    `  demo        ${appUrl}/demo/demo`,
    `  API docs    ${appUrl}/api/docs (REST under /api/v1, tRPC under /api/trpc)`,
    `  mail        ${mail}`,
    `  sms         ${sms}`,
    ...standIns,
    "",
  ].join("\n");
}

main().catch((error: unknown) => {
  // One line, saying what to do where we know it (DevSetupError); never a wall of output.
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n", 1)[0];
  console.error(error instanceof DevSetupError ? `gatehouse: ${line}` : `gatehouse: failed to start: ${line}`);
  process.exit(1);
});
