import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { Redis } from "ioredis";
import { createTestDatabase } from "@gatehouse/db/testing";

/**
 * One migrated database and one Redis key prefix per run, removed afterwards: the SDK is tested
 * against the real server (packages/api's HTTP handler) on real PostgreSQL and Redis.
 */
export default async function setup(project: TestProject) {
  const db = await createTestDatabase({ prefix: "gatehouse_client" });
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `ghclient:${randomBytes(4).toString("hex")}:`;
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
    console.warn(`[tests] Redis not reachable at ${redisUrl}: the SDK's server suites are skipped.`);
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
