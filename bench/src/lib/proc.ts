import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";

/**
 * External counters read from /proc (Linux): the server's CPU time (all threads, the hashing
 * workers included), its peak RSS, the whole machine's busy time, and which TCP connections of
 * the server go to Redis.
 */

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process (all its threads), in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

/** CPU ms of each pid (0 for one that is gone). */
export function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, processCpuMs(pid));
    } catch {
      out.set(pid, 0);
    }
  }
  return out;
}

/** Peak resident set size (VmHWM) in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

export function currentRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`; needs root or the owner). */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Busy and total CPU time of the whole machine (all cores), in ms, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  const total = busy + idle! + iowait!;
  const ms = 1000 / ticksPerSecond();
  return { busy: busy * ms, total: total * ms };
}

/** Waits until the process stops using CPU (less than `thresholdPct` of one core over `windowMs`). */
export async function waitForIdle(pid: number, { windowMs = 300, thresholdPct = 10, maxMs = 30_000 } = {}): Promise<number> {
  const started = Date.now();
  let last = processCpuMs(pid);
  for (;;) {
    await sleep(windowMs);
    const now = processCpuMs(pid);
    if (now - last <= (windowMs * thresholdPct) / 100 || Date.now() - started > maxMs) return Date.now() - started;
    last = now;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The client addresses ("127.0.0.1:<port>") of the process's TCP connections to `remotePort`,
 * as Redis names them in CLIENT LIST and MONITOR: socket inodes from /proc/<pid>/fd matched
 * against /proc/net/tcp{,6}.
 */
export function clientAddressesTo(pid: number, remotePort: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const addresses: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const [, local, remote, , , , , , , inode] = cols as [string, string, string, string, string, string, string, string, string, string];
      if (!inodes.has(inode)) continue;
      if (parseInt(remote.split(":")[1]!, 16) !== remotePort) continue;
      const [hexIp, hexPort] = local.split(":") as [string, string];
      addresses.push(`${hexToIp(hexIp)}:${parseInt(hexPort, 16)}`);
    }
  }
  return addresses;
}

function hexToIp(hex: string): string {
  if (hex.length === 8) {
    return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
  }
  // IPv6 (v4-mapped ::ffff:a.b.c.d ends with the IPv4 in the last word)
  if (hex.startsWith("0000000000000000FFFF0000")) return hexToIp(hex.slice(24));
  return hex;
}
