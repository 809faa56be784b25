import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { loadConfig, setConfig } from "../src/config";
import { appErrorOf } from "../src/errors";
import { connectRedis } from "../src/lib/redis";
import { takeSignInAttempt, type SignInAccount } from "../src/policy/sign-in-budget";
import { hasRedis } from "./kit";

/**
 * The failed-sign-in budgets' scripts, alone, on ioredis-mock (the store of `pnpm dev`) and on
 * the real Redis, at chosen instants: 10 per (account, IP) per 15 min, 100 per account per hour.
 */
const stores: { name: string; open: () => Promise<Redis>; skip: boolean }[] = [
  { name: "ioredis-mock", open: async () => new (createRequire(import.meta.url)("ioredis-mock") as new () => Redis)(), skip: false },
  { name: "Redis", open: async () => connectRedis(process.env.REDIS_URL!), skip: !hasRedis },
];

const PAIR_WINDOW = 15 * 60 * 1000;
/** A fixed instant (the logs keep each attempt's time; only differences matter). */
const T0 = Date.now();

/** 1 when the attempt is taken, else the Retry-After seconds of the 429. */
async function tryTake(who: SignInAccount, ip: string, redis: Redis, now: number): Promise<number | { retryAfter: number }> {
  try {
    await takeSignInAttempt(who, ip, { redis, now });
    return 1;
  } catch (error) {
    const app = appErrorOf(error);
    if (app?.appCode === "rateLimit/TooManyRequests") return { retryAfter: app.details.retryAfterSeconds! };
    throw error;
  }
}

describe.each(stores)("failed-sign-in budgets on $name", ({ open, skip }) => {
  let redis: Redis;
  beforeAll(async () => {
    setConfig(loadConfig(process.env, "test"));
    if (!skip) redis = await open();
  });
  afterAll(() => redis?.disconnect());
  const account = (): SignInAccount => ({ scope: randomUUID(), account: "dave" });

  it.skipIf(skip)("10 per (account, IP) in any 15 min; the 11th waits until the oldest ages out; other IPs go on", async () => {
    const who = account();
    for (let i = 0; i < 10; i++) expect(await tryTake(who, "192.0.2.1", redis, T0 + i * 1000)).toBe(1);
    expect(await tryTake(who, "192.0.2.1", redis, T0 + 9_500)).toEqual({ retryAfter: Math.ceil((PAIR_WINDOW - 9_500) / 1000) });
    expect(await tryTake(who, "192.0.2.2", redis, T0 + 9_600)).toBe(1);
    expect(await tryTake(who, "192.0.2.1", redis, T0 + PAIR_WINDOW - 1)).toEqual({ retryAfter: 1 });
    // The first attempt ages out; the second still counts, so one more and then 429 again.
    expect(await tryTake(who, "192.0.2.1", redis, T0 + PAIR_WINDOW)).toBe(1);
    expect(await tryTake(who, "192.0.2.1", redis, T0 + PAIR_WINDOW + 1)).toEqual({ retryAfter: 1 });
  });

  it.skipIf(skip)(
    "the per-(account, IP) budget is per network: an IPv6 /64 is one, however many addresses and spellings it uses",
    async () => {
      const who = account();
      for (let i = 1; i <= 10; i++) expect(await tryTake(who, `2001:db8:7:7:${i}::${i}`, redis, T0 + i)).toBe(1);
      expect(await tryTake(who, "2001:DB8:7:7:ffff:ffff:ffff:ffff", redis, T0 + 20)).toEqual({
        retryAfter: Math.ceil((PAIR_WINDOW - 19) / 1000),
      });
      expect(await tryTake(who, "2001:db8:7:8::1", redis, T0 + 20)).toBe(1);
      // IPv4: the address, whether or not it arrives IPv4-mapped.
      for (let i = 0; i < 10; i++) expect(await tryTake(who, i % 2 ? "192.0.2.77" : "::ffff:192.0.2.77", redis, T0 + 30)).toBe(1);
      expect(await tryTake(who, "192.0.2.77", redis, T0 + 30)).toEqual({ retryAfter: expect.any(Number) });
      expect(await tryTake(who, "192.0.2.78", redis, T0 + 30)).toBe(1);
    },
  );

  it.skipIf(skip)("a burst across any boundary is counted whole: no extra attempt at the turn of a window", async () => {
    const who = account();
    const turn = Math.ceil(T0 / PAIR_WINDOW) * PAIR_WINDOW;
    for (let i = 0; i < 5; i++) expect(await tryTake(who, "192.0.2.1", redis, turn - 5 + i)).toBe(1);
    for (let i = 0; i < 5; i++) expect(await tryTake(who, "192.0.2.1", redis, turn + i)).toBe(1);
    expect(await tryTake(who, "192.0.2.1", redis, turn + 5)).toEqual({ retryAfter: Math.ceil((PAIR_WINDOW - 10) / 1000) });
  });

  it.skipIf(skip)("a refunded attempt (a right password) is not a failure", async () => {
    const who = account();
    for (let i = 0; i < 9; i++) await takeSignInAttempt(who, "192.0.2.1", { redis, now: T0 });
    const right = await takeSignInAttempt(who, "192.0.2.1", { redis, now: T0 });
    await right.refund();
    expect(await tryTake(who, "192.0.2.1", redis, T0)).toBe(1);
    expect(await tryTake(who, "192.0.2.1", redis, T0)).toEqual({ retryAfter: expect.any(Number) });
  });

  it.skipIf(skip)("a parallel burst takes exactly the budget, never more", async () => {
    const who = account();
    const results = await Promise.all(Array.from({ length: 30 }, () => tryTake(who, "192.0.2.9", redis, T0 + 5)));
    expect(results.filter((r) => r === 1)).toHaveLength(10);
  });

  it.skipIf(skip)("100 per account from all IPs, then every IP waits", async () => {
    const who = account();
    for (let ip = 0; ip < 10; ip++) {
      for (let i = 0; i < 10; i++) expect(await tryTake(who, `198.51.100.${ip}`, redis, T0 + 100)).toBe(1);
    }
    const refused = await tryTake(who, "203.0.113.7", redis, T0 + 100);
    expect(refused).toEqual({ retryAfter: 60 * 60 });
  });
});
