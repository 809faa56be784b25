import type { ClientConfig } from "pg";

/**
 * Split a `postgres://user:password@host:port/database?sslmode=...` URL into the discrete
 * fields `pg` accepts. Discrete fields (never `connectionString`) matter for Prisma's schema
 * engine: `PrismaPg.connectToShadowDb()` spreads the config and overrides `database`, which a
 * `connectionString` would silently win over.
 *
 * Supported query parameters: `host` (e.g. a unix socket directory), `sslmode`
 * (`disable` | `prefer` | `require` | `no-verify` | `verify-ca` | `verify-full`),
 * `application_name`. Anything else (such as Prisma's `schema`) is ignored.
 */
export function pgConfigFromUrl(databaseUrl: string): ClientConfig {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error("DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`);
  }
  const params = url.searchParams;
  const user = decodeURIComponent(url.username) || undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || user || "postgres";
  const host = params.get("host") || decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, "$1")) || "localhost";
  const port = url.port ? Number(url.port) : 5432;

  const config: ClientConfig = { host, port, database };
  if (user !== undefined) config.user = user;
  if (password !== undefined) config.password = password;

  const sslmode = params.get("sslmode");
  if (sslmode === "require" || sslmode === "no-verify" || sslmode === "prefer") {
    config.ssl = { rejectUnauthorized: false };
  } else if (sslmode === "verify-ca" || sslmode === "verify-full") {
    config.ssl = { rejectUnauthorized: true };
  }
  const applicationName = params.get("application_name");
  if (applicationName) config.application_name = applicationName;
  return config;
}

/** Rebuild a URL for the same server and credentials but another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The URL with its password masked, for logs. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(invalid URL)";
  }
}
