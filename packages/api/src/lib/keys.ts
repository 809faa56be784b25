import { getConfig } from "../config";

/**
 * Every Redis key Gatehouse uses, one builder per concept. Per-user and per-account keys always
 * include the tenant (CONTRACT "Keys"); per-IP keys are global. The `{...}` hash tag keeps the
 * keys one script touches in one Redis Cluster slot so multi-key scripts stay atomic there too.
 */
const p = () => getConfig().redisKeyPrefix;

const otpTarget = (tenantId: string, target: string, purpose: string) =>
  purpose === "emailVerification" ? `${p()}otp:{${tenantId}}:${target}` : `${p()}otp:{${tenantId}}:${purpose}:${target}`;

export const redisKeys = {
  // Email codes: one tenant's keys share the `{tenantId}` hash tag, because the per-address mail
  // cap spans the tenant's users and is decided in the same script as a user's code and cooldown.
  // A code's target is a user id (email verification: v1's layout) or, for another purpose, an
  // address under that purpose's name (policy/otp-limiter.ts).
  otpCode: (tenantId: string, target: string, purpose = "emailVerification") => `${otpTarget(tenantId, target, purpose)}:code`,
  otpCooldown: (tenantId: string, target: string, purpose = "emailVerification") => `${otpTarget(tenantId, target, purpose)}:cooldown`,
  /** The hourly failure budget's sliding log (a sorted set of failure times). */
  otpFailures: (tenantId: string, target: string, purpose = "emailVerification") => `${otpTarget(tenantId, target, purpose)}:failures`,
  /** The same budget per client network (lib/network.ts clientSubnet), where a purpose has one. */
  otpNetworkFailures: (tenantId: string, target: string, purpose: string, network: string) =>
    `${otpTarget(tenantId, target, purpose)}:failures:net:${network}`,
  /** Code mails sent to one address of a tenant, every purpose (a sorted set of send times). */
  codeMails: (tenantId: string, address: string) => `${p()}otp:{${tenantId}}:mails:${address}`,
  /**
   * CONTRACT "Numbers (v2)", the SMS volume caps: sliding logs of SMS send requests to one number
   * of a tenant, of one user's phone verifications, and of the whole tenant (policy/otp-limiter.ts).
   */
  smsSendsToNumber: (tenantId: string, phone: string) => `${p()}otp:{${tenantId}}:sms:number:${phone}`,
  smsSendsOfUser: (tenantId: string, userId: string) => `${p()}otp:{${tenantId}}:sms:user:${userId}`,
  smsSendsOfTenant: (tenantId: string) => `${p()}otp:{${tenantId}}:sms:tenant`,
  rateLimitPrefix: (name: string) => `${p()}rl:${name}`,
  /** A per-IP limit's identifier: the client network (lib/network.ts clientNetwork), never a bare IPv6 address. */
  ipLimit: (network: string) => `ip:${network}`,
  /** An account's failed-sign-in log (`network` for the per-(account, IP) one: clientNetwork). */
  signInBudget: (scope: string, account: string, network: string | null) =>
    `${p()}signin:{${scope}:${account}}:${network === null ? "all" : `ip:${network}`}`,
  /**
   * CONTRACT v2 "clientSocial": a provider round trip by the SHA-256 of its `state`, and a
   * one-time code by the SHA-256 of the code (services/social/rounds.ts). Global like per-IP
   * keys: the value itself is unguessable and names its tenant inside.
   */
  socialRound: (stateHash: string) => `${p()}social:round:${stateHash}`,
  socialCode: (codeHash: string) => `${p()}social:code:${codeHash}`,
  signingKeysChanged: () => `${p()}signing-keys:changed`,
  /** Messages sent for a tenant in one UTC hour (`kind`: sms, codeMail; `hour`: epoch hours), services/message-stats.ts. */
  messagesSent: (tenantId: string, kind: string, hour: number) => `${p()}stats:{${tenantId}}:${kind}:${hour}`,
  healthProbe: () => `${p()}health`,
} as const;
