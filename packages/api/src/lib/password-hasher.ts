import { getRounds } from "bcryptjs";
import { Worker } from "node:worker_threads";
import { getConfig } from "../config";
import { getRuntime } from "../runtime";
import { getLogger } from "./log";
import { appError, appErrorOf } from "../errors";
import { PASSWORD_MAX_BYTES, normalizePassword } from "../policy/password-policy";

/**
 * bcryptjs on a small pool of worker threads (./hash-worker.mjs), so hashing (hundreds of ms at
 * cost 12) never stalls the event loop that serves every other request. One worker per core by
 * default; at most HASH_QUEUE_MAX jobs wait behind the running ones, past that a job is refused
 * at once (503 with Retry-After) instead of joining a backlog that would only grow under a flood
 * of sign-ins.
 */
const WORKER_FILE = new URL("./hash-worker.mjs", import.meta.url);

type Job = { id: number; startedAt: number; ahead: number; resolve: (value: string | boolean) => void; reject: (error: Error) => void };

/** The answer when the hashing queue is full: the work was never started. */
const OVERLOADED = "the password-hashing queue is full";

/** The pool's workers and their queue; the runtime builds the process's one (runtime.ts). */
export class HasherPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Job>();
  private nextId = 1;
  /** A running average of one job's time in a worker (ms), for Retry-After. */
  private jobMs = 250;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_FILE);
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on("message", ({ id, result, error }: { id: number; result?: string | boolean; error?: string }) => {
        slot.busy--;
        const job = this.pending.get(id);
        if (!job) return;
        this.pending.delete(id);
        // Its time since it was queued, shared with the jobs it queued behind, is one job's time.
        this.jobMs = 0.8 * this.jobMs + 0.2 * Math.max(1, (Date.now() - job.startedAt) / (job.ahead + 1));
        if (error !== undefined) job.reject(new Error(error));
        else job.resolve(result!);
      });
      this.workers.push(slot);
    }
  }

  /** Jobs queued behind the running ones (jobs go to the least busy worker, so idle ones first). */
  get waiting(): number {
    return Math.max(0, this.pending.size - this.workers.length);
  }

  run(message: { op: "hash" | "compare"; password: string; hash?: string; cost?: number }): Promise<string | boolean> {
    const waiting = this.waiting;
    if (waiting >= getConfig().hashQueueMax && this.pending.size >= this.workers.length) {
      // When the queue has drained enough to take this job again: the jobs ahead, shared out.
      const retryAfterSeconds = Math.max(1, Math.ceil(((waiting + 1) * this.jobMs) / this.workers.length / 1000));
      return Promise.reject(appError("service/Unavailable", { message: OVERLOADED, retryAfterSeconds }));
    }
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { id, startedAt: Date.now(), ahead: slot.busy, resolve, reject });
      slot.busy++;
      slot.worker.postMessage({ id, ...message });
    });
  }

  get size(): number {
    return this.workers.length;
  }
}

function pool(): HasherPool {
  return getRuntime().hasher;
}

export function hasherPoolSize(): number {
  return pool().size;
}

/** Jobs waiting behind the running ones now (tests and health of the queue). */
export function hashQueueWaiting(): number {
  return pool().waiting;
}

/** Whether an error is the 503 of a full hashing queue (the password was never checked). */
export function isHashQueueFull(error: unknown): boolean {
  const appErr = appErrorOf(error);
  return appErr?.appCode === "service/Unavailable" && appErr.message === OVERLOADED;
}

const utf8Bytes = (value: string) => Buffer.byteLength(value, "utf8");

/**
 * The bcrypt hash of a password's normalized (NFKC) form, at BCRYPT_COST. bcrypt reads only 72
 * bytes, so a longer form is refused here too (the schemas refuse it first), never truncated.
 */
export async function hashPassword(password: string): Promise<string> {
  const normalized = normalizePassword(password);
  if (utf8Bytes(normalized) > PASSWORD_MAX_BYTES)
    throw new Error(`a password over ${PASSWORD_MAX_BYTES} bytes cannot be hashed without truncation`);
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
  if (normalized !== password && utf8Bytes(password) <= PASSWORD_MAX_BYTES && (await compare(password, hash)))
    return { ok: true, outdated: fits };
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

/**
 * Runs the password check of a sign-in attempt already taken from the failure budget: when the
 * hashing queue is full the password was never checked, so the attempt is given back before the
 * 503 goes out (a flood must not lock anyone out).
 */
export async function checkSpendingAttempt<T>(attempt: { refund(): Promise<void> }, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (isHashQueueFull(error)) await attempt.refund();
    throw error;
  }
}

/**
 * After a successful sign-in whose check said `outdated` (a hash made before normalization, or at
 * another cost than BCRYPT_COST): hashes the password again and hands the new hash to `save`,
 * which must replace the stored hash only while it is still `stale` (a password changed meanwhile
 * wins). It changes no credentials version, so no session ends. Best effort: if it fails (a full
 * hashing queue), the next sign-in tries again.
 */
export async function replaceOutdatedHash(password: string, save: (passwordHash: string) => Promise<unknown>): Promise<void> {
  try {
    await save(await hashPassword(password));
  } catch (error) {
    getLogger().warn({ err: error instanceof Error ? error.message : String(error) }, "could not rehash an outdated password hash");
  }
}
