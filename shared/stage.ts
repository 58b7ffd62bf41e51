/**
 * The stage runtime: every consuming service is "read type X from a consumer group, handle,
 * hand off". It owns the whole delivery protocol so no service calls XREADGROUP or XACK itself:
 * - reads in batches with `XREADGROUP … BLOCK`, bounded by `concurrency` entries in flight;
 * - validates each entry; an entry that is no valid event goes to the DLQ at once;
 * - commits outputs + read model + processed marker + XACK in one Lua hand-off;
 * - schedules retries with exponential backoff and full jitter (the only retry layer),
 *   counting attempts with Redis's own delivery count; exhausted or permanent → DLQ;
 * - keeps in-flight entries alive, reclaims entries of crashed consumers (XAUTOCLAIM),
 *   removes idle consumers that own nothing, trims streams only below what all groups acked;
 * - drains in-flight work on abort, then leaves the group cleanly.
 */
import type { Redis } from "ioredis";
import { backoffDelay, sleep } from "./backoff.ts";
import { describeError, isPermanent } from "./errors.ts";
import {
  createEvent,
  type DipEvent,
  type EventType,
  eventTypes,
  InvalidEvent,
  parseEvent,
  typeSuffix,
} from "./events.ts";
import { commitHandoff } from "./handoff.ts";
import type { Keys } from "./keys.ts";
import { type Logger, silentLogger } from "./log.ts";
import { compose, type Handler, type Middleware } from "./middleware/types.ts";
import {
  claimDueRetries,
  claimStale,
  type Delivery,
  failureNote,
  keepAlive,
  removeIdleConsumers,
  scheduleRetry,
  toDelivery,
  trimAcknowledged,
} from "./pel.ts";

/** How a stage reads, retries and recovers. Every field has a default. */
export interface StagePolicy {
  /** Most entries in flight in this process at once. Default 32. */
  concurrency: number;
  /** How long one XREADGROUP blocks waiting for entries, in ms. Default 1000. */
  blockMs: number;
  /** An entry idle this long in another consumer's PEL is taken over, in ms. Default 30000. */
  visibilityTimeoutMs: number;
  /** Deliveries before an entry goes to the DLQ. Default 5. */
  maxAttempts: number;
  /** Backoff scale of the first retry, in ms. Default 500. */
  retryBaseMs: number;
  /** Longest backoff, in ms. Default 30000. */
  retryCapMs: number;
  /** How often due retries are looked for, in ms. Default 250. */
  retryPollMs: number;
  /** A handler still running after this long fails (transient), in ms. Default 60000. */
  handlerTimeoutMs: number;
  /** How long processed markers are kept (the dedup window), in ms. Default 7 days. */
  markerTtlMs: number;
  /** How long in-flight work may finish after a stop request, in ms. Default 10000. */
  drainTimeoutMs: number;
  /** Consumers idle this long that own nothing are removed from the group, in ms. Default 1 h. */
  consumerIdleMs: number;
  /** Acknowledged stream entries younger than this are kept for replay, in ms. Default 7 days. */
  retentionMs: number;
  /** How often idle consumers are removed and the stream trimmed, in ms. Default 60000. */
  housekeepingMs: number;
  /** A read loop that has not polled Redis for this long makes the stage not ready, in ms. Default 15000. */
  watchdogMs: number;
}

/** The defaults of {@link StagePolicy}. */
export const defaultPolicy: StagePolicy = {
  concurrency: 32,
  blockMs: 1000,
  visibilityTimeoutMs: 30_000,
  maxAttempts: 5,
  retryBaseMs: 500,
  retryCapMs: 30_000,
  retryPollMs: 250,
  handlerTimeoutMs: 60_000,
  markerTtlMs: 7 * 24 * 3600_000,
  drainTimeoutMs: 10_000,
  consumerIdleMs: 3600_000,
  retentionMs: 7 * 24 * 3600_000,
  housekeepingMs: 60_000,
  watchdogMs: 15_000,
};

/** What {@link runStage} needs. */
export interface StageOptions {
  /** Connection for commands; the runtime opens its own duplicate for blocking reads. */
  redis: Redis;
  keys: Keys;
  /** Consumer group, named after the service (e.g. `classification`). */
  group: string;
  /** Consumer name, unique per process. */
  consumer: string;
  /** The event type this stage consumes. */
  input: EventType;
  handler: Handler;
  /** Wrappers around the handler, outermost first. */
  middleware?: Middleware[];
  /** Aborting stops reading and drains in-flight work. */
  signal: AbortSignal;
  /** Source attribute of events the runtime emits itself (`document.failed`). */
  source?: string;
  logger?: Logger;
  policy?: Partial<StagePolicy>;
  /** Further streams an output event is also added to, in the same hand-off (team queues). */
  copies?: (output: DipEvent) => string[];
  /** Source of jitter for backoff, in [0, 1); default Math.random. */
  random?: () => number;
}

