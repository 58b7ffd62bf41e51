/**
 * The hand-off: the one atomic step that ends the processing of an input entry. Output events,
 * the document's read model, the processed marker, the DLQ entry and the XACK are written in a
 * single Lua script, so a crash leaves either all of it or none of it.
 */
import type { ChainableCommander, Redis } from "ioredis";
import { catalog, type DipEvent, typeSuffix } from "./events.ts";
import type { Keys } from "./keys.ts";
import { runScript, script } from "./lua.ts";

const COMMIT = script(`
-- KEYS: 1 input stream, 2 marker, 3 retry zset, 4 failures hash, 5 stats hash, 6 dlq stream,
--       7 latency list, then per output: stream, doc hash, timeline list; then one stream per copy
-- ARGV: 1 group, 2 entry id ('' = no input), 3 marker ttl ms, 4 now ms, 5 output count,
--       6 dlq fields (JSON array, '' = none), 7 stat field, 8 latency ms ('' = none),
--       then per output: event JSON, status, stage, event id, data JSON, timeline JSON;
--       then per copy: the index (0-based) of the output it copies
local FIRST_KEY, FIRST_ARG = 8, 9
local hasInput = ARGV[2] ~= ''
if hasInput then
  if not redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PX', ARGV[3]) then
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
    redis.call('ZREM', KEYS[3], ARGV[2])
    redis.call('HDEL', KEYS[4], ARGV[2])
    redis.call('HINCRBY', KEYS[5], 'duplicates', 1)
    return 0
  end
end
local n = tonumber(ARGV[5])
for i = 0, n - 1 do
  local a = FIRST_ARG + i * 6
  local k = FIRST_KEY + i * 3
  redis.call('XADD', KEYS[k], '*', 'event', ARGV[a])
  redis.call('HSET', KEYS[k + 1], 'status', ARGV[a + 1], 'stage', ARGV[a + 2],
    'updatedAt', ARGV[4], 'lastEventId', ARGV[a + 3], ARGV[a + 2], ARGV[a + 4])
  redis.call('RPUSH', KEYS[k + 2], ARGV[a + 5])
end
for c = 0, #KEYS - FIRST_KEY - n * 3 do
  local output = tonumber(ARGV[FIRST_ARG + n * 6 + c])
  redis.call('XADD', KEYS[FIRST_KEY + n * 3 + c], '*', 'event', ARGV[FIRST_ARG + output * 6])
end
if ARGV[6] ~= '' then
  redis.call('XADD', KEYS[6], '*', unpack(cjson.decode(ARGV[6])))
end
if hasInput then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  redis.call('HDEL', KEYS[4], ARGV[2])
end
if ARGV[7] ~= '' then redis.call('HINCRBY', KEYS[5], ARGV[7], 1) end
if ARGV[8] ~= '' then
  redis.call('LPUSH', KEYS[7], ARGV[8])
  redis.call('LTRIM', KEYS[7], 0, 999)
end
return 1
`);

/** The input entry a hand-off finishes. */
export interface InputEntry {
  stream: string;
  group: string;
  entryId: string;
  /** The input event id (for the processed marker); absent for an entry that is no event. */
  eventId?: string;
}

/** What one hand-off writes. */
export interface Handoff {
  /** The entry this finishes; absent when an event enters the pipeline (ingestion). */
  input?: InputEntry;
  /** Events to publish. */
  outputs: DipEvent[];
  /** Fields of a DLQ entry to add to the group's DLQ stream. */
  deadLetter?: Record<string, string>;
  /** A counter to increment in the group's stats (e.g. `processed`, `deadLettered`). */
  stat?: string;
  /** How long the processed marker lives, in ms; default 7 days. */
  markerTtlMs?: number;
  /** Time from the input event's creation to this hand-off, in ms (kept as a latency sample). */
  latencyMs?: number;
  /** Further streams an output is also added to (e.g. team queues), by output. */
  copies?: (output: DipEvent) => string[];
}

/**
 * Commits a hand-off atomically. Returns false when the input was already processed by this
 * group (its marker exists): then only the XACK happens and no second output is written.
 */
export async function commitHandoff(redis: Redis, k: Keys, h: Handoff): Promise<boolean> {
  const { keys, args } = handoffArguments(k, h);
  return (await runScript<number>(redis, COMMIT, keys, args)) === 1;
}

/**
 * Queues a hand-off on a MULTI, after the writes already queued there, so that they and the
 * hand-off happen together (used by ingestion: body, text and index with the first event). The
 * script goes as EVAL: inside MULTI a missing script (NOSCRIPT) could not be retried.
 */
export function queueHandoff(tx: ChainableCommander, k: Keys, h: Handoff): ChainableCommander {
  const { keys, args } = handoffArguments(k, h);
  return tx.eval(COMMIT.source, keys.length, ...keys, ...args);
}

function handoffArguments(k: Keys, h: Handoff): { keys: string[]; args: (string | number)[] } {
  const group = h.input?.group ?? "ingestion";
  const marker = h.input ? k.processed(group, h.input.eventId ?? `entry:${h.input.entryId}`) : "";
  const now = Date.now();
  const keys = [
    h.input?.stream ?? "",
    marker,
    k.retries(group),
    k.failures(group),
    k.stats(group),
    k.dlq(group),
    k.latency(group),
  ];
  const args: (string | number)[] = [
    group,
    h.input?.entryId ?? "",
    h.markerTtlMs ?? 7 * 24 * 3600 * 1000,
    now,
    h.outputs.length,
    h.deadLetter ? JSON.stringify(Object.entries(h.deadLetter).flat()) : "",
    h.stat ?? "",
    h.latencyMs === undefined ? "" : Math.max(0, Math.round(h.latencyMs)),
  ];
  for (const event of h.outputs) {
    const stage = typeSuffix(event.type);
    const status = catalog[event.type].status;
    keys.push(k.stream(stage), k.doc(event.subject), k.timeline(event.subject));
    args.push(
      JSON.stringify(event),
      status,
      stage,
      event.id,
      JSON.stringify(event.data),
      JSON.stringify({
        at: event.time,
        type: event.type,
        status,
        eventId: event.id,
        replay: event.dipreplay,
      }),
    );
  }
  h.outputs.forEach((event, index) => {
    for (const stream of h.copies?.(event) ?? []) {
      keys.push(stream);
      args.push(index);
    }
  });
  return { keys, args };
}
