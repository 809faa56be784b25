import { Redis } from "ioredis";
import pg from "pg";
import { pgConfigFromUrl } from "@gatehouse/db";
import { clientAddressesTo, sleep } from "./proc";

/**
 * Counters read from outside the server.
 *
 * Postgres: pg_stat_database (transactions) and pg_stat_user_tables (index and sequential scans)
 * of the bench's own database, which only the server uses while a scenario runs. A backend
 * publishes its counts at most once a second, and an idle one up to 10 s later
 * (PGSTAT_IDLE_INTERVAL), so a reading is taken only after the server's connections have been
 * idle that long; the bench's own readings are made so that they fall outside every delta.
 *
 * Redis: the Redis here is shared (other test runs use it), so INFO's global counters would
 * count their commands too. Instead a MONITOR connection, open only during a short probe phase,
 * counts the commands that arrive on the server's own connections (found through /proc).
 */

export interface PgSnapshot {
  xacts: number;
  tupReturned: number;
  tupFetched: number;
  tables: Record<string, { seqScan: number; idxScan: number; inserted: number; updated: number }>;
}

export interface PgDelta {
  transactions: number;
  tuplesReturned: number;
  tuplesFetched: number;
  tables: Record<string, { seqScan: number; idxScan: number; inserted: number; updated: number }>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...pgConfigFromUrl(url), application_name: "gatehouse-bench-counters" });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function readTables(benchUrl: string): Promise<PgSnapshot["tables"]> {
  return withClient(benchUrl, async (c) => {
    const { rows } = await c.query<{ relname: string; seq_scan: string; idx_scan: string | null; n_tup_ins: string; n_tup_upd: string }>(
      "SELECT relname, seq_scan, idx_scan, n_tup_ins, n_tup_upd FROM pg_stat_user_tables",
    );
    return Object.fromEntries(
      rows.map((r) => [
        r.relname,
        { seqScan: Number(r.seq_scan), idxScan: Number(r.idx_scan ?? 0), inserted: Number(r.n_tup_ins), updated: Number(r.n_tup_upd) },
      ]),
    );
  });
}

async function readDatabase(adminUrl: string, database: string) {
  return withClient(adminUrl, async (c) => {
    await c.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await c.query<{ xacts: string; tup_returned: string; tup_fetched: string }>(
      "SELECT xact_commit + xact_rollback AS xacts, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = $1",
      [database],
    );
    const row = rows[0];
    if (!row) throw new Error(`no pg_stat_database row for ${database}`);
    return { xacts: Number(row.xacts), tupReturned: Number(row.tup_returned), tupFetched: Number(row.tup_fetched) };
  });
}

/**
 * A reading before a scenario: the table counters first (that connection's own transaction is
 * published when it closes, before the database counter is read), then the database counter.
 */
export async function pgBefore(benchUrl: string, adminUrl: string, database: string): Promise<PgSnapshot> {
  const tables = await readTables(benchUrl);
  await sleep(300);
  return { ...(await readDatabase(adminUrl, database)), tables };
}

/** A reading after a scenario (after the quiet period): the database counter first. */
export async function pgAfter(benchUrl: string, adminUrl: string, database: string): Promise<PgSnapshot> {
  const db = await readDatabase(adminUrl, database);
  return { ...db, tables: await readTables(benchUrl) };
}

export function pgDelta(before: PgSnapshot, after: PgSnapshot): PgDelta {
  const tables: PgDelta["tables"] = {};
  for (const [name, a] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? { seqScan: 0, idxScan: 0, inserted: 0, updated: 0 };
    const d = {
      seqScan: a.seqScan - b.seqScan,
      idxScan: a.idxScan - b.idxScan,
      inserted: a.inserted - b.inserted,
      updated: a.updated - b.updated,
    };
    if (d.seqScan || d.idxScan || d.inserted || d.updated) tables[name] = d;
  }
  return {
    transactions: after.xacts - before.xacts,
    tuplesReturned: after.tupReturned - before.tupReturned,
    tuplesFetched: after.tupFetched - before.tupFetched,
    tables,
  };
}

export interface RedisCount {
  /** Commands the server sent, by name (EVALSHA counts once, whatever its script does). */
  byCommand: Record<string, number>;
  total: number;
  /** The server's connections the count was taken on. */
  connections: string[];
}

/** Counts the server's Redis commands while `fn` runs. */
export async function countServerRedisCommands<T>(
  redisUrl: string,
  serverPid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; redis: RedisCount }> {
  const port = Number(new URL(redisUrl).port || 6379);
  const control = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await control.connect();
  const monitor = await control.monitor();
  const byCommand: Record<string, number> = {};
  let total = 0;
  let sources = new Set(clientAddressesTo(serverPid, port));
  const refresh = setInterval(() => (sources = new Set(clientAddressesTo(serverPid, port))), 500);
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (!sources.has(source)) return;
    const name = String(args[0] ?? "").toLowerCase();
    byCommand[name] = (byCommand[name] ?? 0) + 1;
    total++;
  });
  try {
    await sleep(100);
    const result = await fn();
    await sleep(200);
    return { result, redis: { byCommand, total, connections: [...sources] } };
  } finally {
    clearInterval(refresh);
    monitor.disconnect();
    control.disconnect();
  }
}

/** Process ids of the Postgres backends serving `database` and of the Redis server (their CPU is the bench's too). */
export async function servicePids(
  adminUrl: string,
  database: string,
  redisUrl: string,
): Promise<{ postgres: number[]; redis: number | undefined }> {
  const postgres = await withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [
      database,
    ]);
    return rows.map((r) => r.pid);
  });
  let redis: number | undefined;
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const info = await client.info("server");
    redis = Number(/process_id:(\d+)/.exec(info)?.[1]) || undefined;
  } catch {
    redis = undefined;
  } finally {
    client.disconnect();
  }
  return { postgres, redis };
}