/** A running stage. */
export interface Stage {
  /** Resolves when the stage has stopped and drained. */
  readonly done: Promise<void>;
  /** Whether the stage is polling Redis and has done so recently. */
  health(): StageHealth;
}

/** Liveness of a stage, for /readyz. */
export interface StageHealth {
  ready: boolean;
  redis: string;
  inFlight: number;
  lastPollAgoMs: number;
}

async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("BUSYGROUP")) throw error;
  }
}

/** Starts a stage; see the module doc for what it guarantees. */
export function runStage(options: StageOptions): Stage {
  const policy = { ...defaultPolicy, ...options.policy };
  const { redis, keys, group, consumer, signal } = options;
  const log = options.logger ?? silentLogger;
  const stream = keys.stream(typeSuffix(options.input));
  const pelKeys = { stream, retries: keys.retries(group), failures: keys.failures(group) };
  const source = options.source ?? `dip/${group}`;
  const handle = compose(options.handler, options.middleware ?? []);
  const reader = redis.duplicate({ connectionName: `${consumer}:reader` });
  reader.on("error", () => {});
  const inFlight = new Map<string, Promise<void>>();
  let lastPollAt = Date.now();

  async function deadLetter(d: Delivery, event: DipEvent | undefined, error: unknown) {
    const reason = describeError(error);
    const note = await failureNote(redis, pelKeys.failures, d.entryId);
    const now = new Date().toISOString();
    const outputs = event
      ? [createEvent({
        type: "com.dip.document.failed",
        data: { documentId: event.subject, stage: group, error: reason, attempts: d.deliveries },
        source,
        cause: event,
      })]
      : [];
    await commitHandoff(redis, keys, {
      input: { stream, group, entryId: d.entryId, ...(event ? { eventId: event.id } : {}) },
      outputs,
      deadLetter: {
        event: d.fields.event ?? JSON.stringify(d.fields),
        error: reason,
        attempts: String(d.deliveries),
        firstFailureAt: note ? new Date(Number(note.first)).toISOString() : now,
        lastFailureAt: now,
        consumer,
        group,
        stream,
        entryId: d.entryId,
        documentId: event?.subject ?? "",
        eventType: event?.type ?? "",
      },
      stat: "deadLettered",
      markerTtlMs: policy.markerTtlMs,
    });
    log.warn("dead-lettered", {
      entryId: d.entryId,
      documentId: event?.subject,
      reason,
      attempts: d.deliveries,
    });
  }

  async function process(d: Delivery): Promise<void> {
    let event: DipEvent;
    try {
      event = parseEvent(d.fields.event);
    } catch (error) {
      return await deadLetter(d, undefined, error);
    }
    try {
      const outputs = await handle(event);
      const committed = await commitHandoff(redis, keys, {
        input: { stream, group, entryId: d.entryId, eventId: event.id },
        outputs,
        stat: "processed",
        latencyMs: Date.now() - Date.parse(event.time),
        markerTtlMs: policy.markerTtlMs,
        ...(options.copies ? { copies: options.copies } : {}),
      });
      if (!committed) {
        log.info("duplicate delivery acknowledged", { entryId: d.entryId, eventId: event.id });
      }
    } catch (error) {
      const permanent = isPermanent(error) || error instanceof InvalidEvent;
      if (permanent || d.deliveries >= policy.maxAttempts) return await deadLetter(d, event, error);
      const delay = backoffDelay(
        d.deliveries,
        { baseMs: policy.retryBaseMs, capMs: policy.retryCapMs },
        options.random,
      );
      await scheduleRetry(
        redis,
        pelKeys.retries,
        pelKeys.failures,
        d.entryId,
        Date.now() + delay,
        describeError(error),
      );
      log.info("retry scheduled", {
        entryId: d.entryId,
        attempt: d.deliveries,
        delayMs: delay,
        reason: describeError(error),
      });
    }
  }

  /** Runs `d`, after any earlier run of the same entry in this process. */
  function start(d: Delivery): void {
    const previous = inFlight.get(d.entryId) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(() => process(d))
      .catch((error) =>
        log.error("entry left pending after an error", {
          entryId: d.entryId,
          error: describeError(error),
        })
      )
      .finally(() => {
        if (inFlight.get(d.entryId) === run) inFlight.delete(d.entryId);
      });
    inFlight.set(d.entryId, run);
  }

  const capacity = () => Math.max(0, policy.concurrency - inFlight.size);

  /** Runs `task` every `ms` without overlapping runs, until the stage stops. */
  function every(ms: number, name: string, task: () => Promise<void>): () => void {
    let running = false;
    const timer = setInterval(async () => {
      if (running || signal.aborted) return;
      running = true;
      try {
        await task();
      } catch (error) {
        log.warn(`${name} failed`, { error: describeError(error) });
      } finally {
        running = false;
      }
    }, ms);
    return () => clearInterval(timer);
  }

  let reclaimCursor = "0-0";
  const timers = [
    every(policy.retryPollMs, "retry poll", async () => {
      if (capacity() === 0) return;
      for (const d of await claimDueRetries(redis, pelKeys, group, consumer, capacity())) start(d);
    }),
    every(Math.max(100, Math.floor(policy.visibilityTimeoutMs / 2)), "reclaim", async () => {
      if (capacity() === 0) return;
      const claim = await claimStale(
        redis,
        pelKeys,
        group,
        consumer,
        policy.visibilityTimeoutMs,
        reclaimCursor,
        capacity(),
      );
      reclaimCursor = claim.cursor;
      for (const d of claim.deliveries) {
        log.info("reclaimed a stale entry", { entryId: d.entryId, deliveries: d.deliveries });
        start(d);
      }
      if (claim.deleted.length > 0) {
        await redis.hincrby(keys.stats(group), "trimmedPending", claim.deleted.length);
        log.warn("pending entries were trimmed from the stream; dropped from the PEL", {
          ids: claim.deleted,
        });
      }
    }),
    every(Math.max(100, Math.floor(policy.visibilityTimeoutMs / 3)), "heartbeat", async () => {
      const lost = await keepAlive(redis, stream, group, consumer, [...inFlight.keys()]);
      if (lost.length > 0) {
        log.warn("in-flight entries were claimed by another consumer", { ids: lost });
      }
    }),
    every(policy.housekeepingMs, "housekeeping", async () => {
      const removed = await removeIdleConsumers(
        redis,
        stream,
        group,
        consumer,
        policy.consumerIdleMs,
      );
      if (removed.length > 0) log.info("removed idle consumers", { removed });
      // every event stream, not only this stage's input: streams no dip group reads
      // (response.generated, document.failed) would otherwise grow forever; trimming respects
      // whatever groups other systems have on them
      for (const type of eventTypes) {
        await trimAcknowledged(redis, keys.stream(typeSuffix(type)), policy.retentionMs);
      }
    }),
  ];

  async function readLoop(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      // read in batches: wait until at least half the slots are free (one read per entry
      // would cost a round trip each)
      if (inFlight.size > 0 && capacity() < Math.ceil(policy.concurrency / 2)) {
        await Promise.race([...inFlight.values(), sleep(policy.blockMs, signal)]);
        lastPollAt = Date.now();
        continue;
      }
      try {
        const reply = await reader.xreadgroup(
          "GROUP",
          group,
          consumer,
          "COUNT",
          capacity(),
          "BLOCK",
          policy.blockMs,
          "STREAMS",
          stream,
          ">",
        ) as [string, [string, string[]][]][] | null;
        lastPollAt = Date.now();
        failures = 0;
        for (const [, entries] of reply ?? []) {
          for (const entry of entries) start(toDelivery(entry, 1));
        }
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        log.warn("read failed", { error: describeError(error) });
        if (error instanceof Error && error.message.startsWith("NOGROUP")) {
          await ensureGroup(redis, stream, group).catch(() => {});
        }
        await sleep(backoffDelay(failures, { baseMs: 200, capMs: 5000 }) + 50, signal);
      }
    }
  }

  async function leaveGroup(): Promise<void> {
    const pending = await redis.xpending(stream, group, "-", "+", 1, consumer) as unknown[];
    if (pending.length === 0) await redis.xgroup("DELCONSUMER", stream, group, consumer);
  }

  async function run(): Promise<void> {
    while (!signal.aborted) {
      try {
        await ensureGroup(redis, stream, group);
        break;
      } catch (error) {
        log.warn("cannot create the consumer group yet", { error: describeError(error) });
        await sleep(1000, signal);
      }
    }
    log.info("stage started", { group, consumer, stream });
    await readLoop();
    const drained = await Promise.race([
      Promise.allSettled([...inFlight.values()]).then(() => true),
      sleep(policy.drainTimeoutMs).then(() => false),
    ]);
    for (const stop of timers) stop();
    if (!drained) {
      log.warn("drain timeout: unfinished entries stay pending for another consumer", {
        inFlight: inFlight.size,
      });
    } else {await leaveGroup().catch((error) =>
        log.warn("could not leave the group", { error: describeError(error) })
      );}
    reader.disconnect();
    log.info("stage stopped", { group, consumer });
  }

  const done = run();
  return {
    done,
    health() {
      const lastPollAgoMs = Date.now() - lastPollAt;
      const status = redis.status;
      return {
        ready: status === "ready" && !signal.aborted &&
          lastPollAgoMs < Math.max(policy.watchdogMs, policy.blockMs * 2),
        redis: status,
        inFlight: inFlight.size,
        lastPollAgoMs,
      };
    },
  };
}
