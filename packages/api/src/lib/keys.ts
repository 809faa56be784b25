import { getConfig } from "../config";

/**
 * Every Redis key Gatehouse uses, one builder per concept. Per-user and per-account keys always
 * include the tenant (CONTRACT "Keys"); per-IP keys are global. The `{...}` hash tag keeps the
 * keys one script touches in one Redis Cluster slot so multi-key scripts stay atomic there too.
 */
const p = () => getConfig().redisKeyPrefix;

export const redisKeys = {
  // Email codes: one tenant's keys share the `{tenantId}` hash tag, because the per-address mail
  // cap spans the tenant's users and is decided in the same script as a user's code and cooldown.
  otpCode: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}}:${userId}:code`,
  otpCooldown: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}}:${userId}:cooldown`,
  /** The hourly failure budget's sliding log (a sorted set of failure times). */
  otpFailures: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}}:${userId}:failures`,
  /** Code mails sent to one address of a tenant, every purpose (a sorted set of send times). */
  codeMails: (tenantId: string, address: string) => `${p()}otp:{${tenantId}}:mails:${address}`,
  rateLimitPrefix: (name: string) => `${p()}rl:${name}`,
  /** A per-IP limit's identifier: the client network (lib/network.ts clientNetwork), never a bare IPv6 address. */
  ipLimit: (network: string) => `ip:${network}`,
  /** An account's failed-sign-in log (`network` for the per-(account, IP) one: clientNetwork). */
  signInBudget: (scope: string, account: string, network: string | null) =>
    `${p()}signin:{${scope}:${account}}:${network === null ? "all" : `ip:${network}`}`,
  signingKeysChanged: () => `${p()}signing-keys:changed`,
  healthProbe: () => `${p()}health`,
} as const;
