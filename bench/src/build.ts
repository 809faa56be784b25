import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { knobs, repoRoot, webDir } from "./config";
import { log } from "./lib/lifecycle";

function newestMtime(dir: string, skip = new Set(["node_modules", ".next", "dist", "generated", "test"])): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name) || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

/** `pnpm build` when the production build is missing (or, in auto mode, older than the sources). */
export function buildIfNeeded(): void {
  const server = path.join(webDir, "dist/server.mjs");
  const buildId = path.join(webDir, ".next/BUILD_ID");
  const missing = !existsSync(server) || !existsSync(buildId);
  let reason = missing ? "no build yet" : "";
  if (!missing && knobs.build === "auto") {
    const built = Math.min(statSync(server).mtimeMs, statSync(buildId).mtimeMs);
    const sources = Math.max(
      newestMtime(path.join(repoRoot, "packages/api/src")),
      newestMtime(path.join(repoRoot, "packages/db/src")),
      newestMtime(path.join(repoRoot, "packages/email/src")),
      newestMtime(path.join(webDir, "server")),
      newestMtime(path.join(webDir, "app")),
    );
    if (sources > built) reason = "sources are newer than the build";
  }
  if (knobs.build === "always") reason = "BENCH_BUILD=always";
  if (!reason || (knobs.build === "never" && !missing)) {
    log("using the existing production build");
    return;
  }
  log(`building (${reason}): pnpm build`);
  const started = Date.now();
  execFileSync("pnpm", ["build"], {
    cwd: repoRoot,
    stdio: ["ignore", process.stderr, process.stderr],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
  });
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
