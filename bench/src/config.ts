/**
 * The bench's settings: where things are, the knobs (environment variables, see run.ts), the
 * scenario names and the seeded tenant's fixed values.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(benchDir, "..");
export const webDir = path.join(repoRoot, "apps/web");

const intEnv = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

const ALL_SCENARIOS = [
  "me",
  "rest-me",
  "signIn",
  "refresh",
  "sendVerification",
  "verifyEmail",
  "passwordlessVerify",
  "meUnderSignIn",
] as const;
export type ScenarioName = (typeof ALL_SCENARIOS)[number];

export const knobs = {
  durationSeconds: intEnv("BENCH_DURATION", 10),
  runs: intEnv("BENCH_RUNS", 3),
  connections: intEnv("BENCH_CONNECTIONS", 32),
  scenarios: (process.env.BENCH_SCENARIOS?.split(",")
    .map((s) => s.trim())
    .filter(Boolean) ?? [...ALL_SCENARIOS]) as ScenarioName[],
  build: (process.env.BENCH_BUILD ?? "auto") as "auto" | "always" | "never",
  profile: process.env.BENCH_PROFILE === "1",
  bcryptCost: process.env.BCRYPT_COST ?? "12",
  hashWorkers: process.env.HASH_WORKERS,
  /** How long the server's Postgres connections must be idle before their counts are published. */
  pgQuietMs: intEnv("BENCH_PG_QUIET_MS", 10_500),
  signInLoadPerSecond: 2,
};
for (const s of knobs.scenarios)
  if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (one of ${ALL_SCENARIOS.join(", ")})`);
export const official =
  knobs.durationSeconds === 10 &&
  knobs.runs === 3 &&
  knobs.connections === 32 &&
  knobs.scenarios.length === ALL_SCENARIOS.length &&
  !knobs.profile;

export const PASSWORD = "Bench-password-for-load-1";
export const TENANT_KEY = "bench";
/**
 * Addresses the passwordlessVerify scenario rotates over: each wrong code spends one of an
 * address's 15 failures per (tenant, address, network) an hour, so the pool must outlast every
 * request of the scenario (≈ 4,000 req/s × 10 s × 3 runs + the probe ≈ 120,000 ≪ 14 × 40,000).
 */
export const PASSWORDLESS_ADDRESSES = 40_000;
export const counts = { verified: 1000, sendUsers: 4000, verifyUsers: 64, refreshSpares: 32 };
export const PROBE_CONNECTIONS = 4;
