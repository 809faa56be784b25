// Slow (starts real PostgreSQL 17 servers, ~1-3 s each) but part of the suite.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startEmbeddedPostgres } from "../src/embedded";
import { createTestDatabase } from "../src/testing";
import { query } from "./helpers";

const SLOW = { timeout: 120_000 };
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gh-embedded-test-"));
  chmodSync(dir, 0o755); // as root the server runs as "postgres"
  dirs.push(dir);
  return dir;
}
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Alive and not a zombie (an orphaned postmaster is reaped by PID 1, maybe later). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return !existsSync("/proc/self/stat"); // no procfs: trust kill(0)
  }
}

describe("startEmbeddedPostgres (slow)", () => {
  it("initialises an empty folder, serves PostgreSQL 17, stops, and keeps the data", SLOW, async () => {
    const dataDir = path.join(tempDir(), "data");
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, fast: true });
    cleanups.push(first.stop);
    expect(first.reused).toBe(false);
    expect(first.url).toBe(`postgresql://postgres:postgres@127.0.0.1:${port}/gatehouse`);
    const [v] = await query<{ server_version_num: string }>(first.url, "SHOW server_version_num");
    expect(Number(v!.server_version_num)).toBeGreaterThanOrEqual(170000);
    await query(first.url, 'CREATE TABLE "Keep" (v TEXT); INSERT INTO "Keep" VALUES (\'still here\')');
    await first.stop();
    expect(await portOpen(port)).toBe(false);
    expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);

    const second = await startEmbeddedPostgres({ dataDir, port, fast: true });
    cleanups.push(second.stop);
    expect(second.reused).toBe(false);
    expect(await query(second.url, 'SELECT v FROM "Keep"')).toEqual([{ v: "still here" }]);
    await second.stop();
    await second.stop(); // idempotent
  });

  it("reuses the server a SIGKILLed parent left running, and stop() stops it", SLOW, async () => {
    const dataDir = path.join(tempDir(), "data");
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/start-embedded.ts", dataDir, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = out.match(/READY (\S+)/);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    await query(url, 'CREATE TABLE "Leftover" (v INT); INSERT INTO "Leftover" VALUES (42)');
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    expect(pidAlive(pid)).toBe(true); // the orphaned postmaster
    cleanups.push(async () => {
      if (pidAlive(pid)) process.kill(pid, "SIGINT");
    });

    const server = await startEmbeddedPostgres({ dataDir, port, fast: true });
    cleanups.push(server.stop);
    expect(server.reused).toBe(true);
    expect(await query(server.url, 'SELECT v FROM "Leftover"')).toEqual([{ v: 42 }]);
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(await portOpen(port)).toBe(false);
  });

  it("removes a stale postmaster.pid (dead pid) and starts", SLOW, async () => {
    const dataDir = path.join(tempDir(), "data");
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, fast: true });
    await first.stop();
    writeFileSync(path.join(dataDir, "postmaster.pid"), `999999\n${dataDir}\n1700000000\n${port}\n`);
    const lines: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir, port, fast: true, log: (l) => lines.push(l) });
    cleanups.push(second.stop);
    expect(second.reused).toBe(false);
    expect(lines.some((l) => l.includes("removing stale"))).toBe(true);
    expect(await query(second.url, "SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
    await second.stop();
  });

  it("refuses a non-empty folder that is not a cluster", SLOW, async () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, "something.txt"), "mine");
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(/not empty/);
  });
});

describe("createTestDatabase with TEST_DATABASE_URL=embedded (slow)", () => {
  it("creates migrated databases on one shared embedded server, stopped after the last drop", SLOW, async () => {
    vi.stubEnv("TEST_DATABASE_URL", "embedded");
    try {
      const a = await createTestDatabase({ prefix: "emb_a" });
      const b = await createTestDatabase({ prefix: "emb_b" });
      cleanups.push(a.drop, b.drop);
      const port = Number(new URL(a.url).port);
      expect(new URL(b.url).port).toBe(String(port));
      expect(new URL(a.url).pathname).toMatch(/^\/emb_a_[0-9a-f]{12}$/);
      const tables = await query<{ n: number }>(
        a.url,
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('Tenant', 'User', '_prisma_migrations')",
      );
      expect(tables).toEqual([{ n: 3 }]);
      await a.drop();
      expect(await portOpen(port)).toBe(true);
      await b.drop();
      expect(await portOpen(port)).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
