// A fixed background sign-in load, in its own process: `ratePerSecond` correct-password signIn
// calls per second for `durationSeconds`, fired on a fixed schedule (an open loop: a slow answer
// never delays the next call). Prints one JSON line: statuses and latencies.
//   node signin-ticker.mjs <spec.json>
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const intervalMs = 1000 / spec.ratePerSecond;
const total = Math.max(1, Math.floor(spec.durationSeconds * spec.ratePerSecond));
const statusCodes = {};
const latencies = [];
let errors = 0;
let n = 0;

async function signIn(userId) {
  const started = performance.now();
  try {
    const res = await fetch(`${spec.url}/api/trpc/clientAuth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenantKey: spec.tenantKey, userId, password: spec.password }),
    });
    await res.arrayBuffer();
    statusCodes[res.status] = (statusCodes[res.status] ?? 0) + 1;
    latencies.push(performance.now() - started);
  } catch {
    errors++;
  }
}

const start = performance.now();
const inFlight = [];
while (n < total) {
  const due = start + n * intervalMs;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  inFlight.push(signIn(spec.userIds[(spec.offset + n) % spec.userIds.length]));
  n++;
}
await Promise.all(inFlight);
latencies.sort((a, b) => a - b);
const pick = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null);
process.stdout.write(
  `${JSON.stringify({ sent: n, statusCodes, errors, latency: { p50: pick(0.5), p99: pick(0.99), max: latencies.at(-1) ?? null } })}\n`,
);
