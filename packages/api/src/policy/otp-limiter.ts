import { createHmac, hkdfSync, randomBytes, randomInt } from "node:crypto";
import type { Redis } from "ioredis";
import { getConfig } from "../config";
import { redisKeys } from "../lib/keys";
import { getRedis } from "../lib/redis";
import { runScript } from "../lib/redis-script";

/**
 * Emailed codes' state and limits in Redis, for every purpose (CONTRACT "Numbers": OTP lifetime,
 * attempts, resend cooldown, failed verifications; "Numbers (v2)": the email sign-in code, code
 * mails per address). A code belongs to a purpose and a target: email verification's is the user
 * (v1), email-code sign-in's the (tenant, address) pair. Each (purpose, target) has its own code,
 * attempts and cooldown; the keyed hash covers both, so a code of one purpose never verifies
 * another.
 * Every decision is one Lua script, so no two requests can interleave between a check and its
 * write: parallel sends store one code, parallel guesses are each counted before any answer
 * leaves, and the attempt cap and the per-address mail cap hold.
 *
 * Keys (all share the tenant's `{tenantId}` hash tag, so one Redis Cluster slot: the mail cap
 * is per address, across the tenant's users):
 * - code: a hash {hmac, email, nonce, attempts, exp}, expiring with the code;
 * - cooldown: the nonce of the send that set it, expiring with the cooldown;
 * - failures: the hourly failure budget, an exact sliding log (a sorted set of failure times,
 *   as policy/sign-in-budget.ts keeps): a failure counts for exactly one hour after it, so no
 *   burst at the turn of an hour gets a fresh budget, and Retry-After is when the oldest counted
 *   failure ages out. Sends never touch it, so a resend restores nothing. A purpose may add a
 *   second log per client network (email sign-in: 15 per network beside 100 per address), so
 *   failures from one network cannot spend the whole address's budget;
 * - mails: the code mails sent to one address of the tenant in the last hour (a sorted set of
 *   send times, members the sends' nonces), for every purpose;
 * - SMS sends (CONTRACT "Numbers (v2)", the volume caps against SMS pumping): sliding logs of the
 *   SMS send requests to one number of the tenant (24 h), of one user's phone-verification sends
 *   (24 h) and of the whole tenant (1 h), every SMS purpose together. `countSmsSend` checks and
 *   counts all of them in one script, before anything is looked up; `releaseSmsSend` gives one
 *   send's count back when its delivery failed.
 *
 * SMS codes (purposes "phoneVerification" and "resetSms") use the same code, cooldown, attempt
 * and budget scripts as the mailed ones, without the mail cap (their cap is the SMS one above):
 * phone verification's target is the user (the cooldown and budgets are per user, the number
 * travels in the code's hash as the address does), reset by SMS's target is the (tenant, number).
 *
 * Times in the logs are the caller's clock (`now`); expiries are Redis's. The scripts use only
 * basic commands so that the in-process store of `pnpm dev` (ioredis-mock, Lua via fengari)
 * runs them as Redis does.
 */

/**
 * Shared by the scripts: ms until the sliding log at `key` (entries older than `window` before
 * `now` dropped first) has room for one more under `limit`, or 0 when it has room now.
 */
const LOG_WAIT = `
local function logWait(key, limit, window, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
`;

/**
 * KEYS: code, cooldown, failures, mails (of the target address)[, the network's failures].
 * ARGV: hmac, email, nonce, code ttl (ms), cooldown (ms), failures per hour, code expiry (ms
 * since epoch), now (ms), failure window (ms), mails per address (0: no mail cap, an SMS code),
 * mail window (ms)[, the network's failures per hour].
 * The address's mail cap, then the budgets, then the cooldown; then (cooldown + replace the
 * code + count the mail) as one step. A refused send counts nowhere.
 */
