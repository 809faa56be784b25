import { availableParallelism } from "node:os";
import { getPgPool, getPrisma, type PrismaClient } from "@gatehouse/db";
import type { Mailer } from "@gatehouse/email";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { loadConfig, type Config } from "./config";
import { createLogger } from "./lib/log";
import { buildMailer, mailSettingsKey } from "./lib/mailer";
import { HasherPool } from "./lib/password-hasher";
import { connectRedis, createInProcessRedis } from "./lib/redis";
import { buildLimiters, type Limiters } from "./policy/rate-limits";
import type { KeyRingCache } from "./services/signing-keys";

/**
 * The process's dependencies, built here and only here, each once and on first use (nothing is
 * read or connected at import or build time): the config, the logger, Redis, the mailer, the
 * database, the per-IP limiters, the password-hashing pool and the signing-key ring. Every tRPC
 * context carries it (`ctx.runtime`); code outside a request reaches it through `getRuntime()`,
 * and the older accessors (`getConfig()`, `getRedis()`, `getLogger()`, …) are its fields.
 *
 * One per process, as a plain module variable: the API's code is loaded once per process.
 * The front server (`apps/web/server`, one esbuild bundle or tsx) holds the only copy; Next's
 * server code does not bundle the API but is handed what it needs by the front server
 * (`./pages.ts`, `./pages-handoff.ts`; a lint rule keeps value imports of @gatehouse/api out of
 * Next's code). So there are no globalThis holders and `instanceof` works for our errors.
 *
 * Tests install their own config, Redis or logger (setConfig, setRedis, setLogger) between test
 * servers: what depends on a setting is rebuilt when it changes (the mailer on the mail settings,
 * the limiters on Redis, RATE_LIMIT_*_SCALE and the key prefix), the rest is kept: the logger and
 * the hashing pool are built from the config in place when they are first used and outlive later
 * configs, as threads and log streams should.
 */
export class Runtime {
  #config: Config | undefined;
  #logger: Logger | undefined;
  #redis: Redis | undefined;
  #mailer: { mailer: Mailer; settings: string } | undefined;
  #limiters: { limiters: Limiters; redis: Redis; fingerprint: string } | undefined;
  #hasher: HasherPool | undefined;
  /** The signing keys this process has loaded (services/signing-keys.ts refreshes it). */
  readonly keyRing: KeyRingCache = {};

  /** The validated settings; the first read loads them from the environment (config.ts). */
  get config(): Config {
    return (this.#config ??= loadConfig());
  }
  set config(config: Config) {
    this.#config = config;
  }

  get logger(): Logger {
    return (this.#logger ??= createLogger({ level: this.config.logLevel }));
  }
  set logger(logger: Logger) {
    this.#logger = logger;
  }

  /** REDIS_URL's connection; without one (`pnpm dev`), an in-process store. */
  get redis(): Redis {
    if (!this.#redis) {
      const { redisUrl } = this.config;
      this.#redis = redisUrl ? connectRedis(redisUrl) : createInProcessRedis();
    }
    return this.#redis;
  }
  set redis(redis: Redis) {
    this.#redis = redis;
  }

  /** SMTP_URL's sender, else .eml files; rebuilt (the old one closed) when the mail settings change. */
  get mailer(): Mailer {
    const settings = mailSettingsKey(this.config);
    const cached = this.#mailer;
    if (cached?.settings === settings) return cached.mailer;
    if (cached) void cached.mailer.close().catch(() => {});
    const mailer = buildMailer(this.config, this.logger);
    this.#mailer = { mailer, settings };
    return mailer;
  }

  /** The Prisma client; @gatehouse/db builds it from DATABASE_URL (db has no dependency on the API). */
  get database(): PrismaClient {
    return getPrisma();
  }

  /** node-postgres pool of the per-request session check (Prisma's compiler costs more than that query). */
  get pgPool(): ReturnType<typeof getPgPool> {
    return getPgPool();
  }

  /** The per-IP limiters; rebuilt when Redis, the scales or the key prefix change. */
  get limiters(): Limiters {
    const config = this.config;
    const redis = this.redis;
    const fingerprint = `${config.rateLimitScale}|${config.rateLimitWindowScale}|${config.redisKeyPrefix}`;
    const cached = this.#limiters;
    if (cached && cached.redis === redis && cached.fingerprint === fingerprint) return cached.limiters;
    const limiters = buildLimiters(redis, config);
    this.#limiters = { limiters, redis, fingerprint };
    return limiters;
  }

  /** The password-hashing worker threads: HASH_WORKERS, else one per core. */
  get hasher(): HasherPool {
    return (this.#hasher ??= new HasherPool(this.config.hashWorkers ?? availableParallelism()));
  }
}

const runtime = new Runtime();

/** This process's runtime. */
export function getRuntime(): Runtime {
  return runtime;
}
