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
 *
 * This file is the runner; the parts: config.ts (paths, knobs, scenario names), build.ts,
 * smtp-sink.ts, server.ts (the production server under guard.mjs), seed.ts, scenarios.ts,
 * measure.ts (one scenario: probe, timed runs, counts), children.ts (load.mjs, signin-ticker.mjs),
 * floors.ts, report.ts, lib/ (lifecycle and cleanup, counters, /proc, ports). Package code only
 * through package exports (`@gatehouse/api/bench` for the session services it seeds with).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { disconnectPrisma, withDatabase } from "@gatehouse/db";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { loadConfig, setConfig } from "@gatehouse/api";
import { revokeSession } from "@gatehouse/api/bench";
import { benchDir, knobs, official, PASSWORD, repoRoot } from "./config";
import { cleanup, cleanups, log } from "./lib/lifecycle";
import { buildIfNeeded } from "./build";
import { removeSpecFiles } from "./children";
import { measureFloors, type Floors } from "./floors";
import { freePort } from "./lib/port";
import { sleep } from "./lib/proc";
import { runScenario } from "./measure";
import { evaluateTargets, printTable, writeDocs, type BenchResult, type ScenarioResult } from "./report";
import { SCENARIOS } from "./scenarios";
import { seed } from "./seed";
import { startServer } from "./server";
import { startSmtpSink } from "./smtp-sink";

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
        [
          "RATE_LIMIT_SCALE",
          "OTP_FAILURES_PER_HOUR",
          "OTP_RESEND_COOLDOWN_SECONDS",
          "CODE_MAILS_PER_ADDRESS_PER_HOUR",
          "BCRYPT_COST",
          "LOG_LEVEL",
          "HASH_WORKERS",
        ]
          .filter((k) => env[k])
          .map((k) => [k, env[k]!]),
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
    removeSpecFiles();
    if (knobs.profile) log(`CPU profile(s) in bench/.profiles/ — summarise with: pnpm --filter @gatehouse/bench run profile:summary`);
    process.exit(process.exitCode ?? 0);
  });
