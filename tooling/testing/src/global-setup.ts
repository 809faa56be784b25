import { randomBytes } from "node:crypto";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { Redis } from "ioredis";
import { createTestDatabase } from "@gatehouse/db/testing";

/**
 * A vitest global setup: one migrated database and one Redis key prefix per test run, both
 * removed afterwards, handed to the tests as `databaseUrl`, `redisUrl` ("" when Redis is not
 * reachable: Redis-dependent suites are then skipped, never under CI) and `redisKeyPrefix`.
 */
export function testRunSetup(names: { database: string; redisPrefix: string; withoutRedis: string }) {
  return async function setup(project: TestProject) {
    const db = await createTestDatabase({ prefix: names.database });
    const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const prefix = `${names.redisPrefix}:${randomBytes(4).toString("hex")}:`;
    const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    let redisOk = false;
    try {
      await redis.connect();
      redisOk = (await redis.ping()) === "PONG";
    } catch {
      redisOk = false;
    }
    if (!redisOk) {
      if (process.env.CI === "true") throw new Error(`CI=true but Redis is not reachable at ${redisUrl}`);
      console.warn(`[tests] Redis not reachable at ${redisUrl}: ${names.withoutRedis}`);
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
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisKeyPrefix: string;
  }
}
