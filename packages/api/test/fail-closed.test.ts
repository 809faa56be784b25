import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { connectRedis, setRedis } from "../src/lib/redis";
import { call, hasRedis, startServer, unique, type TestServer } from "./kit";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

// This file's process reaches Postgres and Redis only through proxies it can cut, as when a
// dependency dies, and restore, as when it comes back; the server is never restarted.
describe.skipIf(!hasRedis)("fail closed when Redis or Postgres is unreachable", () => {
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let server: TestServer;
  const tenantKey = unique("fc");
  const password = "a-long-and-unusual-password-1";
  let accessToken = "";

  beforeAll(async () => {
    const dbUrl = new URL(process.env.DATABASE_URL!);
    pgProxy = await startTcpProxy(Number(dbUrl.port || 5432), dbUrl.hostname);
    dbUrl.port = String(pgProxy.port);
    process.env.DATABASE_URL = dbUrl.toString();
    const redisUrl = new URL(process.env.REDIS_URL!);
    redisProxy = await startTcpProxy(Number(redisUrl.port || 6379), redisUrl.hostname);
    setRedis(connectRedis(`redis://127.0.0.1:${redisProxy.port}`));
    server = await startServer({ env: { RATE_LIMIT_SCALE: "100" } });
    await getPrisma().tenant.create({ data: { key: tenantKey, name: "Fail closed", allowedEmailDomains: [] } });
    const signUp = await call<{ accessToken: string }>(server.url, "clientAuth.signUp", {
      tenantKey,
      userId: "carol",
      password,
      displayName: "Carol",
      email: "carol@example.com",
    });
    expect(signUp.status).toBe(200);
    accessToken = signUp.data.accessToken;
  });
  afterAll(async () => {
    await server?.close();
    await redisProxy?.close();
    await pgProxy?.close();
  });

  async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await fn();
    return { value, ms: performance.now() - started };
  }

  const signIn = () => call(server.url, "clientAuth.signIn", { tenantKey, userId: "carol", password });

  it("Redis down: limited procedures answer 503 within 2 s, health says redis is down, then it recovers by itself", async () => {
    await redisProxy.cut();
    for (const attempt of [signIn, () => call(server.url, "clientAuth.refresh", { refreshToken: "x".repeat(22) + "." + "y".repeat(43) })]) {
      const { value, ms } = await timed(attempt);
      expect(value.status).toBe(503);
      expect(value.appCode).toBe("service/Unavailable");
      expect(ms).toBeLessThan(2000);
    }
    const { value: health, ms } = await timed(() => fetch(`${server.url}/api/health`));
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "degraded", db: "ok", redis: "down" });
    expect(ms).toBeLessThan(2000);

    await redisProxy.restore();
    await expect.poll(async () => (await signIn()).status, { timeout: 10_000, interval: 250 }).toBe(200);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it("Postgres down: procedures answer 503 within 2 s, health says db is down, then it recovers with no data lost", async () => {
    await pgProxy.cut();
    for (const attempt of [signIn, () => call(server.url, "clientAuth.me", undefined, { method: "GET", token: accessToken })]) {
      const { value, ms } = await timed(attempt);
      expect(value.status).toBe(503);
      expect(value.appCode).toBe("service/Unavailable");
      expect(ms).toBeLessThan(2000);
    }
    const { value: health } = await timed(() => fetch(`${server.url}/api/health`));
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "degraded", db: "down", redis: "ok" });

    await pgProxy.restore();
    await expect.poll(async () => (await signIn()).status, { timeout: 10_000, interval: 250 }).toBe(200);
    const me = await call<{ user: { userId: string } }>(server.url, "clientAuth.me", undefined, { method: "GET", token: accessToken });
    expect(me.status).toBe(200);
    expect(me.data.user.userId).toBe("carol");
  });
});
