import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { redisKeys } from "../src/lib/keys";
import { connectRedis } from "../src/lib/redis";
import { checkOtp, issueOtp, releaseOtp, type AddressOtpSubject, type UserOtpSubject } from "../src/policy/otp-limiter";
import { hasRedis } from "./kit";

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
const HOUR = 60 * 60 * 1000;
/** A fixed instant (the logs keep each event's time; only differences matter). */
const T0 = Date.now();
const issueInput = (
  nonce: string,
  hmac = "aa".repeat(32),
  more: { email?: string; now?: number; mailsPerAddressPerHour?: number } = {},
) => ({
  hmac,
  email: "someone@example.com",
  nonce,
  ttlMs: 60_000,
  cooldownMs: 30_000,
  failuresPerHour: limits.failuresPerHour,
  mailsPerAddressPerHour: 20,
  expiresAtMs: Date.now() + 60_000,
  ...more,
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
  const newSubject = (): UserOtpSubject => ({ tenantId: randomUUID(), userId: randomUUID() });

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
    const email = "someone@example.com";
    expect(await releaseOtp(s, { nonce: "someone-else", email }, r)).toBe(0);
    expect(await r.exists(redisKeys.otpCode(s.tenantId, s.userId), redisKeys.otpCooldown(s.tenantId, s.userId))).toBe(2);
    expect(await r.zcard(redisKeys.codeMails(s.tenantId, email))).toBe(1);
    // Code, cooldown and the mail's count toward the address's cap.
    expect(await releaseOtp(s, { nonce: "mine", email }, r)).toBe(3);
    expect(await r.exists(redisKeys.otpCode(s.tenantId, s.userId), redisKeys.otpCooldown(s.tenantId, s.userId))).toBe(0);
    expect(await r.zcard(redisKeys.codeMails(s.tenantId, email))).toBe(0);
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
    expect(await r.zcard(redisKeys.otpFailures(t.tenantId, t.userId))).toBe(6);
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
    expect(await r.zcard(redisKeys.otpFailures(s.tenantId, s.userId))).toBe(limits.failuresPerHour);
    expect((await issueOtp(newSubject(), issueInput("n2", right), r)).outcome).toBe("issued");
  });

  it.skipIf(skip)(
    "the hourly budget is a sliding log: each failure counts for exactly an hour, none at the turn of an hour is forgiven",
    async () => {
      const r = await redis();
      const wrong = "ab".repeat(32);
      const s = newSubject();
      const check = (now: number) => checkOtp(s, { hmac: wrong, ...limits, now }, r);
      // One failure at T0, six more 59 minutes later: the budget (7) is spent.
      expect(await check(T0)).toEqual({ outcome: "invalid", failures: 1 });
      for (let i = 2; i <= 7; i++) expect(await check(T0 + 59 * 60_000 + i)).toEqual({ outcome: "invalid", failures: i });
      expect(await check(T0 + 59 * 60_000 + 100)).toEqual({ outcome: "budget", retryAfterMs: 60 * 60_000 - 59 * 60_000 - 100 });
      // The first ages out at T0 + 1 h: room for exactly one, not a fresh hour's worth.
      expect(await check(T0 + HOUR)).toEqual({ outcome: "invalid", failures: 7 });
      const refused = await check(T0 + HOUR + 1);
      expect(refused.outcome).toBe("budget");
      expect(refused.outcome === "budget" && refused.retryAfterMs).toBe(59 * 60_000 + 2 - 1);
      // Sends are refused on the same log, and a send restores nothing.
      await r.del(redisKeys.otpCooldown(s.tenantId, s.userId));
      const send = await issueOtp(s, issueInput("n", "ac".repeat(32), { now: T0 + HOUR + 1 }), r);
      expect(send).toEqual({ outcome: "budget", retryAfterMs: 59 * 60_000 + 2 - 1 });
      // An hour after the late ones, the budget is whole again.
      expect(await check(T0 + 2 * HOUR + 59 * 60_000)).toEqual({ outcome: "invalid", failures: 1 });
    },
  );

  it.skipIf(skip)(
    "code mails per (tenant, address): the cap spans the tenant's users, counts only sent codes, frees as each send ages out",
    async () => {
      const r = await redis();
      const tenantId = randomUUID();
      const email = `${randomUUID()}@example.com`;
      const user = (): UserOtpSubject => ({ tenantId, userId: randomUUID() });
      const send = (who: UserOtpSubject, nonce: string, now: number, to = email) =>
        issueOtp(who, issueInput(nonce, "ad".repeat(32), { email: to, now, mailsPerAddressPerHour: 3 }), r);
      const a = user();
      expect(await send(a, "a1", T0)).toEqual({ outcome: "issued" });
      // A send refused by the cooldown is no mail and does not count.
      expect((await send(a, "a2", T0 + 1)).outcome).toBe("cooldown");
      expect(await send(user(), "b1", T0 + 10)).toEqual({ outcome: "issued" });
      expect(await send(user(), "c1", T0 + 20)).toEqual({ outcome: "issued" });
      const d = user();
      expect(await send(d, "d1", T0 + 30)).toEqual({ outcome: "cap", retryAfterMs: HOUR - 30 });
      // Refused by the cap: nothing was stored for d (no code, no cooldown).
      expect(await r.exists(redisKeys.otpCode(tenantId, d.userId), redisKeys.otpCooldown(tenantId, d.userId))).toBe(0);
      // Another address of the tenant, and the same address in another tenant, are not capped.
      expect(await send(d, "d2", T0 + 30, `${randomUUID()}@example.com`)).toEqual({ outcome: "issued" });
      expect(await send({ tenantId: randomUUID(), userId: d.userId }, "e1", T0 + 30)).toEqual({ outcome: "issued" });
      // A send whose mail was not taken gives its count back.
      expect(await releaseOtp(a, { nonce: "a1", email }, r)).toBe(3);
      expect(await send(user(), "f1", T0 + 40)).toEqual({ outcome: "issued" });
      expect((await send(user(), "g1", T0 + 50)).outcome).toBe("cap");
      // The oldest counted send (b1, at T0 + 10) ages out an hour later: room for one.
      expect(await send(user(), "h1", T0 + HOUR + 10)).toEqual({ outcome: "issued" });
      expect((await send(user(), "i1", T0 + HOUR + 11)).outcome).toBe("cap");
    },
  );

  it.skipIf(skip)(
    "an address's code (purpose signIn) with a per-network budget beside its own: each failure counts in both, either refuses",
    async () => {
      const r = await redis();
      const address = `${randomUUID()}@example.com`;
      const s: AddressOtpSubject = { tenantId: randomUUID(), purpose: "signIn", address };
      const right = "af".repeat(32);
      const wrong = "fa".repeat(32);
      const net = (network: string) => ({ maxAttempts: 5, failuresPerHour: 5, networkBudget: { network, failuresPerHour: 3 } });
      expect(
        await issueOtp(s, { ...issueInput("n", right, { email: address }), failuresPerHour: 5, networkBudget: net("a").networkBudget }, r),
      ).toEqual({
        outcome: "issued",
      });
      // Its keys are its own: a user subject with the address as its id shares none of them.
      expect(await r.exists(redisKeys.otpCode(s.tenantId, address, "signIn"))).toBe(1);
      expect(await r.exists(redisKeys.otpCode(s.tenantId, address))).toBe(0);
      for (let i = 1; i <= 3; i++) expect(await checkOtp(s, { hmac: wrong, ...net("a") }, r)).toEqual({ outcome: "invalid", failures: i });
      // Network a is spent (even the right code); network b is not, and the code survived (3 < 5 attempts).
      expect((await checkOtp(s, { hmac: right, ...net("a") }, r)).outcome).toBe("budget");
      expect(await checkOtp(s, { hmac: right, ...net("b") }, r)).toEqual({ outcome: "ok", email: address });
      // Two more from b spend the address's own budget (5): now every network is refused.
      for (let i = 4; i <= 5; i++) expect(await checkOtp(s, { hmac: wrong, ...net("b") }, r)).toEqual({ outcome: "invalid", failures: i });
      expect((await checkOtp(s, { hmac: wrong, ...net("c") }, r)).outcome).toBe("budget");
      await r.del(redisKeys.otpCooldown(s.tenantId, address, "signIn"));
      const send = await issueOtp(
        s,
        { ...issueInput("m", right, { email: address }), failuresPerHour: 5, networkBudget: net("c").networkBudget },
        r,
      );
      expect(send.outcome).toBe("budget");
    },
  );

  it.skipIf(skip)("parallel sends to one address from many users never beat the cap", async () => {
    const r = await redis();
    const tenantId = randomUUID();
    const email = `${randomUUID()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        issueOtp(
          { tenantId, userId: randomUUID() },
          issueInput(`p${i}`, "ae".repeat(32), { email, now: T0 + 5, mailsPerAddressPerHour: 20 }),
          r,
        ),
      ),
    );
    expect(results.filter((x) => x.outcome === "issued")).toHaveLength(20);
    expect(results.filter((x) => x.outcome === "cap")).toHaveLength(10);
  });
});
