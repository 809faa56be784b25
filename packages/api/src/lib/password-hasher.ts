import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { getConfig } from "../config";

/**
 * bcryptjs on a small pool of worker threads, so hashing (hundreds of ms at cost 12) never
 * stalls the event loop that serves every other request. One worker per core by default.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
// Lower this thread's priority (on Linux it applies to the calling thread only): a burst of
// sign-ins then takes spare CPU, not the event loop's, and session checks stay fast.
try { require("node:os").setPriority(10); } catch {}
parentPort.on("message", ({ id, op, password, hash, cost }) => {
  try {
    const result = op === "hash" ? bcrypt.hashSync(password, bcrypt.genSaltSync(cost)) : bcrypt.compareSync(password, hash);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

type Job = { id: number; resolve: (value: string | boolean) => void; reject: (error: Error) => void };

class HasherPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Job>();
  private nextId = 1;

  constructor(size: number) {
    const bcryptPath = resolveBcrypt();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on("message", ({ id, result, error }: { id: number; result?: string | boolean; error?: string }) => {
        slot.busy--;
        const job = this.pending.get(id);
        if (!job) return;
        this.pending.delete(id);
        if (error !== undefined) job.reject(new Error(error));
        else job.resolve(result!);
      });
      this.workers.push(slot);
    }
  }

  run(message: { op: "hash" | "compare"; password: string; hash?: string; cost?: number }): Promise<string | boolean> {
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { id, resolve, reject });
      slot.busy++;
      slot.worker.postMessage({ id, ...message });
    });
  }

  get size(): number {
    return this.workers.length;
  }
}

function resolveBcrypt(): string {
  for (const base of [import.meta.url, `${process.cwd()}/`]) {
    try {
      return createRequire(base).resolve("bcryptjs");
    } catch {
      // try the next base
    }
  }
  throw new Error("bcryptjs is not installed");
}

const POOL_KEY = Symbol.for("gatehouse.hasherPool");
type Holder = { [POOL_KEY]?: HasherPool };

function pool(): HasherPool {
  const holder = globalThis as Holder;
  holder[POOL_KEY] ??= new HasherPool(Number(process.env.HASH_WORKERS) || availableParallelism());
  return holder[POOL_KEY];
}

export function hasherPoolSize(): number {
  return pool().size;
}

export async function hashPassword(password: string): Promise<string> {
  return (await pool().run({ op: "hash", password, cost: getConfig().bcryptCost })) as string;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return (await pool().run({ op: "compare", password, hash })) as boolean;
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a hash, or against a fixed dummy hash of the same cost when there
 * is no account, so an unknown account costs the same time as a wrong password.
 */
export async function verifyPasswordOrDummy(password: string, hash: string | null | undefined): Promise<boolean> {
  if (hash) return verifyPassword(password, hash);
  dummyHash ??= hashPassword("gatehouse-dummy-password-for-timing");
  await verifyPassword(password, await dummyHash);
  return false;
}
