import type { Redis } from "ioredis";
import { getConfig, limits } from "../config";
import { appError } from "../errors";
import { redisKeys } from "../lib/keys";
import { getLogger } from "../lib/log";
import { getRedis } from "../lib/redis";
import { runScript } from "../lib/redis-script";

/**
 * The failed-sign-in budgets (CONTRACT "Rate limits"): 10 failures per (account, IP) per 15 min
 * and 100 per account per hour from all IPs, as sliding windows (a fixed-window count plus the
 * previous window's, weighted by how much of it still overlaps).
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
 * KEYS: per-(account, IP) current and previous bucket, per-account current and previous bucket.
 * ARGV: now (ms), per-(account, IP) limit and window (ms), per-account limit and window (ms).
 * Answers {1} when taken, or {0, ms to wait until both budgets have room}.
 */
export const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local function wait(current, previous, limit, window)
  local left = window - (now % window)
  if previous * left / window + current < limit then return 0 end
  if current >= limit then
    return left + math.floor(window * (1 - limit / current)) + 1
  end
  return math.floor(left - window * (limit - current) / previous) + 1
end
local pairCurrent = tonumber(redis.call('GET', KEYS[1]) or '0')
local pairPrevious = tonumber(redis.call('GET', KEYS[2]) or '0')
local accountCurrent = tonumber(redis.call('GET', KEYS[3]) or '0')
local accountPrevious = tonumber(redis.call('GET', KEYS[4]) or '0')
local waitMs = math.max(
  wait(pairCurrent, pairPrevious, tonumber(ARGV[2]), tonumber(ARGV[3])),
  wait(accountCurrent, accountPrevious, tonumber(ARGV[4]), tonumber(ARGV[5])))
if waitMs > 0 then return {0, waitMs} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3])) end
if redis.call('INCR', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], 2 * tonumber(ARGV[5])) end
return {1, 0}
`;

/** Gives one attempt back to the buckets it was taken from. */
export const REFUND_SCRIPT = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
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
  const pairBucket = Math.floor(now / window.pair);
  const accountBucket = Math.floor(now / window.account);
  const taken = [redisKeys.signInBudget(scope, account, ip, pairBucket), redisKeys.signInBudget(scope, account, null, accountBucket)];
  const keys = [taken[0]!, redisKeys.signInBudget(scope, account, ip, pairBucket - 1), taken[1]!, redisKeys.signInBudget(scope, account, null, accountBucket - 1)];
  const [ok, waitMs] = (await runScript(redis, TAKE_SCRIPT, keys, [
    now,
    limits.failedSignIns.perAccountAndIp.limit,
    window.pair,
    limits.failedSignIns.perAccount.limit,
    window.account,
  ])) as [number, number];
  if (ok !== 1) throw appError("rateLimit/TooManyRequests", { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
  return {
    refund: async () => {
      // Not refunding costs the user one counted failure, never a refused sign-in.
      await runScript(redis, REFUND_SCRIPT, taken, []).catch((error: unknown) => {
        getLogger().warn({ err: String(error) }, "could not refund a sign-in attempt");
      });
    },
  };
}
