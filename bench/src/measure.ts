/** One scenario measured: a Redis-counted probe, the timed runs, then the Postgres counts. */
import { knobs, PASSWORD, PASSWORDLESS_ADDRESSES, PROBE_CONNECTIONS, TENANT_KEY } from "./config";
import { runChild, type LoadResult, type TickerResult } from "./children";
import { countServerRedisCommands, pgAfter, pgBefore, pgDelta, servicePids, type PgDelta, type RedisCount } from "./lib/counters";
import { log } from "./lib/lifecycle";
import { cpuOf, currentRssMiB, machineCpuMs, peakRssMiB, processCpuMs, resetPeakRss, sleep, waitForIdle } from "./lib/proc";
import type { ScenarioResult } from "./report";
import type { ScenarioDef } from "./scenarios";
import type { Seed } from "./seed";
import { sinceSpawn, type StartedServer } from "./server";

function loadData(def: ScenarioDef, seedData: Seed, set: { refresh?: string[] }) {
  switch (def.load) {
    case "me":
    case "restMe":
      return { tokens: seedData.meTokens };
    case "signIn":
      return { tenantKey: TENANT_KEY, password: PASSWORD, userIds: seedData.verifiedUserIds };
    case "refresh":
      return { refreshTokens: set.refresh };
    case "sendVerification":
      return { users: seedData.sendUsers };
    case "verifyEmail":
      return { tokens: seedData.verifyTokens, code: "000000" };
    case "passwordlessVerify":
      return { tenantKey: TENANT_KEY, code: "000000", addresses: PASSWORDLESS_ADDRESSES };
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

export async function runScenario(
  def: ScenarioDef,
  server: StartedServer,
  seedData: Seed,
  db: { url: string; adminUrl: string; name: string },
): Promise<ScenarioResult> {
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
    const { result, redis: count } = await countServerRedisCommands(redisUrl, server.pid, () =>
      runChild<LoadResult>("load.mjs", probeSpec),
    );
    await waitForIdle(server.pid);
    offset += result.requestsSent;
    allRequests += result.requestsSent;
    sumCodes(statusCodes, result.statusCodes);
    redis = { ...count, requests: result.requestsTotal, perRequest: count.total / Math.max(1, result.requestsTotal) };
    log(
      `  probe: ${result.requestsTotal} requests, ${count.total} Redis commands on ${count.connections.length} server connection(s) ${JSON.stringify(count.byCommand)}`,
    );
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
        otherPct:
          (100 * (machine1.busy - machine0.busy - serverDuring - result.loaderCpuMs - selfMs - postgresMs - redisMs)) / machineTotal,
      },
      ...(tick ? { signInLoad: tick } : {}),
    });
    const codes = Object.entries(result.statusCodes)
      .map(([c, n]) => `${c}×${n}`)
      .join(" ");
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
    Object.entries(pg.tables).map(([name, t]) => [
      name,
      { seqScan: perRequest(t.seqScan), idxScan: perRequest(t.idxScan), inserted: perRequest(t.inserted), updated: perRequest(t.updated) },
    ]),
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
      redis: redis
        ? {
            commandsPerRequest: redis.perRequest,
            byCommand: Object.fromEntries(Object.entries(redis.byCommand).map(([c, n]) => [c, n / redis!.requests])),
            probeRequests: redis.requests,
          }
        : undefined,
    },
  };
}
