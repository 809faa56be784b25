// Runs the server under a guard that stops it when the bench goes away, even if the bench is
// killed outright (SIGKILL, a broken terminal): the bench holds this process's stdin, and when
// that closes the server gets SIGTERM (SIGKILL 15 s later).
//   node guard.mjs <cwd> <node args...>
// Prints "pid <n>" (the server's own pid, which the bench measures) and then relays the
// server's output.
import { spawn } from "node:child_process";

const [cwd, ...args] = process.argv.slice(2);
const child = spawn(process.execPath, args, { cwd, env: process.env, stdio: ["ignore", "inherit", "inherit"] });
process.stdout.write(`pid ${child.pid}\n`);

let stopping = false;
function stop() {
  if (stopping || child.exitCode !== null || child.signalCode !== null) return;
  stopping = true;
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
}

process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
process.stdin.resume();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, stop);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
