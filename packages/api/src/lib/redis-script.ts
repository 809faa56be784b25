import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const shas = new Map<string, string>();

/** EVALSHA (one short round trip), falling back to EVAL when Redis does not know the script yet. */
export async function runScript(redis: Redis, script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = sha1(script)));
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String(error).includes("NOSCRIPT")) throw error;
    return await redis.eval(script, keys.length, ...keys, ...args);
  }
}
