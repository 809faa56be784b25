/** The production server process (`node --enable-source-maps dist/server.mjs`), under guard.mjs. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { benchDir, webDir } from "./config";
import { cleanups } from "./lib/lifecycle";
import { sleep } from "./lib/proc";

/** When the server process was spawned: profile windows are logged relative to it. */
let serverSpawnedAt = 0;
export const sinceSpawn = () => ((Date.now() - serverSpawnedAt) / 1000).toFixed(1);

export interface StartedServer {
  url: string;
  pid: number;
  env: Record<string, string>;
  output: () => string;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string>, profileDir: string | undefined): Promise<StartedServer> {
  serverSpawnedAt = Date.now();
  const args = ["--enable-source-maps", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), "dist/server.mjs"];
  // Through guard.mjs, which stops the server if this process dies without cleaning up (its stdin
  // is ours). Not in `children` (those are killed outright): the server is stopped with SIGTERM,
  // so that it shuts down cleanly and --cpu-prof can write its profile.
  const guard = spawn(process.execPath, [path.join(benchDir, "src/guard.mjs"), webDir, ...args], {
    cwd: webDir,
    env: env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let pid = 0;
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (pid) process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  cleanups.push(async () => {
    if (guard.exitCode === null && guard.signalCode === null) {
      kill("SIGKILL");
      guard.kill("SIGKILL");
    }
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (!pid) pid = Number(/^pid (\d+)$/m.exec(output)?.[1] ?? 0);
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  guard.stdout!.on("data", keep);
  guard.stderr!.on("data", keep);
  const url = env.APP_URL!;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (guard.exitCode !== null) throw new Error(`server exited (${guard.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200 && pid) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output}`);
    await sleep(200);
  }
  return {
    url,
    pid,
    env,
    output: () => output,
    stop: async () => {
      if (guard.exitCode !== null || guard.signalCode !== null) return;
      const exited = once(guard, "exit");
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