const ISSUE_SCRIPT = `${LOG_WAIT}
local now = tonumber(ARGV[8])
local mailCap = tonumber(ARGV[10])
if mailCap > 0 then
  local capWait = logWait(KEYS[4], mailCap, tonumber(ARGV[11]), now)
  if capWait > 0 then return {'cap', capWait} end
end
local budgetWait = logWait(KEYS[3], tonumber(ARGV[6]), tonumber(ARGV[9]), now)
if KEYS[5] then budgetWait = math.max(budgetWait, logWait(KEYS[5], tonumber(ARGV[12]), tonumber(ARGV[9]), now)) end
if budgetWait > 0 then return {'budget', budgetWait} end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'cooldown', redis.call('PTTL', KEYS[2])}
end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'hmac', ARGV[1], 'email', ARGV[2], 'nonce', ARGV[3], 'attempts', '0', 'exp', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if mailCap > 0 then
  redis.call('ZADD', KEYS[4], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[11])
end
return {'ok', 0}
`;

/**
 * Undoes one send (its mail was not taken): only what that send set, recognised by its nonce.
 * KEYS: code, cooldown, mails. ARGV: nonce.
 */
const RELEASE_SCRIPT = `
local released = 0
if redis.call('HGET', KEYS[1], 'nonce') == ARGV[1] then
  released = released + redis.call('DEL', KEYS[1])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  released = released + redis.call('DEL', KEYS[2])
end
released = released + redis.call('ZREM', KEYS[3], ARGV[1])
return released
`;

/**
 * Withdraws one send's code and nothing else (its cooldown and counts stay): a password-reset
 * send to an address or number no user verified. KEYS: code. ARGV: nonce.
 */
const WITHDRAW_SCRIPT = `
if redis.call('HGET', KEYS[1], 'nonce') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * One guess: budgets first (past one, even the right code is refused); a match consumes the
 * code; anything else (wrong, expired, none sent) spends one failure in every budget, and a wrong
 * guess against a live code spends one of its attempts, the last one deleting it.
 * KEYS: code, failures[, the network's failures]. ARGV: hmac, max attempts, failures per hour,
 * failure window (ms), now (ms), this failure's unique member[, the network's failures per hour].
 */
const CHECK_SCRIPT = `${LOG_WAIT}
local now = tonumber(ARGV[5])
local budgetWait = logWait(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), now)
if KEYS[3] then budgetWait = math.max(budgetWait, logWait(KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[4]), now)) end
if budgetWait > 0 then return {'budget', budgetWait} end
local stored = redis.call('HGET', KEYS[1], 'hmac')
if stored and stored == ARGV[1] then
  local email = redis.call('HGET', KEYS[1], 'email')
  redis.call('DEL', KEYS[1])
  return {'ok', email}
