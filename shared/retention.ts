/**
 * Document retention: deletes documents (read model, timeline, body, text, response) older than
 * a cut-off, oldest first, in batches. Idempotent, so several gateways may sweep at once.
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.ts";

/** Deletes up to `batch` documents created before `cutoffMs`; returns how many it deleted. */
export async function sweepDocuments(
  redis: Redis,
  k: Keys,
  cutoffMs: number,
  batch = 500,
): Promise<number> {
  const ids = await redis.zrangebyscore(k.docIndex(), "-inf", `(${cutoffMs}`, "LIMIT", 0, batch);
  if (ids.length === 0) return 0;
  const tx = redis.multi();
  for (const id of ids) {
    tx.del(k.doc(id), k.timeline(id), k.blob(id, "content"), k.blob(id, "text"), k.response(id));
  }
  tx.zrem(k.docIndex(), ...ids);
  await tx.exec();
  return ids.length;
}

/** Sweeps every `intervalMs` until `signal` aborts; `onSweep` hears how many were deleted. */
export function sweepEvery(
  redis: Redis,
  k: Keys,
  ttlMs: number,
  intervalMs: number,
  signal: AbortSignal,
  onSweep: (deleted: number) => void = () => {},
): void {
  const timer = setInterval(async () => {
    try {
      let total = 0;
      for (let n = -1; n !== 0 && !signal.aborted;) {
        total += n = await sweepDocuments(redis, k, Date.now() - ttlMs);
      }
      if (total > 0) onSweep(total);
    } catch {
      // Redis unavailable: the next round tries again
    }
  }, intervalMs);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
}
