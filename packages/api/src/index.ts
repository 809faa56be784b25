export { appRouter, type AppRouter, type ClientRouter } from "./root";
export { createContext, type Context } from "./context";
export { createCallerFactory } from "./trpc";
export { getConfig, loadConfig, setConfig, assertProductionConfig, ConfigError, type Config } from "./config";
export { appError, errorCatalogue, type AppCode } from "./errors";
export { getLogger } from "./lib/log";
export { getRedis } from "./lib/redis";
export { ensureSigningKey, rotateSigningKey } from "./services/signing-keys";
export { startOutboxWorker, type OutboxWorker } from "./services/outbox";
