/**
 * Test helpers: a private redis-server per test file (never a fake), unique key prefixes per
 * test, and polling until a condition holds.
 */
import { connectRedis, type Redis } from "./redis.ts";
import { type RedisServer, startRedisServer } from "./redis_server.ts";
import { type Keys, keys } from "./keys.ts";
import { createEvent, type DipEvent } from "./events.ts";
import { tracing } from "./middleware/tracing.ts";
import type { Handler } from "./middleware/types.ts";
import { runStage, type StagePolicy } from "./stage.ts";

/** A private Redis for one test file, with a client connected to it. */
export interface TestRedis {
  server: RedisServer;
  redis: Redis;
  /** Fresh keys under a prefix no other test uses. */
  freshKeys(): Keys & { prefix: string };
  close(): Promise<void>;
}

let counter = 0;

/** Starts a private redis-server (optionally persistent in `dir`) and connects to it. */
export async function testRedis(dir?: string): Promise<TestRedis> {
  const server = await startRedisServer(dir ? { dir, fsync: "always" } : {});
  const redis = connectRedis(server.url, { name: "dip-test" });
  return {
    server,
    redis,
    freshKeys() {
      const prefix = `t${++counter}x${crypto.randomUUID().slice(0, 8)}`;
      return { ...keys(prefix), prefix };
    },
    async close() {
      redis.disconnect();
      await server.stop();
    },
  };
}

/** Polls `check` every 25 ms until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = "condition",
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as Exclude<T, false | null | undefined | 0 | "">;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`,
  );
}

/** A valid `document.ingested` event for a made-up document. */
export function ingestedEvent(
  documentId: string = crypto.randomUUID(),
  extra: { callbackUrl?: string } = {},
): DipEvent<"com.dip.document.ingested"> {
  return createEvent({
    type: "com.dip.document.ingested",
    source: "dip/test",
    data: {
      documentId,
      contentType: "text/plain",
      size: 5,
      sha256: "0".repeat(64),
      source: "test",
      metadata: {},
      textRef: `blob:${documentId}:text`,
      contentRef: `blob:${documentId}:content`,
      chars: 5,
      ...extra,
    },
  });
}

/** A stage handler for tests: classifies every document as an invoice (confidence 0.9). */
export const classifyAsInvoice = (event: DipEvent): Promise<DipEvent[]> =>
  Promise.resolve([createEvent({
    type: "com.dip.document.classified",
    source: "dip/test",
    cause: event,
    data: {
      documentId: event.subject,
      category: "invoice",
      confidence: 0.9,
      scores: [{ category: "invoice", probability: 0.9 }],
      model: { name: "test", version: "1" },
    },
  })]);

/** Options of {@link startClassificationStage}. */
export interface TestStageOptions {
  policy?: Partial<StagePolicy>;
  consumer?: string;
  random?: () => number;
  copies?: (output: DipEvent) => string[];
}

/**
 * Runs a classification stage in this process with fast test timings (block 100 ms, visibility
 * 600 ms, retries 50–200 ms); `stop()` aborts it and waits until it has drained.
 */
export function startClassificationStage(
  redis: Redis,
  k: Keys,
  handler: Handler,
  o: TestStageOptions = {},
) {
  const controller = new AbortController();
  const stage = runStage({
    redis,
    keys: k,
    group: "classification",
    consumer: o.consumer ?? "c1",
    input: "com.dip.document.ingested",
    handler,
    middleware: [tracing("classification")],
    signal: controller.signal,
    policy: {
      blockMs: 100,
      visibilityTimeoutMs: 600,
      retryBaseMs: 50,
      retryCapMs: 200,
      retryPollMs: 20,
      drainTimeoutMs: 5000,
      ...o.policy,
    },
    ...(o.random ? { random: o.random } : {}),
    ...(o.copies ? { copies: o.copies } : {}),
  });
  return {
    stage,
    stop: async () => {
      controller.abort();
      await stage.done;
    },
  };
}
