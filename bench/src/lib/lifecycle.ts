/** Everything a bench run starts is registered here and stopped in cleanup(), on failure and Ctrl-C too. */
import type { ChildProcess } from "node:child_process";

export const children = new Set<ChildProcess>();
export const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`[bench] cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}

// A closed terminal or pipe must not kill the bench before it has cleaned up.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
process.on("uncaughtException", (error) => {
  console.error(`[bench] uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void cleanup().finally(() => process.exit(1));
});
process.on("unhandledRejection", (error) => {
  console.error(`[bench] unhandled rejection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void cleanup().finally(() => process.exit(1));
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`\n[bench] ${signal}: stopping everything this run started`);
    void cleanup().finally(() => process.exit(130));
  });
}

const benchStartedAt = Date.now();
export const log = (message: string) =>
  console.error(`[bench +${String(Math.round((Date.now() - benchStartedAt) / 1000)).padStart(3)} s] ${message}`);
