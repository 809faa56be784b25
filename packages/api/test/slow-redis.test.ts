import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { connectRedis, setRedis } from "../src/lib/redis";
import { call, hasRedis, startServer, type TestServer } from "./kit";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

// This file's process reaches Redis through a proxy that holds every reply back, as a Redis
// (or a network) that is alive but slow. Nothing Redis cannot answer in time may pass a limit.
describe.skipIf(!hasRedis)("a slow Redis: the per-IP limiter fails closed", () => {
  let proxy: TcpProxy;
  let server: TestServer;
  const opened: Redis[] = [];
  const input = { tenantKey: "no-such-tenant", userId: "x", password: "y" };

  /** A connection through the proxy, connected before the proxy slows down. */
  async function slowRedis(options: Parameters<typeof connectRedis>[1] = {}) {
    const redis = connectRedis(`redis://127.0.0.1:${proxy.port}`, options);
    opened.push(redis);
    await redis.ping();
    setRedis(redis);
    return redis;
  }

  async function timedSignIn() {
    const started = performance.now();
    const res = await call(server.url, "clientAuth.signIn", input);
    return { res, ms: performance.now() - started };
  }

  beforeAll(async () => {
    const url = new URL(process.env.REDIS_URL!);
    proxy = await startTcpProxy(Number(url.port || 6379), url.hostname);
    await slowRedis();
    server = await startServer({ env: { RATE_LIMIT_SCALE: "100" } });
  });
  afterEach(() => proxy.setDelay(0));
  afterAll(async () => {
    await server?.close();
    for (const redis of opened) redis.disconnect();
    await proxy?.close();
  });

  it("Redis slower than @upstash/ratelimit's own 5 s timeout: 503 service/Unavailable, never a pass", async () => {
    // The shipped 1.5 s command timeout (lib/redis.ts) rejects before the library's 5 s timer
    // fires, hiding it; a connection with a 6 s command timeout shows what that timer does.
    // The library answered `success: true` at 5 s (here: on to the tenant lookup, a 404).
    await slowRedis({ commandTimeout: 6_000 });
    proxy.setDelay(10_000);
    const { res, ms } = await timedSignIn();
    expect([res.status, res.appCode]).toEqual([503, "service/Unavailable"]);
    expect(ms).toBeGreaterThan(5_500);
  });

  it("with the shipped connection settings a slow Redis is a 503 within the command timeout", async () => {
    await slowRedis();
    proxy.setDelay(3_000);
    const { res, ms } = await timedSignIn();
    expect([res.status, res.appCode]).toEqual([503, "service/Unavailable"]);
    expect(ms).toBeLessThan(2_500);
    // Once Redis answers in time again, the limiter serves (the tenant lookup's 404).
    proxy.setDelay(0);
    await expect.poll(async () => (await timedSignIn()).res.status, { timeout: 10_000, interval: 250 }).toBe(404);
  });
});
