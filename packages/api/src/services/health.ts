import { getPrisma } from "@gatehouse/db";
import { getRedis } from "../lib/redis";

export interface Health {
  status: "ok" | "degraded";
  db: "ok" | "down";
  redis: "ok" | "down";
}

const PROBE_TIMEOUT_MS = 1500;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("probe timed out")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probe(check: () => Promise<unknown>): Promise<"ok" | "down"> {
  try {
    await within(check(), PROBE_TIMEOUT_MS);
    return "ok";
  } catch {
    return "down";
  }
}

/** GET /api/health: both dependencies probed in parallel, each bounded. */
export async function checkHealth(): Promise<Health> {
  const [db, redis] = await Promise.all([probe(() => getPrisma().$queryRaw`SELECT 1`), probe(() => getRedis().ping())]);
  return { status: db === "ok" && redis === "ok" ? "ok" : "degraded", db, redis };
}
