import { redisKeys } from "../lib/keys";
import { getLogger } from "../lib/log";
import { getRedis } from "../lib/redis";

/**
 * CONTRACT v2 `backOffice.tenants.stats`: texts and code mails sent per tenant, what an operator
 * watches for SMS pumping. One Redis counter per (tenant, kind, UTC hour), kept 25 hours; "the last
 * 24 hours" is the current hour and the 23 before it, so it reads a little under a full day at
 * the top of an hour (whole-hour buckets; an exact sliding window is not worth a log per send).
 */
export type SentKind = "sms" | "codeMail";

const HOUR_MS = 3600_000;
const BUCKETS = 24;
const KEEP_SECONDS = 25 * 3600;

const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

/**
 * Counts one delivered message, in one round trip (INCR and EXPIRE in a MULTI). Best effort: the
 * message is out already, so a Redis failure here is logged and never fails the request.
 */
export async function recordSent(tenantId: string, kind: SentKind, now = Date.now()): Promise<void> {
  const key = redisKeys.messagesSent(tenantId, kind, hourOf(now));
  try {
    await getRedis().multi().incr(key).expire(key, KEEP_SECONDS).exec();
  } catch (error) {
    getLogger().warn({ err: String(error), kind }, "could not count a sent message");
  }
}

/** Texts and code mails sent for the tenant in the current hour and the 23 before it (one MGET). */
export async function sentLast24h(tenantId: string, now = Date.now()): Promise<{ sms: number; codeMail: number }> {
  const current = hourOf(now);
  const hours = Array.from({ length: BUCKETS }, (_, i) => current - i);
  const kinds: SentKind[] = ["sms", "codeMail"];
  const keys = kinds.flatMap((kind) => hours.map((hour) => redisKeys.messagesSent(tenantId, kind, hour)));
  const values = await getRedis().mget(...keys);
  const sum = (from: number) => values.slice(from, from + BUCKETS).reduce((total, v) => total + (Number(v) || 0), 0);
  return { sms: sum(0), codeMail: sum(BUCKETS) };
}
