import { createRequire } from "node:module";
import { Redis, type RedisOptions } from "ioredis";
import { getRuntime } from "../runtime";
import { getLogger } from "./log";

/**
 * The one Redis connection of the process. Timeouts are bounded so a dead Redis makes calls
 * fail within ~2 s (fail closed) instead of queueing forever; ioredis reconnects by itself.
 */
const redisOptions: RedisOptions = {
  connectTimeout: 1000,
  commandTimeout: 1500,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  retryStrategy: (times) => Math.min(times * 100, 1000),
  reconnectOnError: () => false,
};

/** The process's Redis (the runtime's, see runtime.ts): REDIS_URL, else an in-process store. */
export function getRedis(): Redis {
  return getRuntime().redis;
}

/** Installs a connection (tests: a dead or slow Redis). */
export function setRedis(redis: Redis): void {
  getRuntime().redis = redis;
}

export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { ...redisOptions, ...options });
  let down = false;
  redis.on("error", (err: Error) => {
    if (!down) getLogger().warn({ err: err.message }, "redis unavailable");
    down = true;
  });
  redis.on("ready", () => {
    if (down) getLogger().info("redis available again");
    down = false;
  });
  return redis;
}

/**
 * `pnpm dev` without REDIS_URL: an in-process store speaking the same commands (Lua included),
 * so the same code paths run. Single process only: never for production or several instances.
 */
export function createInProcessRedis(): Redis {
  getLogger().warn("REDIS_URL is not set: using an in-process store (single instance only, data lost on restart)");
  // Loaded only here, so production never pays for the Lua VM it carries.
  const load = createRequire(import.meta.url);
  const RedisMock = load("ioredis-mock") as new () => Redis;
  return new RedisMock();
}

const REDIS_FAILURE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);

/** True for errors that mean "Redis cannot be reached right now" (answer 503, never 500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && REDIS_FAILURE_CODES.has(code)) return true;
  const name = error.name;
  if (name === "MaxRetriesPerRequestError") return true;
  const message = error.message;
  return (
    message === "Command timed out" ||
    message.startsWith("Connection is closed") ||
    message.includes("Stream isn't writeable") ||
    message.includes("enableOfflineQueue options is false") ||
    message.startsWith("Reached the max retries per request limit")
  );
}
