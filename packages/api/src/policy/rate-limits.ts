import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "ioredis";
import { limits, type Config } from "../config";
import { appError } from "../errors";
import { redisKeys } from "../lib/keys";
import { clientNetwork } from "../lib/network";
import { upstashAdapter } from "../lib/upstash-adapter";
import { getRuntime } from "../runtime";

/**
 * Per-IP rate limits (CONTRACT "Configuration": sliding windows scaled by RATE_LIMIT_SCALE; the
 * failed-sign-in budgets are in sign-in-budget.ts). Each check is one atomic Redis round trip;
 * Redis is the only state, so the limits hold across any number of instances. "Per IP" counts
 * the client's network (an IPv6 /64, an IPv4 address: lib/network.ts), so a host cannot get a
 * fresh allowance from each of the 2^64 addresses it holds.
 */
export type IpLimitName = keyof typeof limits.perIp;

export type Limiters = { perIp: Record<IpLimitName, Ratelimit> };

/** The per-IP limiters over `redis`, scaled by the config (built once by the runtime, see runtime.ts). */
export function buildLimiters(redis: Redis, config: Config): Limiters {
  const adapter = upstashAdapter(redis);
  const make = (name: string, limit: number, windowSeconds: number) =>
    new Ratelimit({
      redis: adapter,
      prefix: redisKeys.rateLimitPrefix(name),
      limiter: Ratelimit.slidingWindow(limit, `${Math.max(1, Math.round(windowSeconds * config.rateLimitWindowScale * 1000))} ms`),
      analytics: false,
      ephemeralCache: false,
      // The library's own timeout (5 s unless set) answers success: true when Redis is slow,
      // i.e. fails open. 0 turns it off: the Redis connection's command timeout (lib/redis.ts)
      // is the only clock, and it rejects, which is a 503.
      timeout: 0,
    });
  const scale = config.rateLimitScale;
  const perIp = Object.fromEntries(
    Object.entries(limits.perIp).map(([name, l]) => [name, make(`ip-${name}`, Math.max(1, Math.round(l.limit * scale)), l.windowSeconds)]),
  ) as Record<IpLimitName, Ratelimit>;
  return { perIp };
}

function tooManyRequests(resetAtMs: number) {
  return appError("rateLimit/TooManyRequests", { retryAfterSeconds: Math.max(1, Math.ceil((resetAtMs - Date.now()) / 1000)) });
}

/** Counts one request from `ip`'s network against the named per-IP limit; 429 past it. */
export async function enforceIpLimit(name: IpLimitName, ip: string): Promise<void> {
  const result = await getRuntime().limiters.perIp[name].limit(redisKeys.ipLimit(clientNetwork(ip)));
  // Only the library's timeout answers "timeout" (off above); should it ever come back, it is
  // a Redis that did not answer, never a pass.
  if (result.reason === "timeout") throw appError("service/Unavailable", { message: "The rate limiter did not answer in time." });
  if (!result.success) throw tooManyRequests(result.reset);
}
