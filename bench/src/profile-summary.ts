/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, as `BENCH_PROFILE=1 pnpm bench` writes them to
 * bench/.profiles/): the functions with the most self time, and self time by package.
 *   pnpm --filter @gatehouse/bench run profile:summary [file.cpuprofile ...] [--top=30] [--from=s --to=s]
 * Without files: every profile in bench/.profiles/ from the newest run (one per thread).
 * --from=<s> --to=<s>: only that window (seconds after the server started; the bench logs each
 * run's window when BENCH_PROFILE=1).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 30);
/** Only samples in this window, in seconds after the profile started (≈ the server's start). */
const from = Number(args.find((a) => a.startsWith("--from="))?.slice(7) ?? 0) * 1e6;
const to = Number(args.find((a) => a.startsWith("--to="))?.slice(5) ?? Infinity) * 1e6;
let files = args.filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.profiles");
  const all = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({ file: path.join(dir, f), mtime: statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  // The newest run: files written within a few seconds of the newest one.
  const newest = all[0]?.mtime ?? 0;
  files = all.filter((f) => newest - f.mtime < 10_000).map((f) => f.file);
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1]!;
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (plain) return plain[1]!;
  if (url.startsWith("node:")) return "node (core)";
  if (url.includes("/dist/server.mjs")) return "gatehouse (dist/server.mjs)";
  return path.basename(url);
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    .replace(/^.*\/apps\/web\//, "apps/web/");

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i + 1] is the time spent in samples[i] (Chrome DevTools' convention).
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || "(anonymous)"}  ${url ? `${short(url)}:${lineNumber + 1}` : ""}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const idle = byFunction.get("(idle)") ?? 0;
  const busy = total - idle;
  console.log(`\n${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle)\n`);
  console.log("self time by package (% of busy):");
  for (const [pkg, us] of [...byPackage]
    .filter(([p]) => p !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)) {
    console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${pkg}`);
  }
  console.log(`\ntop ${top} functions by self time (% of busy):`);
  for (const [fn, us] of [...byFunction]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${fn}`);
  }
}
