import { createHash } from "node:crypto";
import type { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "ioredis";

type UpstashRedis = ConstructorParameters<typeof Ratelimit>[0]["redis"];

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/**
 * @upstash/ratelimit over ioredis. Its scripts start with a `#!lua flags=...` line Redis 7
 * rejects, so the adapter strips it; it remembers which stripped script each of Upstash's
 * hashes stands for, so every limit check after the first is a single EVALSHA round trip.
 */
export function upstashAdapter(redis: Redis): UpstashRedis {
  const strippedShaByUpstashSha = new Map<string, string>();

  const runStripped = async (script: string, keys: string[], args: unknown[]) => {
    const stripped = script.replace(/^#!lua[^\n]*\n/, "");
    const sha = sha1(stripped);
    strippedShaByUpstashSha.set(sha1(script), sha);
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...(args as string[]));
    } catch (error) {
      if (!String(error).includes("NOSCRIPT")) throw error;
      return await redis.eval(stripped, keys.length, ...keys, ...(args as string[]));
    }
  };

  const adapter = {
    evalsha: async (sha: string, keys: string[], args: unknown[]) => {
      const known = strippedShaByUpstashSha.get(sha);
      if (!known) throw new Error("NOSCRIPT (script not yet known to the adapter)");
      try {
        return await redis.evalsha(known, keys.length, ...keys, ...(args as string[]));
      } catch (error) {
        // A Redis restart forgets scripts: let Upstash resend the script text.
        if (String(error).includes("NOSCRIPT")) strippedShaByUpstashSha.delete(sha);
        throw error;
      }
    },
    eval: (script: string, keys: string[], args: unknown[]) => runStripped(script, keys, args),
  };
  return adapter as unknown as UpstashRedis;
}
