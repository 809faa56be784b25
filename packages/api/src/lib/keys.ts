import { getConfig } from "../config";

/**
 * Every Redis key Gatehouse uses, one builder per concept. Per-user and per-account keys always
 * include the tenant (CONTRACT "Keys"); per-IP keys are global. The `{...}` hash tag keeps one
 * user's keys in one Redis Cluster slot so multi-key scripts stay atomic there too.
 */
const p = () => getConfig().redisKeyPrefix;

export const redisKeys = {
  otpCode: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}:${userId}}:code`,
  otpCooldown: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}:${userId}}:cooldown`,
  otpFailures: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}:${userId}}:failures`,
  rateLimitPrefix: (name: string) => `${p()}rl:${name}`,
  ipLimit: (ip: string) => `ip:${ip}`,
  /** An account's failed-sign-in log (`ip` for the per-(account, IP) one). */
  signInBudget: (scope: string, account: string, ip: string | null) => `${p()}signin:{${scope}:${account}}:${ip === null ? "all" : `ip:${ip}`}`,
  signingKeysChanged: () => `${p()}signing-keys:changed`,
  healthProbe: () => `${p()}health`,
} as const;
