/**
 * Error classification that works for every shape a database error reaches us in:
 * - PrismaClientKnownRequestError from the driver-adapter client (`code` "P2002", "P1001",
 *   ...; with @prisma/adapter-pg the detail is under `meta.driverAdapterError.cause`,
 *   e.g. `{kind: "UniqueConstraintViolation", constraint: {fields: ['"tenantId"', '"userId"']},
 *   originalCode: "23505"}`; there is no `meta.target` as with the classic engine),
 * - PrismaClientInitializationError / PrismaClientUnknownRequestError wrapping a raw `pg` or
 *   socket error,
 * - a raw `pg` DatabaseError (`code` is the SQLSTATE) or Node socket error (`ECONNREFUSED`),
 * - a DriverAdapterError (`name: "DriverAdapterError"`, `cause.kind`).
 * Nothing here depends on the generated client, so it can be bundled anywhere.
 */

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object";
}

/** The error and everything it wraps (cause chains, Prisma meta, AggregateError members). */
function* walk(err: unknown, depth = 0, seen = new Set<unknown>()): Generator<Obj> {
  if (!isObj(err) || seen.has(err) || depth > 8) return;
  seen.add(err);
  yield err;
  const meta = err.meta;
  if (isObj(meta)) yield* walk(meta.driverAdapterError, depth + 1, seen);
  yield* walk(err.cause, depth + 1, seen);
  if (Array.isArray(err.errors)) for (const e of err.errors) yield* walk(e, depth + 1, seen);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
}

/** Columns named in a Postgres unique-violation detail: `Key ("tenantId", "userId")=(...) already exists.` */
function fieldsFromDetail(detail: string | undefined): string[] | undefined {
  const inner = detail?.match(/Key \((.+?)\)=\(/)?.[1];
  return inner ? inner.split(/,\s*/).map(unquote) : undefined;
}

interface UniqueViolationInfo {
  /** Column names, when known. */
  fields?: string[];
  /** Constraint / index name, when known. */
  constraint?: string;
}

function uniqueViolationInfo(err: unknown): UniqueViolationInfo | null {
  for (const e of walk(err)) {
    const code = str(e.code);
    // Prisma (classic engine or driver adapter).
    if (code === "P2002") {
      const meta = isObj(e.meta) ? e.meta : {};
      let info: UniqueViolationInfo = {};
      // Driver adapter: the columns are under meta.driverAdapterError.cause.constraint.
      for (const inner of walk(meta.driverAdapterError)) {
        const found = extractAdapterInfo(inner);
        if (found) {
          info = found;
          break;
        }
      }
      // Classic engine: meta.target is the field list (or the constraint name).
      const target = meta.target;
      if (Array.isArray(target)) info.fields = target.filter((t): t is string => typeof t === "string").map(unquote);
      else if (typeof target === "string") info.constraint ??= target;
      return info;
    }
    const adapterInfo = extractAdapterInfo(e);
    if (adapterInfo) return adapterInfo;
    // Raw pg DatabaseError, or a raw-query failure (P2010) carrying the SQLSTATE.
    if (code === "23505" || (code === "P2010" && isObj(e.meta) && e.meta.code === "23505")) {
      const info: UniqueViolationInfo = {};
      const fields = fieldsFromDetail(str(e.detail));
      if (fields) info.fields = fields;
      const constraint = str(e.constraint);
      if (constraint) info.constraint = constraint;
      return info;
    }
  }
  return null;
}

/** `{kind: "UniqueConstraintViolation", constraint: {fields} | {index}}` as adapter-pg reports it. */
function extractAdapterInfo(e: Obj): UniqueViolationInfo | null {
  const kind = str(e.kind);
  const isUnique = kind === "UniqueConstraintViolation" || (kind === "postgres" && e.code === "23505") || e.originalCode === "23505";
  if (!isUnique) return null;
  const info: UniqueViolationInfo = {};
  const constraint = e.constraint;
  if (isObj(constraint)) {
    if (Array.isArray(constraint.fields)) {
      info.fields = constraint.fields.filter((f): f is string => typeof f === "string").map(unquote);
    }
    if (typeof constraint.index === "string") info.constraint = constraint.index;
  }
  if (!info.fields) {
    const fields = fieldsFromDetail(str(e.detail));
    if (fields) info.fields = fields;
  }
  return info;
}

/**
 * True when `err` is a unique-constraint violation (Prisma P2002, adapter
 * UniqueConstraintViolation, or Postgres SQLSTATE 23505).
 *
 * With `fields`, also requires that every listed column is part of the violated constraint
 * (column names as in the database, i.e. the Prisma field names here):
 * `isUniqueViolation(err, ["tenantId", "userId"])`, or `isUniqueViolation(err, ["userId"])`.
 * When only the constraint name is known (e.g. "User_tenantId_userId_key"), each field must
 * appear in it as a `_`-separated part.
 */
export function isUniqueViolation(err: unknown, fields?: readonly string[]): boolean {
  const info = uniqueViolationInfo(err);
  if (!info) return false;
  if (!fields || fields.length === 0) return true;
  if (info.fields && info.fields.length > 0) {
    const set = new Set(info.fields.map((f) => f.toLowerCase()));
    return fields.every((f) => set.has(f.toLowerCase()));
  }
  if (info.constraint) {
    const parts = info.constraint.toLowerCase().split("_");
    return fields.every((f) => parts.includes(f.toLowerCase()));
  }
  // A unique violation whose columns are unknown: do not claim it matches specific fields.
  return false;
}

/** Prisma error codes meaning the database cannot be reached or is not answering. */
const PRISMA_UNAVAILABLE = new Set([
  "P1001", // can't reach database server
  "P1002", // database server reached but timed out
  "P1008", // operations timed out
  "P1017", // server has closed the connection
  "P2024", // timed out fetching a new connection from the pool
  "P2037", // too many database connections opened
]);

/** Driver-adapter error kinds (cause.kind) meaning the same. */
const ADAPTER_UNAVAILABLE = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** Node socket / DNS error codes. */
const NODE_UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
]);