end
redis.call('ZADD', KEYS[2], now, ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if KEYS[3] then
  redis.call('ZADD', KEYS[3], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
if stored then
  local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  if attempts >= tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[1])
  end
end
return {'invalid', redis.call('ZCARD', KEYS[2])}
`;

/**
 * One SMS send request against the volume caps: every log first (a full one refuses, counting
 * nowhere), then the send counted in every log under its nonce.
 * KEYS: the number's log, the tenant's log[, the user's log]. ARGV: nonce, now (ms), per number,
 * day (ms), per tenant, hour (ms)[, per user].
 */
const SMS_CAPS_SCRIPT = `${LOG_WAIT}
local now = tonumber(ARGV[2])
local wait = logWait(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4]), now)
wait = math.max(wait, logWait(KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6]), now))
if KEYS[3] then wait = math.max(wait, logWait(KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[4]), now)) end
if wait > 0 then return {'cap', wait} end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if KEYS[3] then
  redis.call('ZADD', KEYS[3], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return {'ok', 0}
`;

/** Gives one send's count back to every log it was counted in. KEYS: as above. ARGV: nonce. */
const SMS_RELEASE_SCRIPT = `
local released = 0
for i = 1, #KEYS do released = released + redis.call('ZREM', KEYS[i], ARGV[1]) end
return released
`;

const HOUR_MS = 60 * 60 * 1000;

/** The budget's and the cap's hour (RATE_LIMIT_WINDOW_SCALE shortens it in tests only). */
const hourMs = () => Math.max(1, Math.round(HOUR_MS * getConfig().rateLimitWindowScale));
/** The SMS caps' day, scaled likewise. */
const dayMs = () => Math.max(1, Math.round(24 * HOUR_MS * getConfig().rateLimitWindowScale));

/**
 * Whose code: email verification's belongs to a user (a UUID; the tenant is in the key all the
 * same), email-code sign-in's (and reset by email's) to an address of the tenant (lower-cased),
 * phone verification's to a user, reset by SMS's to a number of the tenant (E.164).
 */
export type OtpSubject = UserOtpSubject | AddressOtpSubject | PhoneVerificationOtpSubject | ResetSmsOtpSubject;
/** Email verification's subject (v1). */
export interface UserOtpSubject {
  tenantId: string;
  userId: string;
}
/** Email-code sign-in's subject, and reset by email's. */
export interface AddressOtpSubject {
  tenantId: string;
  purpose: "signIn" | "resetEmail";
  address: string;
}
/** Phone verification's subject: the user (the number is the code's `email`, where it was texted). */
export interface PhoneVerificationOtpSubject {
  tenantId: string;
  purpose: "phoneVerification";
  userId: string;
}
/** Reset by SMS's subject: a number of the tenant, E.164 (policy/phone-number.ts). */
export interface ResetSmsOtpSubject {
  tenantId: string;
  purpose: "resetSms";
  phone: string;
}

type OtpPurpose = "emailVerification" | AddressOtpSubject["purpose"] | "phoneVerification" | "resetSms";

/** The subject as (purpose, target), the pair the keys and the keyed hash are made of. */
function purposeOf(subject: OtpSubject): { purpose: OtpPurpose; target: string } {
  if (!("purpose" in subject)) return { purpose: "emailVerification", target: subject.userId };
  switch (subject.purpose) {
    case "phoneVerification":
      return { purpose: subject.purpose, target: subject.userId };
    case "resetSms":
      return { purpose: subject.purpose, target: subject.phone };
    default:
      return { purpose: subject.purpose, target: subject.address };
  }
}

const keysOf = (subject: OtpSubject) => {
  const { purpose, target } = purposeOf(subject);
  return {
    code: redisKeys.otpCode(subject.tenantId, target, purpose),
    cooldown: redisKeys.otpCooldown(subject.tenantId, target, purpose),
    failures: redisKeys.otpFailures(subject.tenantId, target, purpose),
  };
};

/** A second failure budget, per client network (see the keys above). */
export interface NetworkBudget {
  /** The caller's network (lib/network.ts clientSubnet). */
  network: string;
  failuresPerHour: number;
}

/** The network budget's keys and arguments, appended to a script's own when there is one. */
function networkArgs(subject: OtpSubject, budget: NetworkBudget | undefined): { keys: string[]; args: (string | number)[] } {
  if (!budget) return { keys: [], args: [] };
  const { purpose, target } = purposeOf(subject);
  return { keys: [redisKeys.otpNetworkFailures(subject.tenantId, target, purpose, budget.network)], args: [budget.failuresPerHour] };
}

/** The key derived from the current AUTH_SECRET, once per process (see runtime.ts). */
let otpKeyCache: { secret: string; key: Buffer } | undefined;

/** The HMAC key for codes, derived from AUTH_SECRET (HKDF, purpose "otp"). */
function otpKey(): Buffer {
  const { authSecret } = getConfig();
  if (!authSecret) throw new Error("AUTH_SECRET is not configured");
  if (otpKeyCache?.secret === authSecret) return otpKeyCache.key;
  const key = Buffer.from(hkdfSync("sha256", authSecret, "gatehouse", "gatehouse/otp/v1", 32));
  otpKeyCache = { secret: authSecret, key };
  return key;
}

/**
 * The keyed hash stored for `code`: bound to the tenant, the purpose and the target, so a stored
 * hash is worth nothing for anyone else's code, nor for a code of another purpose.
 */
export function otpCodeHmac(subject: OtpSubject, code: string): string {
  const { purpose, target } = purposeOf(subject);
  return createHmac("sha256", otpKey()).update(`${purpose}\n${subject.tenantId}\n${target}\n${code}`).digest("hex");
}

/** 6 decimal digits, uniformly from the CSPRNG. */
export function newOtpCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

/** PTTL as milliseconds to wait, with a fallback for a key without expiry (never set so). */
const waitMs = (pttl: unknown, fallbackMs: number) => (typeof pttl === "number" && pttl > 0 ? pttl : fallbackMs);

/** A failure's member in the log: unique, so simultaneous failures are each counted. */
const failureMember = (now: number) => `${now}:${randomBytes(8).toString("hex")}`;

export interface IssueInput {
  /** HMAC of the code (hex); the code itself never reaches Redis. */
  hmac: string;
  /**
   * The address the code is mailed to (lower-cased), whose mail cap the send counts toward; for
   * an SMS code the number it is texted to (E.164), which `checkOtp` hands back as `email`.
   */
  email: string;
  /** Random, names this send so that only it can be undone. */
  nonce: string;
  ttlMs: number;
  cooldownMs: number;
  failuresPerHour: number;
  /** Code mails per (tenant, address) per hour (CODE_MAILS_PER_ADDRESS_PER_HOUR); 0 for an SMS code (no mail cap). */
  mailsPerAddressPerHour: number;
  expiresAtMs: number;
  /** The instant of the send (tests choose it); default now. */
  now?: number;
  /** A per-network failure budget checked beside the target's. */
  networkBudget?: NetworkBudget;
}

export type IssueResult =
  | { outcome: "issued" }
  | { outcome: "cooldown"; retryAfterMs: number }
  | { outcome: "budget"; retryAfterMs: number }
  | { outcome: "cap"; retryAfterMs: number };

/**
 * Sets the cooldown, replaces the code and counts the mail toward the address's cap, unless the
 * cap is reached, the budget is spent or a cooldown runs.
 */
export async function issueOtp(subject: OtpSubject, input: IssueInput, redis: Redis = getRedis()): Promise<IssueResult> {
  const k = keysOf(subject);
  const window = hourMs();
  const net = networkArgs(subject, input.networkBudget);
  const [outcome, wait] = (await runScript(
    redis,
    ISSUE_SCRIPT,
    [k.code, k.cooldown, k.failures, redisKeys.codeMails(subject.tenantId, input.email), ...net.keys],
    [
      input.hmac,
      input.email,
      input.nonce,
      input.ttlMs,
      input.cooldownMs,
      input.failuresPerHour,
      input.expiresAtMs,
      input.now ?? Date.now(),
      window,
      input.mailsPerAddressPerHour,
      window,
      ...net.args,
    ],
  )) as [string, number];
  if (outcome === "ok") return { outcome: "issued" };
  if (outcome === "cooldown") return { outcome: "cooldown", retryAfterMs: waitMs(wait, input.cooldownMs) };
  if (outcome === "budget") return { outcome: "budget", retryAfterMs: waitMs(wait, window) };
  if (outcome === "cap") return { outcome: "cap", retryAfterMs: waitMs(wait, window) };
  throw new Error(`otp issue script answered ${String(outcome)}`);
}

/**
 * Undoes the send named `nonce` (its mail was not taken): deletes the code and the cooldown if
 * they are still that send's, and gives its count back to the address's mail cap.
 */
export async function releaseOtp(subject: OtpSubject, send: { nonce: string; email: string }, redis: Redis = getRedis()): Promise<number> {
  const k = keysOf(subject);
  return (await runScript(
    redis,
    RELEASE_SCRIPT,
    [k.code, k.cooldown, redisKeys.codeMails(subject.tenantId, send.email)],
    [send.nonce],
  )) as number;
}

/**
 * Withdraws the code of the send named `nonce`, if it is still that send's code, and leaves its
 * cooldown and counts as they are: a reset send answers and counts the same whether or not a user
 * has the address or number, but the code lives only where it was sent (CONTRACT v2
 * "clientPasswordReset"), so verifying one for an account that does not exist is a plain 401.
 */
export async function withdrawOtpCode(subject: OtpSubject, nonce: string, redis: Redis = getRedis()): Promise<number> {
  return (await runScript(redis, WITHDRAW_SCRIPT, [keysOf(subject).code], [nonce])) as number;
}

/** `email`: where the proved code was sent (an address, or an SMS code's number). */
export type CheckResult =
  { outcome: "ok"; email: string } | { outcome: "invalid"; failures: number } | { outcome: "budget"; retryAfterMs: number };

/** One verification attempt, counted before its answer is known to anyone. */
export async function checkOtp(
  subject: OtpSubject,
  input: { hmac: string; maxAttempts: number; failuresPerHour: number; now?: number; networkBudget?: NetworkBudget },
  redis: Redis = getRedis(),
): Promise<CheckResult> {
  const k = keysOf(subject);
  const window = hourMs();
  const now = input.now ?? Date.now();
  const net = networkArgs(subject, input.networkBudget);
  const [outcome, value] = (await runScript(
    redis,
    CHECK_SCRIPT,
    [k.code, k.failures, ...net.keys],
    [input.hmac, input.maxAttempts, input.failuresPerHour, window, now, failureMember(now), ...net.args],
  )) as [string, string | number];
  if (outcome === "ok") return { outcome: "ok", email: String(value) };
  if (outcome === "invalid") return { outcome: "invalid", failures: Number(value) };
  if (outcome === "budget") return { outcome: "budget", retryAfterMs: waitMs(value, window) };
  throw new Error(`otp check script answered ${String(outcome)}`);
}

/** Who an SMS send request counts for (CONTRACT "Numbers (v2)", SMS volume caps). */
export interface SmsSend {
  tenantId: string;
  /** E.164. */
  phone: string;
  /** The signed-in user of a phone verification (counts toward the per-user cap); none for a reset. */
  userId?: string;
  /** Random, names this send so that only it can be given back. */
  nonce: string;
}

export type SmsCapResult = { outcome: "counted" } | { outcome: "cap"; retryAfterMs: number };

function smsCapKeys(send: SmsSend): string[] {
  return [
    redisKeys.smsSendsToNumber(send.tenantId, send.phone),
    redisKeys.smsSendsOfTenant(send.tenantId),
    ...(send.userId === undefined ? [] : [redisKeys.smsSendsOfUser(send.tenantId, send.userId)]),
  ];
}

/**
 * Counts one SMS send request against the volume caps (per (tenant, number) per 24 h, per user's
 * phone verifications per 24 h, per tenant per hour), unless one is reached: then `cap`, with
 * when the fullest log has room again, and nothing counted. Called for every send request before
 * any lookup (a send that later ends in a 409, a budget or a cooldown, or a reset to a number no
 * one verified, stays counted); only a failed delivery gives its count back (`releaseSmsSend`).
 */
export async function countSmsSend(send: SmsSend, options: { now?: number } = {}, redis: Redis = getRedis()): Promise<SmsCapResult> {
  const { sms } = getConfig();
  const day = dayMs();
  const hour = hourMs();
  const [outcome, wait] = (await runScript(redis, SMS_CAPS_SCRIPT, smsCapKeys(send), [
    send.nonce,
    options.now ?? Date.now(),
    sms.perNumberPerDay,
    day,
    sms.perTenantPerHour,
    hour,
    sms.perUserPerDay,
  ])) as [string, number];
  if (outcome === "ok") return { outcome: "counted" };
  if (outcome === "cap") return { outcome: "cap", retryAfterMs: waitMs(wait, hour) };
  throw new Error(`sms caps script answered ${String(outcome)}`);
}

/** Gives back the count of the send named `send.nonce` (its SMS was not delivered). */
export async function releaseSmsSend(send: SmsSend, redis: Redis = getRedis()): Promise<number> {
  return (await runScript(redis, SMS_RELEASE_SCRIPT, smsCapKeys(send), [send.nonce])) as number;
}
