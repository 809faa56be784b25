import type { Redis } from "ioredis";
import { redisKeys } from "../lib/keys";
import { getRedis } from "../lib/redis";
import { runScript } from "../lib/redis-script";

/**
 * The email-verification code's state and limits in Redis (CONTRACT "Numbers": OTP lifetime,
 * attempts, resend cooldown, failed verifications). Every decision is one Lua script, so no two
 * requests can interleave between a check and its write: parallel sends store one code, parallel
 * guesses are each counted before any answer leaves, and the attempt cap holds per code.
 *
 * Per user (all keys share the `{tenantId:userId}` hash tag, so one Redis Cluster slot):
 * - code: a hash {hmac, email, nonce, attempts, exp}, expiring with the code;
 * - cooldown: the nonce of the send that set it, expiring with the cooldown;
 * - failures: the hourly failure budget, a counter that expires an hour after its first failure.
 *
 * The scripts use only basic commands so that the in-process store of `pnpm dev` (ioredis-mock,
 * Lua via fengari) runs them as Redis does.
 */

/** Budget, then cooldown, then (cooldown + replace the code) as one step. */
export const ISSUE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[3]) or '0')
if failures >= tonumber(ARGV[6]) then
  return {'budget', redis.call('PTTL', KEYS[3])}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'cooldown', redis.call('PTTL', KEYS[2])}
end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'hmac', ARGV[1], 'email', ARGV[2], 'nonce', ARGV[3], 'attempts', '0', 'exp', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {'ok', 0}
`;

/** Undoes one send (its mail was not taken): only what that send set, recognised by its nonce. */
export const RELEASE_SCRIPT = `
local released = 0
if redis.call('HGET', KEYS[1], 'nonce') == ARGV[1] then
  released = released + redis.call('DEL', KEYS[1])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  released = released + redis.call('DEL', KEYS[2])
end
return released
`;

/**
 * One guess: budget first (past it even the right code is refused); a match consumes the code;
 * anything else (wrong, expired, none sent) spends one failure, and a wrong guess against a live
 * code spends one of its attempts, the last one deleting it.
 */
export const CHECK_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures >= tonumber(ARGV[3]) then
  return {'budget', redis.call('PTTL', KEYS[2])}
end
local stored = redis.call('HGET', KEYS[1], 'hmac')
if stored and stored == ARGV[1] then
  local email = redis.call('HGET', KEYS[1], 'email')
  redis.call('DEL', KEYS[1])
  return {'ok', email}
end
local count = redis.call('INCR', KEYS[2])
if redis.call('PTTL', KEYS[2]) < 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
if stored then
  local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  if attempts >= tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[1])
  end
end
return {'invalid', count}
`;

const FAILURE_WINDOW_MS = 60 * 60 * 1000;

/** A user's OTP keys (the user's id is a UUID; the tenant is in the key all the same). */
export interface OtpSubject {
  tenantId: string;
  userId: string;
}

const keysOf = ({ tenantId, userId }: OtpSubject) => ({
  code: redisKeys.otpCode(tenantId, userId),
  cooldown: redisKeys.otpCooldown(tenantId, userId),
  failures: redisKeys.otpFailures(tenantId, userId),
});

/** PTTL as milliseconds to wait, with a fallback for a key without expiry (never set so). */
const waitMs = (pttl: unknown, fallbackMs: number) => (typeof pttl === "number" && pttl > 0 ? pttl : fallbackMs);

export interface IssueInput {
  /** HMAC of the code (hex); the code itself never reaches Redis. */
  hmac: string;
  email: string;
  /** Random, names this send so that only it can be undone. */
  nonce: string;
  ttlMs: number;
  cooldownMs: number;
  failuresPerHour: number;
  expiresAtMs: number;
}

export type IssueResult =
  | { outcome: "issued" }
  | { outcome: "cooldown"; retryAfterMs: number }
  | { outcome: "budget"; retryAfterMs: number };

/** Sets the cooldown and replaces the code, unless the budget is spent or a cooldown runs. */
export async function issueOtp(subject: OtpSubject, input: IssueInput, redis: Redis = getRedis()): Promise<IssueResult> {
  const k = keysOf(subject);
  const [outcome, pttl] = (await runScript(
    redis,
    ISSUE_SCRIPT,
    [k.code, k.cooldown, k.failures],
    [input.hmac, input.email, input.nonce, input.ttlMs, input.cooldownMs, input.failuresPerHour, input.expiresAtMs],
  )) as [string, number];
  if (outcome === "ok") return { outcome: "issued" };
  if (outcome === "cooldown") return { outcome: "cooldown", retryAfterMs: waitMs(pttl, input.cooldownMs) };
  if (outcome === "budget") return { outcome: "budget", retryAfterMs: waitMs(pttl, FAILURE_WINDOW_MS) };
  throw new Error(`otp issue script answered ${String(outcome)}`);
}

/** Deletes the code and the cooldown if they are still the ones set by the send named `nonce`. */
export async function releaseOtp(subject: OtpSubject, nonce: string, redis: Redis = getRedis()): Promise<number> {
  const k = keysOf(subject);
  return (await runScript(redis, RELEASE_SCRIPT, [k.code, k.cooldown], [nonce])) as number;
}

export type CheckResult =
  | { outcome: "ok"; email: string }
  | { outcome: "invalid"; failures: number }
  | { outcome: "budget"; retryAfterMs: number };

/** One verification attempt, counted before its answer is known to anyone. */
export async function checkOtp(
  subject: OtpSubject,
  input: { hmac: string; maxAttempts: number; failuresPerHour: number },
  redis: Redis = getRedis(),
): Promise<CheckResult> {
  const k = keysOf(subject);
  const [outcome, value] = (await runScript(
    redis,
    CHECK_SCRIPT,
    [k.code, k.failures],
    [input.hmac, input.maxAttempts, input.failuresPerHour, FAILURE_WINDOW_MS],
  )) as [string, string | number];
  if (outcome === "ok") return { outcome: "ok", email: String(value) };
  if (outcome === "invalid") return { outcome: "invalid", failures: Number(value) };
  if (outcome === "budget") return { outcome: "budget", retryAfterMs: waitMs(value, FAILURE_WINDOW_MS) };
  throw new Error(`otp check script answered ${String(outcome)}`);
}