/** Postgres SQLSTATEs: shutting down / starting up / overloaded / connection failures. */
function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith("08") || // connection_exception class
    code === "57P01" || // admin_shutdown
    code === "57P02" || // crash_shutdown
    code === "57P03" || // cannot_connect_now (starting up / recovering)
    code === "57P05" || // idle_session_timeout
    code === "57014" || // query_canceled: our statement_timeout fired, the database is stuck
    code === "53300" || // too_many_connections
    code === "53400" || // configuration_limit_exceeded
    code === "25P03" // idle_in_transaction_session_timeout
  );
}

/** Messages `pg` / pg-pool / Prisma use for connection failures that carry no code. */
const UNAVAILABLE_MESSAGES: RegExp[] = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /Can't reach database server/i,
  /Server has closed the connection/i,
  /Client has encountered a connection error and is not queryable/i,
  /Connection ended unexpectedly/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /Timed out fetching a new connection from the connection pool/i,
];

/**
 * True when `err` means Postgres is unreachable, down, restarting, overloaded or timing out:
 * the API answers 503 `service/Unavailable` (fail closed) instead of 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of walk(err)) {
    if (e.name === "PrismaClientInitializationError") return true;
    const code = str(e.code) ?? str(e.errorCode);
    if (code) {
      if (PRISMA_UNAVAILABLE.has(code) || NODE_UNAVAILABLE.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return true;
    }
    const kind = str(e.kind);
    if (kind && ADAPTER_UNAVAILABLE.has(kind)) return true;
    if (kind === "postgres" && typeof e.code === "string" && isUnavailableSqlState(e.code)) return true;
    const originalCode = str(e.originalCode);
    if (originalCode && (isUnavailableSqlState(originalCode) || NODE_UNAVAILABLE.has(originalCode))) return true;
    const message = str(e.message);
    if (message && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}
