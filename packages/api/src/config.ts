import { z } from "zod";
import { parseSmsUrl } from "./lib/sms/url";
import { getRuntime } from "./runtime";

/**
 * Every number and variable of CONTRACT.md, read from the environment once, validated with zod
 * when the server starts (never at import or build time).
 */

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** An http(s) base URL, kept without its trailing slashes. */
const providerUrl = (fallback: string) =>
  optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()).transform((v) => (v ?? fallback).replace(/\/+$/, ""));

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const envSchema = z.object({
  NODE_ENV: optionalString,
  DATABASE_URL: optionalString,
  REDIS_URL: optionalString,
  REDIS_KEY_PREFIX: z.string().default("gh:"),
  SMTP_URL: optionalString,
  MAIL_FROM: optionalString,
  MAIL_DIR: optionalString,
  AUTH_SECRET: optionalString,
  AUTH_SECRET_PREVIOUS: optionalString,
  BACKOFFICE_ADMIN_EMAIL: optionalString,
  BACKOFFICE_ADMIN_PASSWORD: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  APP_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  JWT_AUDIENCE: z.string().min(1).default("gatehouse"),
  RATE_LIMIT_SCALE: z.coerce.number().positive().default(1),
  /** Multiplies every rate-limit window (tests use short windows; never needed in production). */
  RATE_LIMIT_WINDOW_SCALE: z.coerce.number().positive().max(1).default(1),
  /**
   * Unset/false: the socket address, always. true/1: the last X-Forwarded-For entry (the one our
   * nearest proxy appended). N > 1: the N-th entry from the right (N proxies in front).
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => {
      if (v === undefined || v === "" || v === "0" || v === "false" || v === "no" || v === "off") return 0;
      if (v === "true" || v === "yes" || v === "on") return 1;
      const n = Number(v);
      return Number.isInteger(n) && n > 0 ? n : Number.NaN;
    })
    .refine((n) => !Number.isNaN(n), "TRUST_PROXY must be true/false or a number of proxies"),
  OTP_TTL_SECONDS: seconds(600),
  OTP_MAX_ATTEMPTS: seconds(5),
  OTP_RESEND_COOLDOWN_SECONDS: seconds(60),
  OTP_FAILURES_PER_HOUR: seconds(15),
  /** CONTRACT "Numbers (v2)": code mails per (tenant, address) per hour, every purpose; never scaled. */
  CODE_MAILS_PER_ADDRESS_PER_HOUR: count(20),
  /** CONTRACT "Numbers (v2)": the email sign-in code's lifetime (clientPasswordless). */
  SIGN_IN_CODE_TTL_SECONDS: seconds(300),
  ACCESS_TOKEN_TTL_SECONDS: seconds(3600),
  REFRESH_TOKEN_TTL_SECONDS: seconds(7 * 24 * 3600),
  SESSION_MAX_AGE_SECONDS: seconds(30 * 24 * 3600),
  /** CONTRACT "Numbers (v2)": the signupToken clientPasswordless.verify hands to a new address. */
  SIGNUP_TOKEN_TTL_SECONDS: seconds(600),
  BCRYPT_COST: z.coerce.number().int().min(10, "BCRYPT_COST is never below 10").max(15).default(12),
  /** Password-hashing jobs that may wait behind the running ones; past it, 503 with Retry-After. */
  HASH_QUEUE_MAX: z.coerce.number().int().min(0).default(200),
  /** Password-hashing worker threads; unset: one per CPU core. */
  HASH_WORKERS: optionalString.pipe(z.coerce.number<string | undefined>().int().positive().optional()),
  /** pino level; unset: `info` (`silent` in test mode). */
  LOG_LEVEL: optionalString.pipe(z.enum(LOG_LEVELS).optional()),
  /** CONTRACT v2 "SMS delivery": unset → dev files (.data/sms) / production SMS off; http(s)://, twilio://, solapi://. */
  SMS_URL: optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    try {
      parseSmsUrl(value);
    } catch (error) {
      // The message says which part is wrong, never the value (it holds credentials).
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
  /** Where SMS go as files when SMS_URL is unset under `pnpm dev` (default `.data/sms`). */
  SMS_DIR: optionalString,
  /** Moves Twilio's and Solapi's APIs (tests point them at local fakes). */
  TWILIO_API_URL: providerUrl("https://api.twilio.com"),
  SOLAPI_API_URL: providerUrl("https://api.solapi.com"),
  /** CONTRACT "Numbers (v2)": SMS codes and reset tokens. */
  SMS_CODE_TTL_SECONDS: seconds(300),
  RESET_TOKEN_TTL_SECONDS: seconds(300),
  SMS_PER_NUMBER_PER_DAY: count(10),
  SMS_PER_USER_PER_DAY: count(5),
  SMS_PER_TENANT_PER_HOUR: count(1000),
  /** CONTRACT v2 "clientSocial": a provider round trip's state and Gatehouse's one-time code. */
  SOCIAL_STATE_TTL_SECONDS: seconds(600),
  SOCIAL_CODE_TTL_SECONDS: seconds(60),
  /** CONTRACT v2 "Numbers (v2)": provider, SMS gateway and SMTP calls give up after this (→ 503). */
  OUTBOUND_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** CONTRACT v2: the providers' endpoints (operators and tests move them; tenants never do). */
  OAUTH_GOOGLE_ISSUER: providerUrl("https://accounts.google.com"),
  OAUTH_KAKAO_AUTH_URL: providerUrl("https://kauth.kakao.com"),
  OAUTH_KAKAO_API_URL: providerUrl("https://kapi.kakao.com"),
  OAUTH_NAVER_AUTH_URL: providerUrl("https://nid.naver.com"),
  OAUTH_NAVER_API_URL: providerUrl("https://openapi.naver.com"),
  /** Seconds a freshly rotated-in signing key is published before it signs (CONTRACT: 300). */
  SIGNING_KEY_ACTIVATION_DELAY_SECONDS: z.coerce.number().int().min(0).default(300),
  /** How often a server re-reads the signing keys (CONTRACT: rotations seen within 60 s). */
  SIGNING_KEY_REFRESH_SECONDS: z.coerce.number().positive().max(60).default(30),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  mode: "production" | "development" | "test";
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  mailDir: string | undefined;
  authSecret: string | undefined;
  authSecretPrevious: string | undefined;
  bootstrapAdmin: { email: string; password: string } | undefined;
  port: number;
  appUrl: string;
  jwtAudience: string;
  rateLimitScale: number;
  rateLimitWindowScale: number;
  trustProxyHops: number;
  bcryptCost: number;
  hashQueueMax: number;
  /** Worker threads of the password-hashing pool; undefined: one per CPU core. */
  hashWorkers: number | undefined;
  logLevel: LogLevel;
  otp: {
    ttlSeconds: number;
    maxAttempts: number;
    resendCooldownSeconds: number;
    failuresPerHour: number;
    mailsPerAddressPerHour: number;
    /** clientPasswordless's code lifetime (its cooldown and attempts are the ones above). */
    signInTtlSeconds: number;
    length: 6;
  };
  tokens: {
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    sessionMaxAgeSeconds: number;
    signupTtlSeconds: number;
    keyActivationDelaySeconds: number;
    keyRefreshSeconds: number;
  };
  limits: typeof limits;
  bodyLimitBytes: number;
  /** CONTRACT v2 "SMS delivery" and "Numbers (v2)". */
  sms: {
    /** SMS_URL as given (undefined: dev files under .data/sms, production: SMS off). */
    url: string | undefined;
    /** SMS_DIR: the dev files sender's folder (undefined: `.data/sms`). */
    dir: string | undefined;
    twilioApiUrl: string;
    solapiApiUrl: string;
    codeTtlSeconds: number;
    perNumberPerDay: number;
    perUserPerDay: number;
    perTenantPerHour: number;
  };
  /** CONTRACT "Numbers (v2)": the resetToken `clientPasswordReset.verifyCode` hands out. */
  resetTokenTtlSeconds: number;
  /** Provider, SMS gateway and SMTP calls time out after this many milliseconds (→ 503). */
  outboundTimeoutMs: number;
  social: {
    stateTtlSeconds: number;
    codeTtlSeconds: number;
    /** A native id_token issued (`iat`) longer ago than this is refused. */
    nativeIdTokenMaxAgeSeconds: number;
    /** Base URLs; `http://` ones are stand-ins and are talked to over http (CONTRACT v2). */
    endpoints: {
      googleIssuer: string;
      kakaoAuthUrl: string;
      kakaoApiUrl: string;
      naverAuthUrl: string;
      naverApiUrl: string;
    };
  };
}

/** Per-IP limits (sliding windows) and failed-sign-in budgets, before RATE_LIMIT_SCALE. */
export const limits = {
  perIp: {
    signUp: { limit: 20, windowSeconds: 60 },
    signIn: { limit: 30, windowSeconds: 60 },
    refresh: { limit: 60, windowSeconds: 60 },
    sendVerification: { limit: 20, windowSeconds: 60 },
    verifyEmail: { limit: 60, windowSeconds: 60 },
    // CONTRACT "Numbers (v2)": clientPasswordless.
    passwordlessSendCode: { limit: 20, windowSeconds: 60 },
    passwordlessVerify: { limit: 60, windowSeconds: 60 },
    passwordlessRegister: { limit: 20, windowSeconds: 60 },
    // CONTRACT "Numbers (v2)": clientSocial.
    socialStart: { limit: 60, windowSeconds: 60 },
    socialExchange: { limit: 60, windowSeconds: 60 },
    socialSignInWithToken: { limit: 30, windowSeconds: 60 },
    // CONTRACT "Numbers (v2)": clientPasswordReset and clientPhoneVerification.
    resetSendSmsCode: { limit: 10, windowSeconds: 60 },
    resetSendEmailCode: { limit: 10, windowSeconds: 60 },
    resetVerifyCode: { limit: 60, windowSeconds: 60 },
    resetPassword: { limit: 20, windowSeconds: 60 },
    phoneSendCode: { limit: 10, windowSeconds: 60 },
    phoneVerify: { limit: 60, windowSeconds: 60 },
    staffSignIn: { limit: 30, windowSeconds: 60 },
  },
  failedSignIns: {
    perAccountAndIp: { limit: 10, windowSeconds: 15 * 60 },
    perAccount: { limit: 100, windowSeconds: 60 * 60 },
  },
  /**
   * CONTRACT "Numbers (v2)": wrong email sign-in codes per rolling hour, per (tenant, address,
   * client network) and per (tenant, address); not scaled by RATE_LIMIT_SCALE.
   */
  signInCodeFailures: { perAddressAndNetwork: 15, perAddress: 100 },
  /** CONTRACT "Numbers (v2)": wrong SMS codes per rolling hour, per (tenant, number, network) and per (tenant, number). */
  smsCodeFailures: { perNumberAndNetwork: 15, perNumber: 100 },
} as const;

export const BODY_LIMIT_BYTES = 64 * 1024;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Pure: builds the config from an environment object. Throws ConfigError with one line. */
export function loadConfig(env: Record<string, string | undefined> = process.env, mode?: Config["mode"]): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${first?.path.join(".") ?? "env"}: ${first?.message ?? "invalid"}`);
  }
  const e = parsed.data;
  const resolvedMode: Config["mode"] =
    mode ?? (e.NODE_ENV === "production" ? "production" : e.NODE_ENV === "test" ? "test" : "development");
  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const bootstrapAdmin =
    e.BACKOFFICE_ADMIN_EMAIL && e.BACKOFFICE_ADMIN_PASSWORD
      ? { email: e.BACKOFFICE_ADMIN_EMAIL.toLowerCase(), password: e.BACKOFFICE_ADMIN_PASSWORD }
      : undefined;
  return {
    mode: resolvedMode,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? `Gatehouse <no-reply@${new URL(appUrl).hostname}>`,
    mailDir: e.MAIL_DIR,
    authSecret: e.AUTH_SECRET,
    authSecretPrevious: e.AUTH_SECRET_PREVIOUS,
    bootstrapAdmin,
    port: e.PORT,
    appUrl,
    jwtAudience: e.JWT_AUDIENCE,
    rateLimitScale: e.RATE_LIMIT_SCALE,
    rateLimitWindowScale: e.RATE_LIMIT_WINDOW_SCALE,
    trustProxyHops: e.TRUST_PROXY,
    bcryptCost: e.BCRYPT_COST,
    hashQueueMax: e.HASH_QUEUE_MAX,
    hashWorkers: e.HASH_WORKERS,
    logLevel: e.LOG_LEVEL ?? (resolvedMode === "test" ? "silent" : "info"),
    otp: {
      ttlSeconds: e.OTP_TTL_SECONDS,
      maxAttempts: e.OTP_MAX_ATTEMPTS,
      resendCooldownSeconds: e.OTP_RESEND_COOLDOWN_SECONDS,
      failuresPerHour: e.OTP_FAILURES_PER_HOUR,
      mailsPerAddressPerHour: e.CODE_MAILS_PER_ADDRESS_PER_HOUR,
      signInTtlSeconds: e.SIGN_IN_CODE_TTL_SECONDS,
      length: 6,
    },
    tokens: {
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      sessionMaxAgeSeconds: e.SESSION_MAX_AGE_SECONDS,
      signupTtlSeconds: e.SIGNUP_TOKEN_TTL_SECONDS,
      keyActivationDelaySeconds: e.SIGNING_KEY_ACTIVATION_DELAY_SECONDS,
      keyRefreshSeconds: e.SIGNING_KEY_REFRESH_SECONDS,
    },
    limits,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_MS,
    sms: {
      url: e.SMS_URL,
      dir: e.SMS_DIR,
      twilioApiUrl: e.TWILIO_API_URL,
      solapiApiUrl: e.SOLAPI_API_URL,
      codeTtlSeconds: e.SMS_CODE_TTL_SECONDS,
      perNumberPerDay: e.SMS_PER_NUMBER_PER_DAY,
      perUserPerDay: e.SMS_PER_USER_PER_DAY,
      perTenantPerHour: e.SMS_PER_TENANT_PER_HOUR,
    },
    resetTokenTtlSeconds: e.RESET_TOKEN_TTL_SECONDS,
    social: {
      stateTtlSeconds: e.SOCIAL_STATE_TTL_SECONDS,
      codeTtlSeconds: e.SOCIAL_CODE_TTL_SECONDS,
      nativeIdTokenMaxAgeSeconds: 600,
      endpoints: {
        googleIssuer: e.OAUTH_GOOGLE_ISSUER,
        kakaoAuthUrl: e.OAUTH_KAKAO_AUTH_URL,
        kakaoApiUrl: e.OAUTH_KAKAO_API_URL,
        naverAuthUrl: e.OAUTH_NAVER_AUTH_URL,
        naverApiUrl: e.OAUTH_NAVER_API_URL,
      },
    },
  };
}

/** The variables `pnpm start` cannot run without (dev fills them with embedded defaults). */
export function assertProductionConfig(config: Config): void {
  const missing: string[] = [];
  if (!config.databaseUrl) missing.push("DATABASE_URL");
  if (!config.redisUrl) missing.push("REDIS_URL");
  if (!config.smtpUrl) missing.push("SMTP_URL");
  if (!config.authSecret) missing.push("AUTH_SECRET");
  if (missing.length > 0) {
    throw new ConfigError(`Missing required environment: ${missing.join(", ")} (see README, "Configuration")`);
  }
  if (config.authSecret && config.authSecret.length < 32) {
    throw new ConfigError("AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)");
  }
}

/** The process's config (the runtime's, see runtime.ts); the first call reads process.env. */
export function getConfig(): Config {
  return getRuntime().config;
}

/** Installs a config (server start, tests). */
export function setConfig(config: Config): Config {
  getRuntime().config = config;
  return config;
}
