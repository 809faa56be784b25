// One thread of the password-hashing pool (password-hasher.ts): bcryptjs off the event loop.
// Plain JavaScript on purpose, so every runtime loads it as it is, with no TypeScript loader in
// the worker: tsx (`pnpm dev`, the CLIs), vitest, and the production bundle, where
// apps/web/scripts/build-server.mjs emits it as dist/hash-worker.mjs beside dist/server.mjs
// (the pool finds it next to the module that starts it, `new URL("./hash-worker.mjs", import.meta.url)`).
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import bcrypt from "bcryptjs";

// Lower this thread's priority (on Linux it applies to the calling thread only): a burst of
// sign-ins then takes spare CPU, not the event loop's, and session checks stay fast.
try {
  setPriority(10);
} catch {
  // not permitted here: run at normal priority
}

parentPort?.on("message", ({ id, op, password, hash, cost }) => {
  try {
    const result = op === "hash" ? bcrypt.hashSync(password, bcrypt.genSaltSync(cost)) : bcrypt.compareSync(password, hash);
    parentPort?.postMessage({ id, result });
  } catch (error) {
    parentPort?.postMessage({ id, error: String((error && error.message) || error) });
  }
});
