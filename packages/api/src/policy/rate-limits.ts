import { Ratelimit } from "@upstash/ratelimit";
import { getConfig, limits } from "../config";
import { appError } from "../errors";
import { redisKeys } from "../lib/keys";
import { getRedis } from "../lib/redis";
import { upstashAdapter } from "../lib/upstash-adapter";

/**
 * Rate limits (CONTRACT "Configuration": per-IP sliding windows scaled by RATE_LIMIT_SCALE, and
 * the failed-sign-in budgets). Each check is one atomic Redis round trip; Redis is the only
 * state, so the limits hold across any number of instances.
 */
export type IpLimitName = keyof typeof limits.perIp;

type Limiters = {
  perIp: Record<IpLimitName, Ratelimit>;
  failedPerAccountAndIp: Ratelimit;
  failedPerAccount: Ratelimit;
};

const LIMITERS_KEY = Symbol.for("gatehouse.limiters");
type Holder = { [LIMITERS_KEY]?: { limiters: Limiters; redis: unknown; fingerprint: string } };

function limiters(): Limiters {
  const holder = globalThis as Holder;
  const config = getConfig();
  const redis = getRedis();
  const cached = holder[LIMITERS_KEY];
  const fingerprint = `${config.rateLimitScale}|${config.rateLimitWindowScale}|${config.redisKeyPrefix}`;
  if (cached && cached.redis === redis && cached.fingerprint === fingerprint) {
    return cached.limiters;
  }
  const adapter = upstashAdapter(redis);
  const make = (name: string, limit: number, windowSeconds: number) =>
    new Ratelimit({
      redis: adapter,
      prefix: redisKeys.rateLimitPrefix(name),
      limiter: Ratelimit.slidingWindow(limit, `${Math.max(1, Math.round(windowSeconds * config.rateLimitWindowScale * 1000))} ms`),
      analytics: false,
      ephemeralCache: false,
    });
  const scale = config.rateLimitScale;
  const perIp = Object.fromEntries(
    Object.entries(limits.perIp).map(([name, l]) => [name, make(`ip-${name}`, Math.max(1, Math.round(l.limit * scale)), l.windowSeconds)]),
  ) as Record<IpLimitName, Ratelimit>;
  const built: Limiters = {
    perIp,
    failedPerAccountAndIp: make("fail-acct-ip", limits.failedSignIns.perAccountAndIp.limit, limits.failedSignIns.perAccountAndIp.windowSeconds),
    failedPerAccount: make("fail-acct", limits.failedSignIns.perAccount.limit, limits.failedSignIns.perAccount.windowSeconds),
  };
  holder[LIMITERS_KEY] = { limiters: built, redis, fingerprint };
  return built;
}

function tooManyRequests(resetAtMs: number) {
  return appError("rateLimit/TooManyRequests", { retryAfterSeconds: Math.max(1, Math.ceil((resetAtMs - Date.now()) / 1000)) });
}

/** Counts one request from `ip` against the named per-IP limit; 429 past it. */
export async function enforceIpLimit(name: IpLimitName, ip: string): Promise<void> {
  const result = await limiters().perIp[name].limit(redisKeys.ipLimit(ip));
  if (!result.success) throw tooManyRequests(result.reset);
}

/** The account a failed sign-in counts against (tenant-scoped). */
export interface SignInAccount {
  /** Tenant id, or "staff" for BackOffice staff. */
  scope: string;
  /** Lower-cased userId or staff email, whether or not such an account exists. */
  account: string;
}

const accountKeys = ({ scope, account }: SignInAccount, ip: string) => ({
  perAccountAndIp: redisKeys.accountIpLimit(scope, account, ip),
  perAccount: redisKeys.accountLimit(scope, account),
});

/**
 * Before checking a password: 429 while this (account, IP) has used its 10 failures in 15 min,
 * or the account its 100 per hour from all IPs. One IP exhausting its own budget does not
 * block other IPs until the account-wide cap is reached.
 */
export async function assertSignInAllowed(who: SignInAccount, ip: string): Promise<void> {
  const keys = accountKeys(who, ip);
  const l = limiters();
  const [pair, account] = await Promise.all([
    l.failedPerAccountAndIp.getRemaining(keys.perAccountAndIp),
    l.failedPerAccount.getRemaining(keys.perAccount),
  ]);
  if (pair.remaining <= 0) throw tooManyRequests(pair.reset);
  if (account.remaining <= 0) throw tooManyRequests(account.reset);
}

/** After a wrong password (sign-in or changePassword): spends one failure of each budget. */
export async function recordFailedSignIn(who: SignInAccount, ip: string): Promise<void> {
  const keys = accountKeys(who, ip);
  const l = limiters();
  await Promise.all([l.failedPerAccountAndIp.limit(keys.perAccountAndIp), l.failedPerAccount.limit(keys.perAccount)]);
}
