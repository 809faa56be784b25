/**
 * Throwaway databases for tests (`@gatehouse/db/testing`).
 *
 * The server: TEST_DATABASE_URL (an admin connection, e.g. postgres://postgres@host/postgres),
 * else the local postgres://postgres@127.0.0.1:5432/postgres if it answers within ~1 s, else
 * (outside CI) an embedded PostgreSQL in a temp folder, shared by the whole process and
 * stopped when its last database is dropped. With CI=true and no server, it throws.
 * TEST_DATABASE_URL=embedded forces the embedded server (PostgreSQL 17).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "./migrate";
import { pgConfigFromUrl, redactUrl, withDatabase } from "./pg-config";

export const LOCAL_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  /** URL of the fresh, migrated database. */
  url: string;
  /** Terminate its connections and drop it (and stop an embedded server nobody uses anymore). */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Database name prefix (letters, digits, underscores). Default "gatehouse_test". */
  prefix?: string;
  /** Apply the migrations (default true). */
  migrate?: boolean;
}

export interface AdminServer {
  /** A superuser-ish URL (CREATE/DROP DATABASE) to the server's maintenance database. */
  url: string;
  /** Release this use; an embedded server stops when its last user releases it. */
  release(): Promise<void>;
}

async function reachable(url: string, timeoutMs: number): Promise<unknown | null> {
  const client = new pg.Client({ ...pgConfigFromUrl(url), connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (err) {
    return err ?? new Error("connection failed");
  } finally {
    await client.end().catch(() => {});
  }
}

interface EmbeddedState {
  url: string;
  users: number;
  stop: () => Promise<void>;
}

// The server this process picked: a plain module variable, as a process loads this module once
// (vitest runs each test file in a process of its own; the CLIs and the bench are one program).
type Picked = { kind: "external"; url: string } | { kind: "embedded"; state: EmbeddedState };
const shared: { server?: Promise<Picked> } = {};

async function startTempEmbedded(): Promise<EmbeddedState> {
  const { startEmbeddedPostgres } = await import("./embedded");
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-pg-"));
  chmodSync(dir, 0o755); // as root the server runs as "postgres" and must reach the data folder
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, database: "postgres", fast: true });
  return {
    url: server.adminUrl,
    users: 0,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pickServer(): Promise<Picked> {
  const explicit = process.env.TEST_DATABASE_URL?.trim();
  if (explicit === "embedded") return { kind: "embedded", state: await startTempEmbedded() };
  if (explicit) {
    const err = await reachable(explicit, 5_000);
    if (err) {
      throw new Error(`TEST_DATABASE_URL (${redactUrl(explicit)}) is not reachable: ${(err as Error).message || String(err)}`);
    }
    return { kind: "external", url: explicit };
  }
  if ((await reachable(LOCAL_ADMIN_URL, 1_000)) === null) return { kind: "external", url: LOCAL_ADMIN_URL };
  if (process.env.CI === "true") {
    throw new Error(
      `No PostgreSQL for tests: TEST_DATABASE_URL is unset and ${LOCAL_ADMIN_URL} is not reachable (CI=true: not starting an embedded server)`,
    );
  }
  return { kind: "embedded", state: await startTempEmbedded() };
}

/** A server where test databases can be created (see the module comment for the order). */
export async function acquireAdminServer(): Promise<AdminServer> {
  shared.server ??= pickServer();
  let picked;
  try {
    picked = await shared.server;
  } catch (err) {
    shared.server = undefined; // let a later call retry
    throw err;
  }
  if (picked.kind === "external") return { url: picked.url, release: async () => {} };
  const state = picked.state;
  state.users++;
  let released = false;
  return {
    url: state.url,
    async release() {
      if (released) return;
      released = true;
      state.users--;
      if (state.users === 0 && shared.server) {
        shared.server = undefined;
        await state.stop();
      }
    },
  };
}

function databaseName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, "_")
      .slice(0, 40) || "test";
  return `${clean}_${randomBytes(6).toString("hex")}`;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...pgConfigFromUrl(adminUrl), connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Create a fresh database `<prefix>_<random>`, migrated, and return its URL. */
export async function createTestDatabase(opts: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const server = await acquireAdminServer();
  const name = databaseName(opts.prefix ?? "gatehouse_test");
  const url = withDatabase(server.url, name);
  try {
    await withAdmin(server.url, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
    if (opts.migrate !== false) await migrate(url);
  } catch (err) {
    await dropDatabase(server.url, name).catch(() => {});
    await server.release();
    throw err;
  }
  let dropped = false;
  return {
    url,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await dropDatabase(server.url, name);
      } finally {
        await server.release();
      }
    },
  };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, async (c) => {
    await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
  });
}
