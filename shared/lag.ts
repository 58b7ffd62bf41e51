/** Consumer-group lag, honest about what Redis does not know. */
import type { Redis } from "ioredis";

/** A group's backlog on a stream. */
export interface GroupState {
  group: string;
  /** Entries not yet delivered to the group; null when Redis cannot tell (after deletions). */
  lag: number | null;
  pending: number;
  consumers: number;
  lastDeliveredId: string;
}

/** Reads every group of `stream` (empty when the stream does not exist). */
export async function groupStates(redis: Redis, stream: string): Promise<GroupState[]> {
  let rows: unknown[][];
  try {
    rows = await redis.xinfo("GROUPS", stream) as unknown[][];
  } catch (error) {
    if (error instanceof Error && error.message.includes("no such key")) return [];
    throw error;
  }
  return rows.map((flat) => {
    const g: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) g[String(flat[i])] = flat[i + 1];
    return {
      group: String(g.name),
      lag: typeof g.lag === "number" ? g.lag : null,
      pending: Number(g.pending ?? 0),
      consumers: Number(g.consumers ?? 0),
      lastDeliveredId: String(g["last-delivered-id"]),
    };
  });
}

/**
 * The lag of `group`, counting undelivered entries directly (up to `bound`) when XINFO reports
 * it as unknown. Returns null when the group does not exist yet.
 */
export async function lagOf(
  redis: Redis,
  stream: string,
  group: string,
  bound: number,
): Promise<number | null> {
  const state = (await groupStates(redis, stream)).find((g) => g.group === group);
  if (!state) return null;
  if (state.lag !== null) return state.lag;
  const after = await redis.xrange(stream, `(${state.lastDeliveredId}`, "+", "COUNT", bound + 1);
  return after.length;
}
