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
  /** One sliding-window bucket of an account's failed-sign-in budget (`ip` for the per-IP one). */
  signInBudget: (scope: string, account: string, ip: string | null, bucket: number) =>
    `${p()}signin:{${scope}:${account}}:${ip === null ? "all" : `ip:${ip}`}:${bucket}`,
  signingKeysChanged: () => `${p()}signing-keys:changed`,
  healthProbe: () => `${p()}health`,
} as const;
