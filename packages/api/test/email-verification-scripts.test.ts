import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { redisKeys } from "../src/lib/keys";
import { connectRedis } from "../src/lib/redis";
import { checkOtp, issueOtp, releaseOtp, type OtpSubject } from "../src/policy/otp-limiter";
import { hasRedis } from "./helpers";

/**
 * The limiter's Lua scripts, alone: on ioredis-mock (the in-process store of `pnpm dev`, Lua via
 * fengari) and on the real Redis, with the same expectations.
 */
const stores: { name: string; open: () => Promise<Redis>; skip: boolean }[] = [
  {
    name: "ioredis-mock",
    // As lib/redis.ts loads it (the package ships no types).
    open: async () => new (createRequire(import.meta.url)("ioredis-mock") as new () => Redis)(),
    skip: false,
  },
  { name: "Redis", open: async () => connectRedis(process.env.REDIS_URL!), skip: !hasRedis },
];

const limits = { maxAttempts: 5, failuresPerHour: 7 };
const issueInput = (nonce: string, hmac = "aa".repeat(32)) => ({
  hmac,
  email: "someone@example.com",
  nonce,
  ttlMs: 60_000,
  cooldownMs: 30_000,
  failuresPerHour: limits.failuresPerHour,
  expiresAtMs: Date.now() + 60_000,
});

describe.each(stores)("otp limiter scripts on $name", ({ open, skip }) => {
  const opened: Redis[] = [];
  const redis = async () => {
    const r = await open();
    opened.push(r);
    return r;
  };
  afterAll(() => {
    for (const r of opened) r.disconnect();
  });
  const newSubject = (): OtpSubject => ({ tenantId: randomUUID(), userId: randomUUID() });

  it.skipIf(skip)("issue sets code and cooldown atomically; a second issue meets the cooldown", async () => {
    const r = await redis();
    const s = newSubject();
    expect(await issueOtp(s, issueInput("n1"), r)).toEqual({ outcome: "issued" });
    const stored = await r.hgetall(redisKeys.otpCode(s.tenantId, s.userId));
    expect(stored).toMatchObject({ hmac: "aa".repeat(32), email: "someone@example.com", nonce: "n1", attempts: "0" });
    expect(await r.pttl(redisKeys.otpCode(s.tenantId, s.userId))).toBeGreaterThan(55_000);
    expect(await r.get(redisKeys.otpCooldown(s.tenantId, s.userId))).toBe("n1");
    const second = await issueOtp(s, issueInput("n2", "bb".repeat(32)), r);
    expect(second.outcome).toBe("cooldown");
    expect(second.outcome === "cooldown" && second.retryAfterMs).toBeGreaterThan(25_000);
    expect((await r.hgetall(redisKeys.otpCode(s.tenantId, s.userId))).nonce).toBe("n1");
    // Another tenant's user with the same user id is untouched.
    expect(await issueOtp({ tenantId: randomUUID(), userId: s.userId }, issueInput("n3"), r)).toEqual({ outcome: "issued" });
  });

  it.skipIf(skip)("release undoes only the send named by its nonce", async () => {
    const r = await redis();
    const s = newSubject();
    await issueOtp(s, issueInput("mine"), r);
    expect(await releaseOtp(s, "someone-else", r)).toBe(0);
    expect(await r.exists(redisKeys.otpCode(s.tenantId, s.userId), redisKeys.otpCooldown(s.tenantId, s.userId))).toBe(2);
    expect(await releaseOtp(s, "mine", r)).toBe(2);
    expect(await r.exists(redisKeys.otpCode(s.tenantId, s.userId), redisKeys.otpCooldown(s.tenantId, s.userId))).toBe(0);
    expect(await issueOtp(s, issueInput("next"), r)).toEqual({ outcome: "issued" });
  });

  it.skipIf(skip)("check: a match consumes the code; the max-th wrong try deletes it; every miss counts", async () => {
    const r = await redis();
    const right = "cc".repeat(32);
    const wrong = "dd".repeat(32);
    const s = newSubject();
    await issueOtp(s, issueInput("n", right), r);
    for (let i = 1; i <= 4; i++) expect(await checkOtp(s, { hmac: wrong, ...limits }, r)).toEqual({ outcome: "invalid", failures: i });
    expect(await checkOtp(s, { hmac: right, ...limits }, r)).toEqual({ outcome: "ok", email: "someone@example.com" });
    expect(await checkOtp(s, { hmac: right, ...limits }, r)).toEqual({ outcome: "invalid", failures: 5 });

    const t = newSubject();
    await issueOtp(t, issueInput("n", right), r);
    for (let i = 1; i <= 5; i++) await checkOtp(t, { hmac: wrong, ...limits }, r);
    expect(await r.exists(redisKeys.otpCode(t.tenantId, t.userId))).toBe(0);
    expect(await checkOtp(t, { hmac: right, ...limits }, r)).toEqual({ outcome: "invalid", failures: 6 });
    expect(await r.pttl(redisKeys.otpFailures(t.tenantId, t.userId))).toBeGreaterThan(3_500_000);
  });

  it.skipIf(skip)("the hourly budget blocks check (even a match) and issue once spent", async () => {
    const r = await redis();
    const right = "ee".repeat(32);
    const s = newSubject();
    for (let i = 1; i <= limits.failuresPerHour; i++) await checkOtp(s, { hmac: right, ...limits }, r);
    await r.del(redisKeys.otpCooldown(s.tenantId, s.userId));
    const issued = await issueOtp(s, issueInput("n", right), r);
    expect(issued.outcome).toBe("budget");
    expect(issued.outcome === "budget" && issued.retryAfterMs).toBeGreaterThan(3_500_000);
    // Even the right code: plant one behind the budget's back.
    await r.hset(redisKeys.otpCode(s.tenantId, s.userId), "hmac", right, "email", "x@example.com", "attempts", "0");
    expect((await checkOtp(s, { hmac: right, ...limits }, r)).outcome).toBe("budget");
    expect(await r.get(redisKeys.otpFailures(s.tenantId, s.userId))).toBe(String(limits.failuresPerHour));
    expect((await issueOtp(newSubject(), issueInput("n2", right), r)).outcome).toBe("issued");
  });
});
