/**
 * @gatehouse/db: the Prisma client (engine-less "client" engine over @prisma/adapter-pg),
 * error helpers, and re-exports of the generated types.
 */
import { GatehousePrismaPg } from "./adapter";
import pg, { type PoolConfig } from "pg";

const { Pool, types: pgTypes } = pg;
type Pool = InstanceType<typeof Pool>;
import { type Prisma, PrismaClient } from "./generated/client";
import { pgConfigFromUrl } from "./pg-config";

export * from "./generated/client";
export { isDatabaseUnavailable, isUniqueViolation } from "./errors";
export { pgConfigFromUrl, redactUrl, withDatabase } from "./pg-config";

export interface PrismaClientOptions {
  /** Pool size. Default: env DATABASE_POOL_MAX, else 10. */
  max?: number;
  /** Give up connecting after this long (a dead host fails fast). Default: env DATABASE_CONNECT_TIMEOUT_MS, else 2000 ms. */
  connectionTimeoutMillis?: number;
  /** Server-side statement_timeout. Default 5000 ms. */
  statementTimeoutMillis?: number;
  /** Client-side read timeout (if the server stops answering). Default statementTimeout + 1000 ms. */
  queryTimeoutMillis?: number;
  /** Close pooled connections idle for this long. Default 30000 ms. */
  idleTimeoutMillis?: number;
  /** Server-side idle_in_transaction_session_timeout. Default 10000 ms. */
  idleInTransactionTimeoutMillis?: number;
  /** Reported in pg_stat_activity. Default "gatehouse". */
  applicationName?: string;
  /** Prisma log levels. Default: none. */
  log?: Array<"query" | "info" | "warn" | "error">;
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

/** The pg pool configuration used for `url` (exported for diagnostics and tests). */
export function poolConfigFor(url: string, opts: PrismaClientOptions = {}): PoolConfig {
  const statementTimeout = opts.statementTimeoutMillis ?? 5_000;
  return {
    ...pgConfigFromUrl(url),
    max: opts.max ?? envInt("DATABASE_POOL_MAX") ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? envInt("DATABASE_CONNECT_TIMEOUT_MS") ?? 2_000,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? 30_000,
    statement_timeout: statementTimeout,
    query_timeout: opts.queryTimeoutMillis ?? statementTimeout + 1_000,
    idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMillis ?? 10_000,
    application_name: opts.applicationName ?? "gatehouse",
    keepAlive: true,
  };
}

/** A new, independent PrismaClient for `url` (tests, scripts). Call `$disconnect()` when done. */
export function createPrismaClient(url: string, opts: PrismaClientOptions = {}): PrismaClient {
  const adapter = new GatehousePrismaPg(poolConfigFor(url, opts));
  const options: Prisma.PrismaClientOptions = { adapter };
  if (opts.log) options.log = opts.log;
  return new PrismaClient(options) as PrismaClient;
}

// The process's client and hot-path pool: plain module variables, since a process loads this
// module once (the front server bundles it once, and Next's server code does not import it:
// packages/api/src/runtime.ts says how).
let prisma: PrismaClient | undefined;
let pgPool: Pool | undefined;

/**
 * The process-wide PrismaClient, created on first call from DATABASE_URL (read then, not at
 * import time). Throws if DATABASE_URL is unset.
 */
export function getPrisma(): PrismaClient {
  if (prisma) return prisma;
  const url = process.env.DATABASE_URL;
  if (!url || url.trim() === "") {
    throw new Error("DATABASE_URL is not set: cannot connect to PostgreSQL (e.g. postgres://user:password@host:5432/gatehouse)");
  }
  prisma = createPrismaClient(url);
  return prisma;
}

/** Disconnect and forget the process-wide client (the next getPrisma() makes a new one). */
export async function disconnectPrisma(): Promise<void> {
  const client = prisma;
  if (!client) return;
  prisma = undefined;
  await client.$disconnect();
}

// ---------------------------------------------------------------------------------------------
// A plain node-postgres pool for the hot path (the per-request session check), where Prisma's
// query compiler costs more CPU than the query itself. Same URL and timeouts as getPrisma().

/** Timestamps are stored UTC in `timestamp without time zone` columns: read them as UTC. */
const utcTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === 1114 && format !== "binary") return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    return pgTypes.getTypeParser(oid, format);
  }) as typeof pgTypes.getTypeParser,
};

/** The process-wide pg pool (created on first call from DATABASE_URL). */
export function getPgPool(): Pool {
  if (pgPool) return pgPool;
  const url = process.env.DATABASE_URL;
  if (!url || url.trim() === "") throw new Error("DATABASE_URL is not set: cannot connect to PostgreSQL");
  pgPool = new Pool({ ...poolConfigFor(url, { applicationName: "gatehouse-hot" }), types: utcTypes });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pgPool.on("error", () => {});
  return pgPool;
}

export async function closePgPool(): Promise<void> {
  const pool = pgPool;
  if (!pool) return;
  pgPool = undefined;
  await pool.end();
}
