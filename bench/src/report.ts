import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Floors } from "./floors";
import type { TickerResult } from "./children";

/** The shape of bench/results/<date>.json. */
export interface ScenarioResult {
  name: string;
  title: string;
  expectedStatus: number;
  limitChecks: string[];
  redisWrites?: string[] | undefined;
  sessionCheck: boolean;
  note?: string | undefined;
  runs: Array<{
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    requests: number;
    sent: number;
    statusCodes: Record<string, number>;
    errors: number;
    timeouts: number;
    brokenChains: number;
    serverCpuMsPerRequest: number;
    /** Shares of the whole machine (all cores) during the run. */
    /**
     * Shares of all cores during the run: the server, the autocannon process, the orchestrator
     * (the SMTP sink), the Postgres backends of the bench database, the Redis server, and
     * everything else on the machine (other work competing for the cores).
     */
    cpuShare: { serverPct: number; loaderPct: number; benchPct: number; postgresPct: number; redisPct: number; otherPct: number };
    signInLoad?: TickerResult;
  }>;
  median: { requestsPerSecond: number; p50Ms: number; p99Ms: number; serverCpuMsPerRequest: number };
  /** Every response of the scenario (probe and runs), by HTTP status. */
  statusCodes: Record<string, number>;
  peakRssMiB: number;
  rssAtStartMiB: number;
  counters: {
    requests: number;
    postgres: {
      transactionsPerRequest: number;
      tuplesFetchedPerRequest: number;
      tables: Record<string, { seqScan: number; idxScan: number; inserted: number; updated: number }>;
    };
    redis?: { commandsPerRequest: number; byCommand: Record<string, number>; probeRequests: number } | undefined;
  };
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  pass: boolean | null;
}

