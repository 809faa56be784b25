import { inject } from "vitest";
import type {} from "./global-setup";

/**
 * For a vitest setup file, in each test process: the run's database, Redis and key prefix (from
 * testRunSetup) as the environment the server reads, as in production; and the settings a test
 * server wants (NODE_ENV=test, a cheap bcrypt cost, a silent log unless LOG_LEVEL says otherwise).
 * Redis is pointed at a port where nothing listens when the run has none.
 */
export function useRunEnvironment(defaults: { authSecret: string }): void {
  process.env.NODE_ENV = "test";
  process.env.DATABASE_URL = inject("databaseUrl");
  process.env.REDIS_URL = inject("redisUrl") || "redis://127.0.0.1:1";
  process.env.REDIS_KEY_PREFIX = inject("redisKeyPrefix");
  process.env.AUTH_SECRET ??= defaults.authSecret;
  process.env.BCRYPT_COST = "10";
  process.env.LOG_LEVEL ??= "silent";
}
