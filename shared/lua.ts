/** Runs Lua scripts by SHA (EVALSHA), loading them on first use or after a Redis restart. */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script with its SHA1, ready for EVALSHA. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

/** Wraps Lua source as a {@link Script}. */
export function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Runs `s` with `keys` and `args`: EVALSHA, falling back to EVAL when Redis lacks the script. */
export async function runScript<T = unknown>(
  redis: Redis,
  s: Script,
  keys: string[],
  args: (string | number)[],
): Promise<T> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args) as T;
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return await redis.eval(s.source, keys.length, ...keys, ...args) as T;
  }
}