export interface BenchResult {
  date: string;
  /** Run with the default settings (10 s × 3 runs × 32 connections, every scenario). */
  official: boolean;
  git: { commit: string; dirty: boolean };
  machine: { nproc: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  settings: {
    connections: number;
    durationSeconds: number;
    runs: number;
    bcryptCost: number;
    hashWorkers: number;
    server: string;
    env: Record<string, string>;
    signInLoadPerSecond: number;
    profiled: boolean;
  };
  floors: Floors;
  scenarios: ScenarioResult[];
  targets: Target[];
  revocation?: { status: number; honoured: boolean } | undefined;
  mailsAccepted: number;
  elapsedSeconds: number;
}

const f = (n: number | undefined | null, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? "–" : n.toFixed(digits));
const codes = (c: Record<string, number>) =>
  Object.entries(c)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code}×${n}`)
    .join(" ") || "–";

export function evaluateTargets(result: BenchResult): Target[] {
  const s = (name: string) => result.scenarios.find((x) => x.name === name);
  const targets: Target[] = [];
  const me = s("me");
  if (me) {
    targets.push({
      name: "me throughput",
      target: "≥ 2,100 req/s at 32 connections",
      actual: `${f(me.median.requestsPerSecond)} req/s`,
      pass: me.median.requestsPerSecond >= 2100,
    });
    targets.push({ name: "me p99", target: "≤ 40 ms", actual: `${f(me.median.p99Ms)} ms`, pass: me.median.p99Ms <= 40 });
  }
  const restMe = s("rest-me");
  if (restMe && me) {
    // The REST layer must stay thin: the same session check, within 15 % of tRPC's throughput.
    targets.push({
      name: "REST me throughput",
      target: `≥ 85 % of tRPC me (${f(0.85 * me.median.requestsPerSecond)} req/s)`,
      actual: `${f(restMe.median.requestsPerSecond)} req/s (${f((100 * restMe.median.requestsPerSecond) / Math.max(1, me.median.requestsPerSecond))} %), p99 ${f(restMe.median.p99Ms)} ms (tRPC ${f(me.median.p99Ms)} ms)`,
      pass: restMe.median.requestsPerSecond >= 0.85 * me.median.requestsPerSecond,
    });
  }
  const codeSignIn = s("passwordlessVerify");
  const verifyEmail = s("verifyEmail");
  if (codeSignIn && verifyEmail) {
    // Issue 19: email-code sign-in's code check costs no more than email verification's.
    targets.push({
      name: "clientPasswordless.verify throughput",
      target: `≥ verifyEmail (${f(verifyEmail.median.requestsPerSecond)} req/s)`,
      actual: `${f(codeSignIn.median.requestsPerSecond)} req/s, p99 ${f(codeSignIn.median.p99Ms)} ms`,
      pass: codeSignIn.median.requestsPerSecond >= verifyEmail.median.requestsPerSecond,
    });
  }
  const loaded = s("meUnderSignIn");
  if (loaded && me) {
    targets.push({
      name: "me p99 with 2 signIn/s",
      target: `≤ 2 × me p99 (${f(2 * me.median.p99Ms)} ms)`,
      actual: `${f(loaded.median.p99Ms)} ms (${f(loaded.median.p99Ms / Math.max(1, me.median.p99Ms), 2)}×)`,
      pass: loaded.median.p99Ms <= 2 * me.median.p99Ms,
    });
  }
  const signIn = s("signIn");
  if (signIn) {
    const ceiling = result.floors.hashingPool.ceilingPerSecond;
    targets.push({
      name: "signIn throughput",
      target: `≥ 90 % of the hashing ceiling (${result.floors.hashingPool.size} ÷ ${f(result.floors.bcrypt.compareMs)} ms = ${f(ceiling, 2)}/s → ${f(0.9 * ceiling, 2)}/s)`,
      actual: `${f(signIn.median.requestsPerSecond, 2)} req/s (${f((100 * signIn.median.requestsPerSecond) / ceiling)} %)`,
      pass: signIn.median.requestsPerSecond >= 0.9 * ceiling,
    });
  }
  for (const sc of result.scenarios) {
    const redis = sc.counters.redis;
    if (!redis || sc.limitChecks.length === 0) continue;
    const writes = sc.redisWrites?.length ?? 0;
    targets.push({
      name: `${sc.name}: one Redis round trip per limit check`,
      target: `≤ ${sc.limitChecks.length + writes} command(s) for ${sc.limitChecks.length} check(s)${writes ? ` + ${writes} write(s)` : ""}`,
      actual: `${f(redis.commandsPerRequest, 2)} commands/request (${Object.entries(redis.byCommand)
        .map(([c, n]) => `${c} ${f(n, 2)}`)
        .join(", ")})`,
      pass: redis.commandsPerRequest <= sc.limitChecks.length + writes + 0.01,
    });
  }
  if (me) {
    const pgPer = me.counters.postgres.transactionsPerRequest;
    const redisPer = me.counters.redis?.commandsPerRequest;
    const seq = (me.counters.postgres.tables.Session?.seqScan ?? 0) + (me.counters.postgres.tables.User?.seqScan ?? 0);
    targets.push({
      name: "session check (me)",
      target: "≤ 1 indexed query or ≤ 1 Redis round trip",
      actual: `${f(pgPer, 2)} queries + ${f(redisPer, 2)} Redis commands/request; Session/User sequential scans ${f(seq, 3)}/request`,
      pass: redisPer === undefined ? null : ((pgPer <= 1.02 && redisPer <= 0.01) || (pgPer <= 0.02 && redisPer <= 1.01)) && seq < 0.01,
    });
  }
  if (result.revocation) {
    targets.push({
      name: "revocation honoured",
      target: "me with a revoked session's token → 401",
      actual: String(result.revocation.status),
      pass: result.revocation.honoured,
    });
  }
  return targets;
}

function scenarioTable(result: BenchResult): string {
  const rows = [
    "| scenario | req/s | p50 ms | p99 ms | server CPU ms/req | peak RSS MiB | Postgres xacts/req | Redis cmds/req | statuses (all runs + probe) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const s of result.scenarios) {
    const redis = s.counters.redis ? f(s.counters.redis.commandsPerRequest, 2) : "–";
    const errors = s.runs.reduce((n, r) => n + r.errors + r.timeouts, 0);
    rows.push(
      `| ${s.title} | ${f(s.median.requestsPerSecond, s.median.requestsPerSecond < 100 ? 2 : 0)} | ${f(s.median.p50Ms)} | ${f(s.median.p99Ms)} | ${f(s.median.serverCpuMsPerRequest, 3)} | ${f(s.peakRssMiB)} | ${f(s.counters.postgres.transactionsPerRequest, 2)} | ${redis} | ${codes(s.statusCodes)}${errors ? `, ${errors} errors/timeouts` : ""} |`,
    );
  }
  return rows.join("\n");
}

function floorsTable(floors: Floors): string {
  return [
    "| floor | value |",
    "|---|---:|",
    `| one bcrypt compare, cost ${floors.bcrypt.cost} (bcryptjs, median of ${floors.bcrypt.samples.length}) | ${f(floors.bcrypt.compareMs)} ms |`,
    `| hashing pool (${floors.hashingPool.source}) ÷ one compare = signIn ceiling | ${floors.hashingPool.size} ÷ ${f(floors.bcrypt.compareMs)} ms = ${f(floors.hashingPool.ceilingPerSecond, 2)}/s |`,
    `| JWT verify (jose, ${floors.jwtVerify.alg}, one thread, best of 4 × 200 ms) | ${f(floors.jwtVerify.perSecond)}/s (${f(floors.jwtVerify.usPerVerify)} µs) |`,
    `| for comparison: the bare Ed25519 check (node:crypto verify, synchronous) | ${f(floors.ed25519Verify.perSecond)}/s (${f(floors.ed25519Verify.usPerVerify)} µs) |`,
    `| Redis round trip (${floors.redisRoundTrip.command}, median / p99) | ${f(floors.redisRoundTrip.medianUs)} / ${f(floors.redisRoundTrip.p99Us)} µs |`,
    `| Postgres round trip (${floors.postgresRoundTrip.query}, median / p99) | ${f(floors.postgresRoundTrip.medianUs)} / ${f(floors.postgresRoundTrip.p99Us)} µs |`,
  ].join("\n");
}

function targetsTable(targets: Target[]): string {
  return [
    "| target | wanted | measured | |",
    "|---|---|---|---|",
    ...targets.map((t) => `| ${t.name} | ${t.target} | ${t.actual} | ${t.pass === null ? "n/a" : t.pass ? "met" : "**missed**"} |`),
  ].join("\n");
}

function countersSection(result: BenchResult): string {
  const lines = [
    "| scenario | per request | tables touched per request (index scans / sequential scans / rows inserted / rows updated) |",
    "|---|---|---|",
  ];
  for (const s of result.scenarios) {
    const pg = s.counters.postgres;
    const redis = s.counters.redis;
    const redisText = redis
      ? `${f(redis.commandsPerRequest, 2)} Redis command(s)${
          Object.keys(redis.byCommand).length
            ? ` (${Object.entries(redis.byCommand)
                .map(([c, n]) => `${c} ${f(n, 2)}`)
                .join(", ")})`
            : ""
        }`
      : "Redis: as for me";
    const what = s.sessionCheck
      ? s.name === "me" || s.name === "rest-me" || s.name === "meUnderSignIn"
        ? `session check = ${f(pg.transactionsPerRequest, 2)} Postgres transaction(s) / ${redis ? f(redis.commandsPerRequest, 2) : "0 (as me)"} Redis round trips`
        : `${f(pg.transactionsPerRequest, 2)} Postgres transactions (session check included), ${redisText}`
      : `${f(pg.transactionsPerRequest, 2)} Postgres transactions, ${redisText}`;
    const tables = Object.entries(pg.tables)
      .map(([name, t]) => `${name} ${f(t.idxScan, 2)}/${f(t.seqScan, 2)}/${f(t.inserted, 2)}/${f(t.updated, 2)}`)
      .join("; ");
    lines.push(
      `| ${s.name} | ${what}${s.limitChecks.length ? `; limit checks: ${s.limitChecks.join(", ")}` : ""}${s.redisWrites?.length ? `; other Redis writes: ${s.redisWrites.join(", ")}` : ""}${s.note ? ` (${s.note})` : ""} | ${tables || "–"} |`,
    );
  }
  return lines.join("\n");
}

function runsSection(result: BenchResult): string {
  const lines = [
    "| scenario | run | req/s | p50 | p99 | max ms | CPU ms/req | cores used %: server / load / sink / Postgres / Redis / other | statuses | extra |",
    "|---|---:|---:|---:|---:|---:|---:|---|---|---|",
  ];
  for (const s of result.scenarios) {
    s.runs.forEach((r, i) => {
      const extra = [
        r.errors ? `${r.errors} errors` : "",
        r.timeouts ? `${r.timeouts} timeouts` : "",
        r.brokenChains ? `${r.brokenChains} broken refresh chains` : "",
        r.signInLoad
          ? `signIn load: ${r.signInLoad.sent} sent, p50 ${f(r.signInLoad.latency.p50)} / p99 ${f(r.signInLoad.latency.p99)} ms, ${codes(r.signInLoad.statusCodes)}`
          : "",
      ]
        .filter(Boolean)
        .join("; ");
      lines.push(
        `| ${s.name} | ${i + 1} | ${f(r.requestsPerSecond, r.requestsPerSecond < 100 ? 2 : 0)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.maxMs)} | ${f(r.serverCpuMsPerRequest, 3)} | ${f(r.cpuShare.serverPct)} / ${f(r.cpuShare.loaderPct)} / ${f(r.cpuShare.benchPct)} / ${f(r.cpuShare.postgresPct)} / ${f(r.cpuShare.redisPct)} / ${f(r.cpuShare.otherPct)} | ${codes(r.statusCodes)} | ${extra} |`,
      );
    });
  }
  return lines.join("\n");
}

/** Median share of all cores taken by work that is not part of the bench, over every run. */
function otherWorkPct(result: BenchResult): number {
  const values = result.scenarios.flatMap((s) => s.runs.map((r) => r.cpuShare.otherPct)).sort((a, b) => a - b);
  return values.length ? values[Math.floor(values.length / 2)]! : 0;
}

function header(result: BenchResult): string {
  const m = result.machine;
  const st = result.settings;
  const other = otherWorkPct(result);
  return [
    ...(other > 10
      ? [
          `**Warning: other work on the machine took a median ${f(other)} % of all cores during the runs, so these figures understate a quiet machine (see the cores column below).**`,
          "",
        ]
      : []),
    `Run ${result.date} on ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}; commit ${result.git.commit.slice(0, 12)}${result.git.dirty ? " (with uncommitted changes)" : ""}.`,
    `${st.connections} connections, ${st.durationSeconds} s × ${st.runs} runs per scenario (medians), bcrypt cost ${st.bcryptCost}, hashing pool ${st.hashWorkers}; ` +
      `server: \`${st.server}\`; bench limits: ${Object.entries(st.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}.` +
      `${st.profiled ? " **Profiled run (--cpu-prof): slower than normal.**" : ""}${result.official ? "" : " **Not the default settings.**"}`,
  ].join("\n");
}

