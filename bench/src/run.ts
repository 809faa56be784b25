/**
 * `pnpm bench` (issue 10): builds if needed, starts the production server (`node
 * --enable-source-maps dist/server.mjs`, as `pnpm start` does) on a fresh database against the
 * real Postgres and Redis, seeds a tenant, users and sessions, measures the floors, then drives
 * each scenario from a separate process with autocannon and reads the counters from outside the
 * server. Prints a table, writes bench/results/<date>.json and regenerates docs/performance.md.
 * Stops everything it started, on failure and on Ctrl-C too.
 *
 * Knobs (defaults are the official run): BENCH_DURATION=10 (s per run), BENCH_RUNS=3,
 * BENCH_CONNECTIONS=32, BENCH_SCENARIOS=me,signIn,... (a subset), BENCH_BUILD=auto|always|never,
 * BENCH_PROFILE=1 (server under --cpu-prof; profile written to bench/.profiles/), BCRYPT_COST
 * (default 12, the production default), HASH_WORKERS (the server's hashing pool; default one per
 * core), BENCH_WRITE_DOCS=1 (write results and docs even for a non-default run).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import { Redis } from "ioredis";
import { SMTPServer } from "smtp-server";
import { disconnectPrisma, getPrisma, withDatabase, type User } from "@gatehouse/db";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { loadConfig, setConfig } from "@gatehouse/api";
// Seeding only: the API's own session creation, so the server accepts the tokens it signs.
import { createSession, newSessionRecord, revokeSession } from "../../packages/api/src/services/sessions";
import { issueAccessToken } from "../../packages/api/src/services/tokens";
import { measureFloors, type Floors } from "./floors";
import { countServerRedisCommands, pgAfter, pgBefore, pgDelta, servicePids, type PgDelta, type RedisCount } from "./lib/counters";
import { cpuOf, currentRssMiB, machineCpuMs, peakRssMiB, processCpuMs, resetPeakRss, sleep, waitForIdle } from "./lib/proc";
import { evaluateTargets, printTable, writeDocs, type BenchResult, type ScenarioResult } from "./report";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(benchDir, "..");
const webDir = path.join(repoRoot, "apps/web");

const intEnv = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

export const ALL_SCENARIOS = ["me", "signIn", "refresh", "sendVerification", "verifyEmail", "meUnderSignIn"] as const;
export type ScenarioName = (typeof ALL_SCENARIOS)[number];

const knobs = {
  durationSeconds: intEnv("BENCH_DURATION", 10),
  runs: intEnv("BENCH_RUNS", 3),
  connections: intEnv("BENCH_CONNECTIONS", 32),
  scenarios: (process.env.BENCH_SCENARIOS?.split(",").map((s) => s.trim()).filter(Boolean) ?? [...ALL_SCENARIOS]) as ScenarioName[],
  build: (process.env.BENCH_BUILD ?? "auto") as "auto" | "always" | "never",
  profile: process.env.BENCH_PROFILE === "1",
  bcryptCost: process.env.BCRYPT_COST ?? "12",
  hashWorkers: process.env.HASH_WORKERS,
  /** How long the server's Postgres connections must be idle before their counts are published. */
  pgQuietMs: intEnv("BENCH_PG_QUIET_MS", 10_500),
  signInLoadPerSecond: 2,
};
for (const s of knobs.scenarios) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (one of ${ALL_SCENARIOS.join(", ")})`);
const official =
  knobs.durationSeconds === 10 && knobs.runs === 3 && knobs.connections === 32 && knobs.scenarios.length === ALL_SCENARIOS.length && !knobs.profile;

const PASSWORD = "Bench-password-for-load-1";
const TENANT_KEY = "bench";
const counts = { verified: 1000, sendUsers: 4000, verifyUsers: 64, refreshSpares: 32 };
const PROBE_CONNECTIONS = 4;

interface ScenarioDef {
  name: ScenarioName;
  title: string;
  load: "me" | "signIn" | "refresh" | "sendVerification" | "verifyEmail";
  expectedStatus: number;
  /** Requests counted with Redis MONITOR before the timed runs (0: none). */
  probeAmount: number;
  /** The rate limits each request checks, from the code (each should be one Redis command). */
  limitChecks: string[];
  /** Redis writes a request makes besides its checks (each one command). */
  redisWrites?: string[];
  /** Authenticated with an access token (a session check happens). */
  sessionCheck: boolean;
  note?: string;
}

const SCENARIOS: Record<ScenarioName, ScenarioDef> = {
  me: { name: "me", title: "clientAuth.me (session check)", load: "me", expectedStatus: 200, probeAmount: 300, limitChecks: [], sessionCheck: true },
  signIn: {
    name: "signIn",
    title: "clientAuth.signIn (correct password)",
    load: "signIn",
    expectedStatus: 200,
    probeAmount: 8,
    limitChecks: ["per-IP signIn window", "failed sign-ins per (account, IP) + per account (one script, taking an attempt)"],
    redisWrites: ["the right password gives its attempt back (one script)"],
    sessionCheck: false,
  },
  refresh: {
    name: "refresh",
    title: "clientAuth.refresh (rotation)",
    load: "refresh",
    expectedStatus: 200,
    probeAmount: 300,
    limitChecks: ["per-IP refresh window"],
    sessionCheck: false,
  },
  sendVerification: {
    name: "sendVerification",
    title: "sendVerification (distinct users, SMTP sink)",
    load: "sendVerification",
    expectedStatus: 200,
    probeAmount: 100,
    limitChecks: ["per-IP sendVerification window", "address mail cap + hourly failure budget + cooldown + store code (one script)"],
    sessionCheck: true,
  },
  verifyEmail: {
    name: "verifyEmail",
    title: "verifyEmail (wrong code, 401 expected)",
    load: "verifyEmail",
    expectedStatus: 401,
    probeAmount: 300,
    limitChecks: ["per-IP verifyEmail window", "budget + attempt + check (one script)"],
    sessionCheck: true,
  },
  meUnderSignIn: {
    name: "meUnderSignIn",
    title: `me with ${knobs.signInLoadPerSecond} signIn/s alongside`,
    load: "me",
    expectedStatus: 200,
    probeAmount: 0,
    limitChecks: [],
    sessionCheck: true,
    note: "Redis commands as for me (no probe); Postgres counts and server CPU per request include the background sign-ins and their hashing",
  },
};

// ---------------------------------------------------------------------------------------------
// Everything started here, stopped in cleanup().

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`[bench] cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}

