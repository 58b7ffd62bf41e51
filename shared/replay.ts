/**
 * Replay: putting events back into their stream so the next stage processes them again, as a
 * new replay generation. A replayed event keeps its type, data, correlation and trace; it gets a
 * new id (derived from the original id and the generation) and `dipreplay` = the generation, so
 * its outputs are new events and the processed markers of earlier runs do not swallow it.
 * Redriving a DLQ entry is the same move, plus removing the entry from the DLQ atomically.
 */
import type { Redis } from "ioredis";
import { type DipEvent, parseEvent, typeSuffix, validateEvent } from "./events.ts";
import { deterministicUuid } from "./ids.ts";
import type { Keys } from "./keys.ts";

/** The copy of `event` for replay generation `generation`. */
export function replayed(event: DipEvent, generation: number): DipEvent {
  return validateEvent({
    ...event,
    id: deterministicUuid(`${event.id}|replay|${generation}`),
    dipreplay: generation,
    time: new Date().toISOString(),
  });
}

/** Takes the next replay generation of a document (atomic, so concurrent replays differ). */
export async function nextGeneration(redis: Redis, k: Keys, documentId: string): Promise<number> {
  return await redis.hincrby(k.doc(documentId), "replays", 1);
}

/** One DLQ entry as stored. */
export interface DeadLetter {
  id: string;
  fields: Record<string, string>;
}

/** Reads DLQ entries of `group`, oldest first, after `cursor` (exclusive). */
export async function readDeadLetters(
  redis: Redis,
  k: Keys,
  group: string,
  count = 100,
  cursor?: string,
): Promise<DeadLetter[]> {
  const rows = await redis.xrange(k.dlq(group), cursor ? `(${cursor}` : "-", "+", "COUNT", count);
  return rows.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { id, fields };
  });
}

/** What happened to one DLQ entry on redrive. */
export interface RedriveResult {
  dlqId: string;
  status: "redriven" | "not-redrivable" | "dry-run";
  eventId?: string;
  documentId?: string;
  reason?: string;
}

/**
 * Redrives DLQ entries of `group` (the given ids, or all) back into the stream they came from.
 * Each entry's XADD and XDEL happen in one MULTI. An entry whose payload is not a valid event
 * cannot be redriven; it stays in the DLQ and is reported.
 */
export async function redriveDeadLetters(
  redis: Redis,
  k: Keys,
  group: string,
  options: { ids?: string[]; dryRun?: boolean; onEach?: (r: RedriveResult) => void } = {},
): Promise<RedriveResult[]> {
  const results: RedriveResult[] = [];
  const handle = async (letter: DeadLetter) => {
    let event: DipEvent;
    try {
      event = parseEvent(letter.fields.event);
    } catch (error) {
      return {
        dlqId: letter.id,
        status: "not-redrivable" as const,
        reason: (error as Error).message,
      };
    }
    const stream = letter.fields.stream ?? k.stream(typeSuffix(event.type));
    if (options.dryRun) {
      return {
        dlqId: letter.id,
        status: "dry-run" as const,
        eventId: event.id,
        documentId: event.subject,
      };
    }
    const copy = replayed(event, await nextGeneration(redis, k, event.subject));
    await redis.multi().xadd(stream, "*", "event", JSON.stringify(copy)).xdel(
      k.dlq(group),
      letter.id,
    ).exec();
    return {
      dlqId: letter.id,
      status: "redriven" as const,
      eventId: copy.id,
      documentId: event.subject,
    };
  };
  if (options.ids) {
    for (const id of options.ids) {
      const [row] = await redis.xrange(k.dlq(group), id, id);
      if (!row) {
        results.push({ dlqId: id, status: "not-redrivable", reason: "no such DLQ entry" });
        continue;
      }
      const letter = {
        id: row[0],
        fields: Object.fromEntries(row[1].flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]!]]))),
      };
      const r = await handle(letter);
      results.push(r);
      options.onEach?.(r);
    }
    return results;
  }
  let cursor: string | undefined;
  for (;;) {
    const batch = await readDeadLetters(redis, k, group, 100, cursor);
    if (batch.length === 0) break;
    for (const letter of batch) {
      const r = await handle(letter);
      results.push(r);
      options.onEach?.(r);
    }
    cursor = batch.at(-1)!.id;
  }
  return results;
}

/** Which events to replay. */
export interface ReplaySelection {
  /** Event type suffix, e.g. `document.ingested`. */
  type: string;
  /** Only this document's events. */
  documentId?: string;
  /** Stream id or time range (inclusive), as stream ids (`ms-seq` or `ms`). */
  fromId?: string;
  toId?: string;
  /** Most events to replay. */
  limit?: number;
}

/**
 * Replays the selected events into their own stream (the next stage reprocesses them), at most
 * `ratePerSec` per second. Calls `onEach` for each selected event. Returns how many it replayed.
 */
export async function replayEvents(
  redis: Redis,
  k: Keys,
  selection: ReplaySelection,
  options: {
    dryRun?: boolean;
    ratePerSec?: number;
    onEach?: (event: DipEvent, n: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<number> {
  const stream = k.stream(selection.type);
  let start = selection.fromId ?? "-";
  const end = selection.toId ?? "+";
  const limit = selection.limit ?? Infinity;
  const toReplay: DipEvent[] = [];
  // collect first, so the replayed copies (added to the same stream) are not selected again
  while (toReplay.length < limit) {
    const rows = await redis.xrange(stream, start, end, "COUNT", 500);
    for (const [, flat] of rows) {
      let event: DipEvent;
      try {
        event = parseEvent(flat[flat.indexOf("event") + 1]);
      } catch {
        continue; // a malformed entry: the stage already dead-lettered it
      }
      if (selection.documentId && event.subject !== selection.documentId) continue;
      toReplay.push(event);
      if (toReplay.length >= limit) break;
    }
    if (rows.length < 500) break;
    start = `(${rows.at(-1)![0]}`;
  }
  const spacing = options.ratePerSec ? 1000 / options.ratePerSec : 0;
  let n = 0;
  for (const event of toReplay) {
    if (options.signal?.aborted) break;
    const began = Date.now();
    if (!options.dryRun) {
      const copy = replayed(event, await nextGeneration(redis, k, event.subject));
      await redis.xadd(stream, "*", "event", JSON.stringify(copy));
    }
    n++;
    options.onEach?.(event, n);
    const wait = spacing - (Date.now() - began);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return n;
}

/** Turns a CLI/API bound (stream id, ms timestamp or ISO time) into a stream id. */
export function toStreamId(bound: string): string {
  if (/^\d+(-\d+)?$/.test(bound)) return bound;
  const ms = Date.parse(bound);
  if (Number.isNaN(ms)) throw new Error(`"${bound}" is neither a stream id nor a date/time`);
  return String(ms);
}