export function printTable(result: BenchResult): string {
  return [
    "",
    header(result),
    "",
    scenarioTable(result),
    "",
    "Floors (same run):",
    "",
    floorsTable(result.floors),
    "",
    "Targets:",
    "",
    targetsTable(result.targets),
    "",
    "Counters:",
    "",
    countersSection(result),
    "",
  ].join("\n");
}

const START = "<!-- bench:start (generated by `pnpm bench`; edit outside these markers) -->";
const END = "<!-- bench:end -->";

const TEMPLATE = (generated: string) => `# Performance

Every product-app request that checks a user goes through Gatehouse's session check, and
sign-in bursts are CPU-heavy by design (bcrypt at cost 12). \`pnpm bench\` measures both on the
production build; speed is proven by this benchmark, never by timed tests.

## How it is measured

\`pnpm bench\` (bench/src/run.ts) builds if the production build is missing or older than the
sources, creates a fresh migrated database on the local PostgreSQL, starts
\`node --enable-source-maps apps/web/dist/server.mjs\` with \`NODE_ENV=production\` against it and
the local Redis (its own key prefix) with a local SMTP sink that discards mail, seeds one tenant,
users (one bcrypt hash at the configured cost, written with \`createMany\`) and sessions (through
the API's own \`createSession\`, so the server accepts the tokens), measures the floors, then runs
each scenario from separate processes: autocannon (bench/src/load.mjs) with 32 connections for
10 s, three times, reporting the medians; the sign-in background load is its own process
(bench/src/signin-ticker.mjs). At the end it stops the server and the sink, drops the database
and deletes its Redis keys (also on failure or Ctrl-C); the server runs under a guard
(bench/src/guard.mjs) that stops it even if the bench itself is killed outright.

Limits are raised for the bench through configuration only: \`RATE_LIMIT_SCALE=1000000\`,
\`OTP_FAILURES_PER_HOUR=1000000000\` (wrong codes stay 401), \`OTP_RESEND_COOLDOWN_SECONDS=1\`
(sendVerification rotates over 4,000 users, so no user repeats within the cooldown) and
\`CODE_MAILS_PER_ADDRESS_PER_HOUR=1000000000\` (each of those users mails its own address many times an hour).

Scenarios: \`clientAuth.me\` (each connection its own session); \`rest-me\`, the same session check
as \`GET /api/v1/auth/me\` over REST (target: within 15 % of \`me\`); \`signIn\` with the right password,
rotating over 1,000 users; \`refresh\`, each connection following its own session's rotation;
\`sendVerification\` for distinct unverified users; \`verifyEmail\` with a wrong code (401 is the
expected answer); \`passwordlessVerify\`, \`clientPasswordless.verify\` with a wrong code over a rotating
pool of 40,000 addresses (401 expected; target: at least \`verifyEmail\`'s throughput); and \`me\` again while 2 correct sign-ins per second run alongside. The status
mix of every response is reported, so errors are never mistaken for speed.

Counters, all read from outside the server:
- server CPU: \`/proc/<pid>/stat\` utime + stime (all threads, the hashing workers included), from
  the start of a run until the server is idle again, divided by the requests sent;
- peak RSS: \`/proc/<pid>/status\` VmHWM, reset with \`echo 5 > /proc/<pid>/clear_refs\` before each
  scenario;
- Postgres: \`pg_stat_database\` transactions and \`pg_stat_user_tables\` scans of the bench's own
  database over the whole scenario, read after 10.5 s of quiet (a backend publishes its counts up to
  10 s late when idle);
- Redis: the Redis here is shared, so instead of \`INFO\` deltas a \`MONITOR\` connection counts the
  commands arriving on the server's own connections (found through \`/proc\`) during a probe of a
  fixed number of requests before the timed runs (MONITOR is never on during a timed run);
- where the cores went during each run: the server, the autocannon process, the SMTP sink (the
  orchestrator), the Postgres backends of the bench database, the Redis server, and other work on
  the machine. A run where other work took more than 10 % of the cores is flagged: its figures
  understate a quiet machine.

Knobs for quick checks (results then go to \`bench/results/<date>-partial.json\` and this page is
left alone): \`BENCH_DURATION\`, \`BENCH_RUNS\`, \`BENCH_CONNECTIONS\`, \`BENCH_SCENARIOS=me,rest-me\`,
\`BENCH_BUILD=auto|always|never\`, \`BENCH_PROFILE=1\` (server under \`--cpu-prof\`, then
\`pnpm --filter @gatehouse/bench run profile:summary\`), \`BCRYPT_COST\`, \`HASH_WORKERS\`.

${generated}

## What was changed to reach them

(To be written: the profile evidence and the changes made on the hot path.)
`;