// A closed terminal or pipe must not kill the bench before it has cleaned up.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
process.on("uncaughtException", (error) => {
  console.error(`[bench] uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void cleanup().finally(() => process.exit(1));
});
process.on("unhandledRejection", (error) => {
  console.error(`[bench] unhandled rejection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void cleanup().finally(() => process.exit(1));
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`\n[bench] ${signal}: stopping everything this run started`);
    void cleanup().finally(() => process.exit(130));
  });
}

const benchStartedAt = Date.now();
const log = (message: string) => console.error(`[bench +${String(Math.round((Date.now() - benchStartedAt) / 1000)).padStart(3)} s] ${message}`);

// ---------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function newestMtime(dir: string, skip = new Set(["node_modules", ".next", "dist", "generated", "test"])): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name) || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

/** `pnpm build` when the production build is missing (or, in auto mode, older than the sources). */
function buildIfNeeded(): void {
  const server = path.join(webDir, "dist/server.mjs");
  const buildId = path.join(webDir, ".next/BUILD_ID");
  const missing = !existsSync(server) || !existsSync(buildId);
  let reason = missing ? "no build yet" : "";
  if (!missing && knobs.build === "auto") {
    const built = Math.min(statSync(server).mtimeMs, statSync(buildId).mtimeMs);
    const sources = Math.max(
      newestMtime(path.join(repoRoot, "packages/api/src")),
      newestMtime(path.join(repoRoot, "packages/db/src")),
      newestMtime(path.join(repoRoot, "packages/email/src")),
      newestMtime(path.join(webDir, "server")),
      newestMtime(path.join(webDir, "app")),
    );
    if (sources > built) reason = "sources are newer than the build";
  }
  if (knobs.build === "always") reason = "BENCH_BUILD=always";
  if (!reason || (knobs.build === "never" && !missing)) {
    log("using the existing production build");
    return;
  }
  log(`building (${reason}): pnpm build`);
  const started = Date.now();
  execFileSync("pnpm", ["build"], { cwd: repoRoot, stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" } });
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** An SMTP server on 127.0.0.1 that accepts every message and keeps nothing. */
async function startSmtpSink(): Promise<{ url: string; accepted: () => number; close(): Promise<void> }> {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("end", () => {
        accepted++;
        callback();
      });
      stream.resume();
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `smtp://127.0.0.1:${port}`, accepted: () => accepted, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** When the server process was spawned: profile windows are logged relative to it. */
let serverSpawnedAt = 0;
const sinceSpawn = () => ((Date.now() - serverSpawnedAt) / 1000).toFixed(1);

interface StartedServer {
  url: string;
  pid: number;
  env: Record<string, string>;
  output: () => string;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>, profileDir: string | undefined): Promise<StartedServer> {
  serverSpawnedAt = Date.now();
  const args = ["--enable-source-maps", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), "dist/server.mjs"];
  // Through guard.mjs, which stops the server if this process dies without cleaning up (its stdin
  // is ours). Not in `children` (those are killed outright): the server is stopped with SIGTERM,
  // so that it shuts down cleanly and --cpu-prof can write its profile.
  const guard = spawn(process.execPath, [path.join(benchDir, "src/guard.mjs"), webDir, ...args], {
    cwd: webDir,
    env: env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let pid = 0;
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (pid) process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  cleanups.push(async () => {
    if (guard.exitCode === null && guard.signalCode === null) {
      kill("SIGKILL");
      guard.kill("SIGKILL");
    }
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (!pid) pid = Number(/^pid (\d+)$/m.exec(output)?.[1] ?? 0);
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  guard.stdout!.on("data", keep);
  guard.stderr!.on("data", keep);
  const url = env.APP_URL!;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (guard.exitCode !== null) throw new Error(`server exited (${guard.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200 && pid) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output}`);
    await sleep(200);
  }
  return {
    url,
    pid,
    env,
    output: () => output,
    stop: async () => {
      if (guard.exitCode !== null || guard.signalCode !== null) return;
      const exited = once(guard, "exit");
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes: one autocannon run, the background sign-in driver.

export interface LoadResult {
  requestsPerSecond: number;
  requestsTotal: number;
  requestsSent: number;
  durationSeconds: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  brokenChains: number;
  loaderCpuMs: number;
}

export interface TickerResult {
  sent: number;
  statusCodes: Record<string, number>;
  errors: number;
  latency: { p50: number | null; p99: number | null; max: number | null };
}

let specDir: string | undefined;
function specFile(spec: unknown): string {
  specDir ??= mkdtempSync(path.join(tmpdir(), "gatehouse-bench-"));
  const file = path.join(specDir, `${randomBytes(6).toString("hex")}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

async function runChild<T>(script: string, spec: unknown): Promise<T> {
  const child = spawn(process.execPath, [path.join(benchDir, "src", script), specFile(spec)], { cwd: benchDir, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  children.delete(child);
  const line = stdout.trim().split("\n").at(-1);
  if (code !== 0 || !line) throw new Error(`${script} failed (${code}): ${stderr || stdout}`);
  return JSON.parse(line) as T;
}

// ---------------------------------------------------------------------------------------------
// Seeding (the orchestrator, with the server's own config and database).

interface Seed {
  tenantId: string;
  passwordHash: string;
  verifiedUserIds: string[];
  meTokens: string[];
  refreshSets: string[][];
  refreshProbeSet: string[];
  sendUsers: { token: string; email: string }[];
  verifyTokens: string[];
}

async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

/** Sessions for many users at once (seeding only): the rows openSession writes, and their access tokens. */
async function bulkSessions(users: User[], tenant: { id: string; key: string }, client: { ip: string; userAgent: string }) {
  const prisma = getPrisma();
  const now = new Date();
  const rows = users.map((user) => ({ user, ...newSessionRecord(user, tenant, client, now) }));
  await prisma.session.createMany({ data: rows.map((r) => r.data) });
  const families = rows.map((r) => r.data.tokenFamily);
  const ids = new Map((await prisma.session.findMany({ where: { tenantId: tenant.id, tokenFamily: { in: families } }, select: { id: true, tokenFamily: true } })).map((r) => [r.tokenFamily, r.id]));
  return Promise.all(
    rows.map(async ({ user, data, refreshToken }) => ({
      ...(await issueAccessToken({ user, tenant, sessionId: ids.get(data.tokenFamily)! })),
      refreshToken,
    })),
  );
}

async function seed(cost: number): Promise<Seed> {
  const prisma = getPrisma();
  const started = Date.now();
  const passwordHash = bcrypt.hashSync(PASSWORD, cost);
  const tenant = await prisma.tenant.create({ data: { key: TENANT_KEY, name: "Bench", allowedEmailDomains: [], locale: "en" } });
  const now = new Date();
  const pad = (n: number) => String(n).padStart(5, "0");
  const rows = [
    ...Array.from({ length: counts.verified }, (_, i) => ({ userId: `v${pad(i)}`, verified: true })),
    ...Array.from({ length: counts.sendUsers }, (_, i) => ({ userId: `s${pad(i)}`, verified: false })),
    ...Array.from({ length: counts.verifyUsers }, (_, i) => ({ userId: `w${pad(i)}`, verified: false })),
  ].map(({ userId, verified }) => ({
    tenantId: tenant.id,
    userId,
    email: `${userId}@bench.example`,
    verifiedEmail: verified ? `${userId}@bench.example` : null,
    emailVerifiedAt: verified ? now : null,
    passwordHash,
    displayName: `Bench ${userId}`,
    role: "member" as const,
    source: "self_signup" as const,
  }));
  for (let i = 0; i < rows.length; i += 1000) await prisma.user.createMany({ data: rows.slice(i, i + 1000) });
  log(`  users written (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const users = await prisma.user.findMany({ where: { tenantId: tenant.id }, orderBy: { userId: "asc" } });
  const byPrefix = (p: string) => users.filter((u) => u.userId.startsWith(p));
  const verified = byPrefix("v");
  const sendUsers = byPrefix("s");
  const verifyUsers = byPrefix("w");
  const t = { id: tenant.id, key: tenant.key };
  const client = { ip: "127.0.0.1", userAgent: "gatehouse-bench" };
  const sessionFor = (u: User) => createSession(u, t, client);

  const C = knobs.connections;
  const P = 16;
  const meSessions = await pool(verified.slice(0, Math.max(C, PROBE_CONNECTIONS)), P, sessionFor);
  const refreshOwners = (n: number, from: number) => Array.from({ length: n }, (_, i) => verified[(from + i) % verified.length]!);
  const refreshProbe = await pool(refreshOwners(PROBE_CONNECTIONS + 8, 100), P, sessionFor);
  const refreshSets: string[][] = [];
  for (let r = 0; r < knobs.runs; r++) {
    const sessions = await pool(refreshOwners(C + counts.refreshSpares, 200 + r * (C + counts.refreshSpares)), P, sessionFor);
    refreshSets.push(sessions.map((s) => s.refreshToken));
  }
  // 4,000 sessions one commit each would take half a minute here: these are written in one
  // statement, rows as openSession writes them, each with an access token from issueAccessToken.
  const sendSessions = await bulkSessions(sendUsers, t, client);
  const verifySessions = await pool(verifyUsers, P, sessionFor);
  log(`seeded ${users.length} users and ${meSessions.length + refreshProbe.length + refreshSets.flat().length + sendSessions.length + verifySessions.length} sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    tenantId: tenant.id,
    passwordHash,
    verifiedUserIds: verified.map((u) => u.userId),
    meTokens: meSessions.map((s) => s.accessToken),
    refreshSets,
    refreshProbeSet: refreshProbe.map((s) => s.refreshToken),
    sendUsers: sendSessions.map((s, i) => ({ token: s.accessToken, email: sendUsers[i]!.email! })),
    verifyTokens: verifySessions.map((s) => s.accessToken),
  };
}

// ---------------------------------------------------------------------------------------------

function loadData(def: ScenarioDef, seedData: Seed, set: { refresh?: string[] }) {
  switch (def.load) {
    case "me":
      return { tokens: seedData.meTokens };
    case "signIn":
      return { tenantKey: TENANT_KEY, password: PASSWORD, userIds: seedData.verifiedUserIds };
    case "refresh":
      return { refreshTokens: set.refresh };
    case "sendVerification":
      return { users: seedData.sendUsers };
    case "verifyEmail":
      return { tokens: seedData.verifyTokens, code: "000000" };
  }
}

function sumCodes(into: Record<string, number>, from: Record<string, number>) {
  for (const [code, n] of Object.entries(from)) into[code] = (into[code] ?? 0) + n;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function runScenario(def: ScenarioDef, server: StartedServer, seedData: Seed, db: { url: string; adminUrl: string; name: string }): Promise<ScenarioResult> {
  const C = knobs.connections;
  const redisUrl = server.env.REDIS_URL!;
  log(`scenario ${def.name}: ${def.title}`);
  const pgStart = await pgBefore(db.url, db.adminUrl, db.name);
  const rssReset = resetPeakRss(server.pid);
  const rssAtStart = currentRssMiB(server.pid);
  let offset = 0;
  let allRequests = 0;
  const statusCodes: Record<string, number> = {};

  // 1. Probe: a fixed number of requests (also the warm-up), counting the server's Redis commands.
  let redis: (RedisCount & { requests: number; perRequest: number }) | undefined;
  if (def.probeAmount > 0) {
    const probeSpec = {
      url: server.url,
      scenario: def.load,
      connections: PROBE_CONNECTIONS,
      amount: def.probeAmount,
      timeoutSeconds: 60,
      offset,
      data: loadData(def, seedData, { refresh: seedData.refreshProbeSet }),
    };
    const { result, redis: count } = await countServerRedisCommands(redisUrl, server.pid, () => runChild<LoadResult>("load.mjs", probeSpec));
    await waitForIdle(server.pid);
    offset += result.requestsSent;
    allRequests += result.requestsSent;
    sumCodes(statusCodes, result.statusCodes);
    redis = { ...count, requests: result.requestsTotal, perRequest: count.total / Math.max(1, result.requestsTotal) };
    log(`  probe: ${result.requestsTotal} requests, ${count.total} Redis commands on ${count.connections.length} server connection(s) ${JSON.stringify(count.byCommand)}`);
  }

  // 2. The timed runs.
  const runs: ScenarioResult["runs"] = [];
  for (let r = 0; r < knobs.runs; r++) {
    const spec = {
      url: server.url,
      scenario: def.load,
      connections: C,
      duration: knobs.durationSeconds,
      timeoutSeconds: 60,
      offset,
      data: loadData(def, seedData, { refresh: seedData.refreshSets[r] }),
    };
    const services0 = await servicePids(db.adminUrl, db.name, redisUrl);
    const serviceCpu0 = cpuOf([...services0.postgres, ...(services0.redis ? [services0.redis] : [])]);
    const cpu0 = processCpuMs(server.pid);
    const machine0 = machineCpuMs();
    const self0 = process.cpuUsage();
    const windowStart = sinceSpawn();
    const tickerRun =
      def.name === "meUnderSignIn"
        ? runChild<TickerResult>("signin-ticker.mjs", {
            url: server.url,
            tenantKey: TENANT_KEY,
            password: PASSWORD,
            userIds: seedData.verifiedUserIds,
            offset: 500 + r * 100,
            ratePerSecond: knobs.signInLoadPerSecond,
            durationSeconds: knobs.durationSeconds,
          })
        : undefined;
    const result = await runChild<LoadResult>("load.mjs", spec);
    const tick = tickerRun ? await tickerRun : undefined;
    const cpu1 = processCpuMs(server.pid);
    const machine1 = machineCpuMs();
    const services1 = await servicePids(db.adminUrl, db.name, redisUrl);
    const serviceCpu1 = cpuOf([...new Set([...services0.postgres, ...services1.postgres])]);
    const redisCpu1 = services0.redis ? cpuOf([services0.redis]) : new Map<number, number>();
    const delta = (pid: number, now: Map<number, number>) => Math.max(0, (now.get(pid) ?? 0) - (serviceCpu0.get(pid) ?? 0));
    const postgresMs = [...serviceCpu1.keys()].reduce((sum, pid) => sum + delta(pid, serviceCpu1), 0);
    const redisMs = services0.redis ? delta(services0.redis, redisCpu1) : 0;
    const selfUsage = process.cpuUsage(self0);
    const selfMs = (selfUsage.user + selfUsage.system) / 1000;
    if (knobs.profile) log(`  profile window of this run: --from=${windowStart} --to=${sinceSpawn()} (s after the server started)`);
    // Work still queued when the load stopped (sign-ins waiting for a hashing worker) is the
    // runs' work too: wait for the server to go idle before reading its CPU time.
    await waitForIdle(server.pid);
    const cpu2 = processCpuMs(server.pid);
    const sent = result.requestsSent + (tick?.sent ?? 0);
    offset += result.requestsSent;
    allRequests += sent;
    sumCodes(statusCodes, result.statusCodes);
    const machineTotal = machine1.total - machine0.total;
    const serverDuring = cpu1 - cpu0;
    runs.push({
      requestsPerSecond: result.requestsPerSecond,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      requests: result.requestsTotal,
      sent: result.requestsSent,
      statusCodes: result.statusCodes,
      errors: result.errors,
      timeouts: result.timeouts,
      brokenChains: result.brokenChains,
      serverCpuMsPerRequest: (cpu2 - cpu0) / Math.max(1, sent),
      cpuShare: {
        serverPct: (100 * serverDuring) / machineTotal,
        loaderPct: (100 * result.loaderCpuMs) / machineTotal,
        benchPct: (100 * selfMs) / machineTotal,
        postgresPct: (100 * postgresMs) / machineTotal,
        redisPct: (100 * redisMs) / machineTotal,
        otherPct: (100 * (machine1.busy - machine0.busy - serverDuring - result.loaderCpuMs - selfMs - postgresMs - redisMs)) / machineTotal,
      },
      ...(tick ? { signInLoad: tick } : {}),
    });
    const codes = Object.entries(result.statusCodes).map(([c, n]) => `${c}×${n}`).join(" ");
    log(
      `  run ${r + 1}/${knobs.runs}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
        `${((cpu2 - cpu0) / Math.max(1, sent)).toFixed(3)} CPU ms/req, [${codes}]${result.errors ? ` errors ${result.errors}` : ""}${result.timeouts ? ` timeouts ${result.timeouts}` : ""}` +
        (tick ? `; signIn load: ${tick.sent} sent, p99 ${tick.latency.p99?.toFixed(0)} ms ${JSON.stringify(tick.statusCodes)}` : ""),
    );
  }

  // 3. Postgres counts, once the server's connections have published theirs.
  const peakRss = peakRssMiB(server.pid);
  await sleep(knobs.pgQuietMs);
  const pg: PgDelta = pgDelta(pgStart, await pgAfter(db.url, db.adminUrl, db.name));
  const perRequest = (n: number) => n / Math.max(1, allRequests);
  const tables = Object.fromEntries(
    Object.entries(pg.tables).map(([name, t]) => [name, { seqScan: perRequest(t.seqScan), idxScan: perRequest(t.idxScan), inserted: perRequest(t.inserted), updated: perRequest(t.updated) }]),
  );
  return {
    name: def.name,
    title: def.title,
    expectedStatus: def.expectedStatus,
    limitChecks: def.limitChecks,
    redisWrites: def.redisWrites,
    sessionCheck: def.sessionCheck,
    note: def.note,
    runs,
    median: {
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      serverCpuMsPerRequest: median(runs.map((r) => r.serverCpuMsPerRequest)),
    },
    statusCodes,
    peakRssMiB: rssReset ? peakRss : Number.NaN,
    rssAtStartMiB: rssAtStart,
    counters: {
      requests: allRequests,
      postgres: { transactionsPerRequest: perRequest(pg.transactions), tuplesFetchedPerRequest: perRequest(pg.tuplesFetched), tables },
      redis: redis ? { commandsPerRequest: redis.perRequest, byCommand: Object.fromEntries(Object.entries(redis.byCommand).map(([c, n]) => [c, n / redis!.requests])), probeRequests: redis.requests } : undefined,
    },
  };
}

// ---------------------------------------------------------------------------------------------

function gitInfo(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: repoRoot, encoding: "utf8" }).trim() !== "";
    return { commit, dirty };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  buildIfNeeded();

  // The fresh database (migrated), the SMTP sink, the server.
  const db: TestDatabase = await createTestDatabase({ prefix: "gatehouse_bench" });
  cleanups.push(async () => {
    await disconnectPrisma();
    await db.drop();
    log("dropped the bench database");
  });
  const dbName = new URL(db.url).pathname.slice(1);
  const adminUrl = withDatabase(db.url, "postgres");
  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());

  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    PORT: String(port),
    APP_URL: appUrl,
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `ghbench:${randomBytes(4).toString("hex")}:`,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    SMTP_URL: sink.url,
    MAIL_FROM: "Gatehouse bench <no-reply@bench.example>",
    BCRYPT_COST: knobs.bcryptCost,
    // Limits raised for the bench through configuration only.
    RATE_LIMIT_SCALE: "1000000",
    OTP_FAILURES_PER_HOUR: "1000000000",
    OTP_RESEND_COOLDOWN_SECONDS: "1",
    CODE_MAILS_PER_ADDRESS_PER_HOUR: "1000000000",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    ...(knobs.hashWorkers ? { HASH_WORKERS: knobs.hashWorkers } : {}),
  };
  cleanups.push(async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let deleted = 0;
    try {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${env.REDIS_KEY_PREFIX}*`, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) deleted += await redis.unlink(...keys);
      } while (cursor !== "0");
    } finally {
      redis.disconnect();
    }
    log(`deleted ${deleted} Redis keys under ${env.REDIS_KEY_PREFIX}`);
  });

  const profileDir = knobs.profile ? path.join(benchDir, ".profiles") : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const server = await startServer(env, profileDir);
  cleanups.push(async () => {
    await server.stop();
    log("server stopped");
  });
  log(`server ${appUrl} (pid ${server.pid}), database ${dbName}, Redis prefix ${env.REDIS_KEY_PREFIX}`);

  // Seeding in this process, with the server's config (the server made the signing key).
  process.env.DATABASE_URL = db.url;
  const config = setConfig(loadConfig({ ...env }, "production"));
  const seedData = await seed(config.bcryptCost);
  await disconnectPrisma();

  // The floors run while the seeding connections' counts are being published (none of their
  // work touches the bench database: SELECT 1 goes to the maintenance database of the same server).
  const quietUntil = Date.now() + knobs.pgQuietMs;
  log("measuring the floors");
  const floors: Floors = await measureFloors({
    cost: config.bcryptCost,
    hash: seedData.passwordHash,
    password: PASSWORD,
    redisUrl,
    databaseUrl: adminUrl,
    hashWorkers: knobs.hashWorkers,
  });
  log(
    `  bcrypt compare ${floors.bcrypt.compareMs.toFixed(0)} ms at cost ${floors.bcrypt.cost}; pool ${floors.hashingPool.size} → ceiling ${floors.hashingPool.ceilingPerSecond.toFixed(2)} signIn/s; ` +
      `JWT verify ${floors.jwtVerify.perSecond.toFixed(0)}/s; Redis PING ${floors.redisRoundTrip.medianUs.toFixed(0)} µs; SELECT 1 ${floors.postgresRoundTrip.medianUs.toFixed(0)} µs`,
  );
  await sleep(quietUntil - Date.now());

  const scenarios: ScenarioResult[] = [];
  for (const name of knobs.scenarios) {
    scenarios.push(await runScenario(SCENARIOS[name], server, seedData, { url: db.url, adminUrl, name: dbName }));
  }

  // Revocation is still honoured: revoke one benchmarked session, its access token must fail at once.
  const token = seedData.meTokens[0]!;
  const sid = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sid: string }).sid;
  await revokeSession(sid, "bench");
  const revokedStatus = (await fetch(`${server.url}/api/trpc/clientAuth.me`, { headers: { authorization: `Bearer ${token}` } })).status;
  await disconnectPrisma();
  log(`revocation check: me with a revoked session → ${revokedStatus}`);

  const git = gitInfo();
  const result: BenchResult = {
    date: new Date().toISOString(),
    official,
    git,
    machine: {
      nproc: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    settings: {
      connections: knobs.connections,
      durationSeconds: knobs.durationSeconds,
      runs: knobs.runs,
      bcryptCost: config.bcryptCost,
      hashWorkers: floors.hashingPool.size,
      server: "node --enable-source-maps apps/web/dist/server.mjs (NODE_ENV=production)",
      env: Object.fromEntries(
        ["RATE_LIMIT_SCALE", "OTP_FAILURES_PER_HOUR", "OTP_RESEND_COOLDOWN_SECONDS", "CODE_MAILS_PER_ADDRESS_PER_HOUR", "BCRYPT_COST", "LOG_LEVEL", "HASH_WORKERS"].filter((k) => env[k]).map((k) => [k, env[k]!]),
      ),
      signInLoadPerSecond: knobs.signInLoadPerSecond,
      profiled: knobs.profile,
    },
    floors,
    scenarios,
    targets: [],
    revocation: { status: revokedStatus, honoured: revokedStatus === 401 },
    mailsAccepted: sink.accepted(),
    elapsedSeconds: 0,
  };
  result.targets = evaluateTargets(result);
  result.elapsedSeconds = Math.round((Date.now() - startedAt) / 1000);

  console.log(printTable(result));
  const day = result.date.slice(0, 10);
  const resultsDir = path.join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const write = official || process.env.BENCH_WRITE_DOCS === "1";
  const file = path.join(resultsDir, write ? `${day}.json` : `${day}-partial.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`results: ${path.relative(repoRoot, file)}`);
  if (write) {
    writeDocs(path.join(repoRoot, "docs/performance.md"), result, path.relative(repoRoot, file));
    log("docs/performance.md regenerated");
  } else {
    log("not the default settings: docs/performance.md left as it is (BENCH_WRITE_DOCS=1 to write it)");
  }
}

main()
  .catch((error: unknown) => {
    console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    if (specDir) rmSync(specDir, { recursive: true, force: true });
    if (knobs.profile) log(`CPU profile(s) in bench/.profiles/ — summarise with: pnpm --filter @gatehouse/bench run profile:summary`);
    process.exit(process.exitCode ?? 0);
  });
