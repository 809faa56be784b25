/** Child processes: one autocannon run (load.mjs), the background sign-in driver (signin-ticker.mjs). */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { benchDir } from "./config";
import { children } from "./lib/lifecycle";

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

export async function runChild<T>(script: string, spec: unknown): Promise<T> {
  const child = spawn(process.execPath, [path.join(benchDir, "src", script), specFile(spec)], {
    cwd: benchDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
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

/** Removes the children's spec files (at the very end, after cleanup()). */
export function removeSpecFiles(): void {
  if (specDir) rmSync(specDir, { recursive: true, force: true });
}