function renderGenerated(result: BenchResult, resultsFile: string): string {
  return [
    START,
    "## Latest figures",
    "",
    header(result),
    `Raw results: \`${resultsFile}\`. Total bench time ${result.elapsedSeconds} s.`,
    "",
    scenarioTable(result),
    "",
    "### Against the targets",
    "",
    targetsTable(result.targets),
    "",
    "### Floors (measured in the same run)",
    "",
    floorsTable(result.floors),
    "",
    "### Counters",
    "",
    countersSection(result),
    "",
    "### Every run",
    "",
    "The cores column splits all cores' time during the run: the server, the autocannon process, the bench orchestrator (the SMTP sink), the Postgres backends of the bench database, the Redis server, and other work on the machine (which competes with the bench: it should be near 0).",
    "",
    runsSection(result),
    END,
  ].join("\n");
}

/** Rewrites the generated part of docs/performance.md, keeping everything outside the markers. */
export function writeDocs(file: string, result: BenchResult, resultsFile: string): void {
  const generated = renderGenerated(result, resultsFile);
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    const start = text.indexOf("<!-- bench:start");
    const end = text.indexOf(END);
    if (start !== -1 && end !== -1) {
      writeFileSync(file, `${text.slice(0, start)}${generated}${text.slice(end + END.length)}`);
      return;
    }
  }
  writeFileSync(file, TEMPLATE(generated));
}
