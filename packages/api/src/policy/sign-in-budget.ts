import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { getConfig, limits } from "../config";
import { appError } from "../errors";
import { redisKeys } from "../lib/keys";
import { getLogger } from "../lib/log";
import { clientNetwork } from "../lib/network";
import { getRedis } from "../lib/redis";
import { runScript } from "../lib/redis-script";

/**
 * The failed-sign-in budgets (CONTRACT "Rate limits"): 10 failures per (account, IP) in any
 * 15 minutes and 100 per account in any hour from all IPs. "IP" is the client's network (an
 * IPv6 /64, an IPv4 address: lib/network.ts): the addresses of one /64 share one budget. Each budget is an exact sliding log
 * (a sorted set of attempt times, at most `limit` entries), so a burst across any boundary is
 * counted whole and Retry-After is exactly when the oldest counted attempt ages out (never more
 * than the window).
 *
 * An attempt is taken from both budgets before the password is checked, in one script, and a
 * correct password gives it back. Checking first and counting after would let a parallel burst
 * through: every guess in flight would pass the check before any failure was counted. This way
 * the 11th guess from one IP is refused however many are sent at once.
 *
 * Both budgets of an account share the `{scope:account}` hash tag: one Redis Cluster slot.
 */
export interface SignInAccount {
  /** Tenant id, or "staff" for BackOffice staff. */
  scope: string;
  /** Lower-cased userId or staff email, whether or not such an account exists. */
  account: string;
}

/**
 * KEYS: the per-(account, IP) log, the per-account log.
 * ARGV: now (ms), per-(account, IP) limit and window (ms), per-account limit and window (ms),
 * this attempt's unique member.
 * Answers {1, 0} when taken, or {0, ms until both budgets have room}.
 */
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local function wait(key, limit, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
local waitMs = math.max(wait(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3])), wait(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5])))
if waitMs > 0 then return {0, waitMs} end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], now, ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {1, 0}
`;

/** Gives one attempt back: removes its entry from both logs. */
const REFUND_SCRIPT = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

export interface SignInAttempt {
  /** The password was right: this attempt was not a failure. */
  refund(): Promise<void>;
}

function windowsMs() {
  const scale = getConfig().rateLimitWindowScale;
  const ms = (seconds: number) => Math.max(1, Math.round(seconds * scale * 1000));
  return { pair: ms(limits.failedSignIns.perAccountAndIp.windowSeconds), account: ms(limits.failedSignIns.perAccount.windowSeconds) };
}

/**
 * Before checking a password: takes one attempt from both budgets, or answers 429 (with
 * Retry-After: when both have room again) while either is spent. Keep the attempt when the
 * password is wrong; `refund()` it when it is right.
 */
export async function takeSignInAttempt(
  { scope, account }: SignInAccount,
  ip: string,
  { redis = getRedis(), now = Date.now() }: { redis?: Redis; now?: number } = {},
): Promise<SignInAttempt> {
  const window = windowsMs();
  const keys = [redisKeys.signInBudget(scope, account, clientNetwork(ip)), redisKeys.signInBudget(scope, account, null)];
  const member = `${now}:${randomBytes(8).toString("hex")}`;
  const [ok, waitMs] = (await runScript(redis, TAKE_SCRIPT, keys, [
    now,
    limits.failedSignIns.perAccountAndIp.limit,
    window.pair,
    limits.failedSignIns.perAccount.limit,
    window.account,
    member,
  ])) as [number, number];
  if (ok !== 1) throw appError("rateLimit/TooManyRequests", { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
  return {
    refund: async () => {
      // Not refunding costs the user one counted failure, never a refused sign-in.
      await runScript(redis, REFUND_SCRIPT, keys, [member]).catch((error: unknown) => {
        getLogger().warn({ err: String(error) }, "could not refund a sign-in attempt");
      });
    },
  };
}
