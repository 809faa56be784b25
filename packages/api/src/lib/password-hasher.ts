import { getRounds } from "bcryptjs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { getConfig } from "../config";
import { PASSWORD_MAX_BYTES, normalizePassword } from "../policy/password-policy";

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

const utf8Bytes = (value: string) => Buffer.byteLength(value, "utf8");

/**
 * The bcrypt hash of a password's normalized (NFKC) form, at BCRYPT_COST. bcrypt reads only 72
 * bytes, so a longer form is refused here too (the schemas refuse it first), never truncated.
 */
export async function hashPassword(password: string): Promise<string> {
  const normalized = normalizePassword(password);
  if (utf8Bytes(normalized) > PASSWORD_MAX_BYTES) throw new Error(`a password over ${PASSWORD_MAX_BYTES} bytes cannot be hashed without truncation`);
  return (await pool().run({ op: "hash", password: normalized, cost: getConfig().bcryptCost })) as string;
}

async function compare(password: string, hash: string): Promise<boolean> {
  return (await pool().run({ op: "compare", password, hash })) as boolean;
}

function costOf(hash: string): number | undefined {
  try {
    return getRounds(hash);
  } catch {
    return undefined;
  }
}

export interface PasswordCheck {
  ok: boolean;
  /**
   * The password is right but its hash should be replaced with `hashPassword(password)`: it was
   * made from the password as typed, before passwords were normalized, or at another cost than
   * BCRYPT_COST (so every account converges on the cost the dummy hash uses).
   */
  outdated: boolean;
}

/**
 * Checks a password as typed against a stored hash: its normalized form (what hashPassword
 * stores); then, for a hash made before normalization, the typed form itself, so such an account
 * still signs in and can be rehashed. The second comparison runs only when normalizing changed
 * the input, and a form over 72 bytes is never compared (bcrypt would truncate it).
 */
async function checkAgainst(password: string, hash: string): Promise<PasswordCheck> {
  const normalized = normalizePassword(password);
  const fits = utf8Bytes(normalized) <= PASSWORD_MAX_BYTES;
  if (fits && (await compare(normalized, hash))) return { ok: true, outdated: costOf(hash) !== getConfig().bcryptCost };
  if (normalized !== password && utf8Bytes(password) <= PASSWORD_MAX_BYTES && (await compare(password, hash))) return { ok: true, outdated: fits };
  return { ok: false, outdated: false };
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return (await checkAgainst(password, hash)).ok;
}

/** One dummy hash per cost: always the configured BCRYPT_COST's. */
const dummyHashes = new Map<number, Promise<string>>();

export function dummyPasswordHash(): Promise<string> {
  const cost = getConfig().bcryptCost;
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = hashPassword("gatehouse-dummy-password-for-timing");
    dummyHashes.set(cost, hash);
    hash.catch(() => dummyHashes.delete(cost));
  }
  return hash;
}

/**
 * Checks a password against a hash, or against a dummy hash at BCRYPT_COST when there is no
 * account, with the same comparisons (so an unknown account costs what a wrong password costs; a
 * stored hash at another cost is rehashed on its next sign-in, so the two converge).
 */
export async function verifyPasswordOrDummy(password: string, hash: string | null | undefined): Promise<PasswordCheck> {
  if (hash) return checkAgainst(password, hash);
  await checkAgainst(password, await dummyPasswordHash());
  return { ok: false, outdated: false };
}
