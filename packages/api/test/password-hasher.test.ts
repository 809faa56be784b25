import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { getConfig, loadConfig, setConfig } from "../src/config";
import { appErrorOf } from "../src/errors";
import {
  dummyPasswordHash,
  hashPassword,
  hashQueueWaiting,
  hasherPoolSize,
  isHashQueueFull,
  verifyPassword,
  verifyPasswordOrDummy,
} from "../src/lib/password-hasher";
import { clientAt, expectError, hasRedis, signUpUser, useServer } from "./kit";

/**
 * The password-hashing queue is bounded (HASH_QUEUE_MAX jobs waiting behind the running ones):
 * past it a hash or a comparison is refused at once, a sign-in answers 503 with Retry-After and
 * gives its failed-attempt budget back. And the dummy hash for unknown accounts is at BCRYPT_COST.
 */

/** Occupies every hashing worker for a second or two (a comparison against a cost-14 hash). */
const SLOW_HASH = "$2b$14$AAAAAAAAAAAAAAAAAAAAAOBvmAuHjs5xYlUyEXzJiLsBqW3t1dMBS";
function occupyEveryWorker(): { done: Promise<unknown> } {
  return { done: Promise.allSettled(Array.from({ length: hasherPoolSize() }, () => verifyPassword("slow", SLOW_HASH))) };
}

describe("the password hasher", () => {
  it("past HASH_QUEUE_MAX waiting jobs, work is refused at once with 503 service/Unavailable and a Retry-After; the queue never grows past it", async () => {
    setConfig(loadConfig({ ...process.env, HASH_QUEUE_MAX: "3" }, "test"));
    const workers = hasherPoolSize();
    const results = Array.from({ length: workers + 3 + 5 }, () =>
      hashPassword("Queue-test-passphrase-1").then(
        (hash) => ({ hash }),
        (error: unknown) => ({ error }),
      ),
    );
    expect(hashQueueWaiting()).toBe(3);
    const settled = await Promise.all(results);
    const refused = settled.filter((r) => "error" in r).map((r) => (r as { error: unknown }).error);
    expect(settled.filter((r) => "hash" in r)).toHaveLength(workers + 3);
    expect(refused).toHaveLength(5);
    for (const error of refused) {
      expect(isHashQueueFull(error)).toBe(true);
      expect(appErrorOf(error)?.status).toBe(503);
      expect(appErrorOf(error)?.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(hashQueueWaiting()).toBe(0);
  });

  it("the dummy hash for unknown accounts is at the configured BCRYPT_COST, whatever the cost was before", async () => {
    setConfig(loadConfig({ ...process.env, BCRYPT_COST: "10" }, "test"));
    expect(await verifyPasswordOrDummy("whatever-password", null)).toEqual({ ok: false, outdated: false });
    expect(bcrypt.getRounds(await dummyPasswordHash())).toBe(10);
    setConfig(loadConfig({ ...process.env, BCRYPT_COST: "11" }, "test"));
    expect(await verifyPasswordOrDummy("whatever-password", null)).toEqual({ ok: false, outdated: false });
    expect(bcrypt.getRounds(await dummyPasswordHash())).toBe(11);
    expect(getConfig().bcryptCost).toBe(11);
  });
});

describe.skipIf(!hasRedis)("a sign-in when the hashing queue is full", () => {
  const suite = useServer({ env: { HASH_QUEUE_MAX: "0" } });

  it("is 503 service/Unavailable with Retry-After, and gives its failed-sign-in attempt back", async () => {
    const u = await signUpUser(suite.client, suite.tenantKey);
    const client = clientAt(suite.server.url);
    const busy = occupyEveryWorker();
    // More than the 10 failures an (account, IP) pair may have: none of them is counted.
    for (let i = 0; i < 12; i++) {
      const password = i % 2 === 0 ? u.password : `${u.password}x`;
      const res = await expectError(
        client.api.clientAuth.signIn.mutate({ tenantKey: suite.tenantKey, userId: u.userId, password }),
        "service/Unavailable",
      );
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // changePassword's current-password check is a sign-in attempt too.
    await expectError(
      client
        .as(u.session.accessToken)
        .clientAuth.changePassword.mutate({ currentPassword: u.password, newPassword: "Another-passphrase-8" }),
      "service/Unavailable",
    );
    await busy.done;
    await client.api.clientAuth.signIn.mutate({ tenantKey: suite.tenantKey, userId: u.userId, password: u.password });
  }, 120_000);
});
