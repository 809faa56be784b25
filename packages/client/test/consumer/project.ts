import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** npm_* variables a child keeps: how to reach the registry, and where pnpm is. */
const keptNpmVariables = /^npm_(execpath|config_(registry|cache|cafile|ca|proxy|https_proxy|noproxy|strict_ssl))$/i;

/**
 * The environment of a child process: without the other npm_* variables the package manager
 * running the tests exported (a pnpm run passes its own settings as npm_config_*, which npm reads).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CI: "true", npm_config_yes: "true", npm_config_update_notifier: "false" };
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) || keptNpmVariables.test(key)) env[key] ??= value;
  }
  return env;
}

/** Runs a command; a failure carries its output. */
export async function sh(cmd: readonly string[], cwd: string, timeout = 240_000): Promise<string> {
  const [file, ...args] = cmd as [string, ...string[]];
  try {
    const { stdout } = await run(file, args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024, env: childEnv() });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

/** Runs a command that may fail; its exit code and output. */
export async function shStatus(cmd: readonly string[], cwd: string, timeout = 240_000): Promise<{ code: number; stdout: string }> {
  const [file, ...args] = cmd as [string, ...string[]];
  return run(file, args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024, env: childEnv() }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number | string; stdout?: string; killed?: boolean; message: string }) => {
      if (typeof error.code !== "number") throw new Error(`${cmd.join(" ")} did not run in ${cwd}: ${error.message}`);
      return { code: error.code, stdout: error.stdout ?? "" };
    },
  );
}

/** pnpm as the test runner was started by (`pnpm test` sets npm_execpath), else from PATH. */
export const pnpm: readonly string[] = process.env.npm_execpath?.includes("pnpm") ? [process.execPath, process.env.npm_execpath] : ["pnpm"];

/** npm install with the shared npm cache, no audit or scripts; every peer conflict fails it (ERESOLVE). */
export async function npmInstall(dir: string): Promise<void> {
  await sh(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", "--loglevel=error"], dir, 300_000);
}

/** The version of a package as installed under `dir`'s node_modules. */
export async function installedVersion(dir: string, name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(dir, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/** The newest release of a range on the registry (`npm view name@range version`). */
export async function newestVersion(name: string, range: string): Promise<string> {
  const out = JSON.parse(await sh(["npm", "view", `${name}@${range}`, "version", "--json"], process.cwd(), 60_000)) as string | string[];
  const versions = (Array.isArray(out) ? out : [out]).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  const newest = versions.sort((a, b) => compareVersions(b, a))[0];
  if (!newest) throw new Error(`no release of ${name} matches ${range}`);
  return newest;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
