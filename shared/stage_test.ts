import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type StagePolicy } from "./stage.ts";
import { type DipEvent, parseEvent } from "./events.ts";
import { PermanentError, TransientError } from "./errors.ts";
import {
  classifyAsInvoice,
  eventually,
  ingestedEvent,
  startClassificationStage,
  type TestRedis,
  testRedis,
} from "./_testing.ts";
import type { Keys } from "./keys.ts";
import type { Handler } from "./middleware/types.ts";
import { removeIdleConsumers, trimAcknowledged } from "./pel.ts";

const classify: Handler = classifyAsInvoice;

async function publish(t: TestRedis, k: Keys, event: DipEvent) {
  return await t.redis.xadd(k.stream("document.ingested"), "*", "event", JSON.stringify(event));
}

async function outputs(t: TestRedis, k: Keys, suffix = "document.classified"): Promise<DipEvent[]> {
  const rows = await t.redis.xrange(k.stream(suffix), "-", "+");
  return rows.map(([, fields]) => parseEvent(fields[1]));
}

async function pendingCount(t: TestRedis, k: Keys, group = "classification"): Promise<number> {
  const summary = await t.redis.xpending(k.stream("document.ingested"), group) as [number];
  return summary[0];
}

function start(
  t: TestRedis,
  k: Keys,
  handler: Handler,
  policy: Partial<StagePolicy> = {},
  consumer = "c1",
  random?: () => number,
) {
  return startClassificationStage(t.redis, k, handler, {
    policy,
    consumer,
    ...(random ? { random } : {}),
  });
}

describe("runStage()", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("hands an event on: output, read model, marker and XACK in one step", async () => {
    const k = t.freshKeys();
    const input = ingestedEvent();
    await publish(t, k, input);
    const s = start(t, k, classify);
    const [out] = await eventually(async () =>
      (await outputs(t, k)).length === 1 && await outputs(t, k)
    );
    await s.stop();
    assert.equal(out!.causationid, input.id);
    assert.equal(out!.correlationid, input.subject);
    assert.equal(await pendingCount(t, k), 0);
    assert.equal(await t.redis.hget(k.doc(input.subject), "status"), "classified");
    assert.equal(await t.redis.exists(k.processed("classification", input.id)), 1);
    assert.equal((await t.redis.lrange(k.timeline(input.subject), 0, -1)).length, 1);
  });

  it("continues the input's trace in the output's traceparent", async () => {
    const k = t.freshKeys();
    const input = {
      ...ingestedEvent(),
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };
    await publish(t, k, input);
    const s = start(t, k, classify);
    const [out] = await eventually(() => outputs(t, k).then((o) => o.length === 1 && o));
    await s.stop();
    assert.match(out!.traceparent!, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    assert.notEqual(out!.traceparent, input.traceparent);
  });

  it("acks a redelivered event whose marker exists without a second output", async () => {
    const k = t.freshKeys();
    const input = ingestedEvent();
    await publish(t, k, input);
    await publish(t, k, input);
    let calls = 0;
    const s = start(t, k, (e) => {
      calls++;
      return classify(e);
    });
    await eventually(async () => await pendingCount(t, k) === 0 && calls >= 2);
    await s.stop();
    assert.equal((await outputs(t, k)).length, 1);
    assert.equal(await t.redis.hget(k.stats("classification"), "duplicates"), "1");
  });

  it("sends entries that are not valid events to the DLQ with the reason, and keeps flowing", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    await t.redis.xadd(stream, "*", "event", "{not json");
    await t.redis.xadd(stream, "*", "other", "field");
    await t.redis.xadd(
      stream,
      "*",
      "event",
      JSON.stringify({ ...ingestedEvent(), id: "not-a-uuid" }),
    );
    const good = ingestedEvent();
    await publish(t, k, good);
    const s = start(t, k, classify);
    await eventually(async () =>
      (await t.redis.xlen(k.dlq("classification"))) === 3 && (await outputs(t, k)).length === 1
    );
    await s.stop();
    const dlq = await t.redis.xrange(k.dlq("classification"), "-", "+");
    const reasons = dlq.map(([, f]) => f[f.indexOf("error") + 1]);
    assert.match(reasons[0]!, /not JSON/);
    assert.match(reasons[1]!, /no `event` field/);
    assert.match(reasons[2]!, /id: Invalid UUID/);
    assert.equal(await pendingCount(t, k), 0);
  });

  it("retries a transient failure with growing backoff and then succeeds", async () => {
    const k = t.freshKeys();
    const input = ingestedEvent();
    await publish(t, k, input);
    const calls: number[] = [];
    const s = start(
      t,
      k,
      (e) => {
        calls.push(Date.now());
        if (calls.length <= 3) throw new TransientError("peer timed out");
        return classify(e);
      },
      { maxAttempts: 5, retryBaseMs: 100, retryCapMs: 300 },
      "c-retry",
      () => 0.999,
    );
    await eventually(async () => (await outputs(t, k)).length === 1);
    await s.stop();
    assert.equal(calls.length, 4);
    // jitter pinned near its top: delays ≈ 100, 200, 300 (capped) ms
    const gaps = calls.slice(1).map((at, i) => at - calls[i]!);
    assert.ok(gaps[0]! >= 99 && gaps[1]! >= 199 && gaps[2]! >= 299, `gaps ${gaps}`);
    assert.equal(await t.redis.xlen(k.dlq("classification")), 0);
    assert.equal(await t.redis.hlen(k.failures("classification")), 0);
    assert.equal(await pendingCount(t, k), 0);
  });

  it("dead-letters after maxAttempts deliveries, with attempts = max, and emits document.failed", async () => {
    const k = t.freshKeys();
    const input = ingestedEvent();
    await publish(t, k, input);
    let calls = 0;
    const s = start(t, k, () => {
      calls++;
      throw new TransientError("always down");
    }, { maxAttempts: 3 });
    await eventually(async () => (await t.redis.xlen(k.dlq("classification"))) === 1);
    await s.stop();
    assert.equal(calls, 3);
    const [[, fields]] = await t.redis.xrange(k.dlq("classification"), "-", "+") as [
      [string, string[]],
    ];
    const entry = Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]])));
    assert.equal(entry.attempts, "3");
    assert.match(entry.error!, /always down/);
    assert.ok(entry.firstFailureAt! <= entry.lastFailureAt!);
    assert.equal(parseEvent(entry.event).id, input.id);
    const [failed] = await outputs(t, k, "document.failed");
    assert.equal(failed!.data.documentId, input.subject);
    assert.equal(failed!.causationid, input.id);
    assert.equal(await t.redis.hget(k.doc(input.subject), "status"), "failed");
    assert.equal(await pendingCount(t, k), 0);
  });

  it("dead-letters a permanent error at once, without retries", async () => {
    const k = t.freshKeys();
    await publish(t, k, ingestedEvent());
    let calls = 0;
    const s = start(t, k, () => {
      calls++;
      throw new PermanentError("unknown document");
    });
    await eventually(async () => (await t.redis.xlen(k.dlq("classification"))) === 1);
    await s.stop();
    assert.equal(calls, 1);
  });

  it("does not block other entries while one waits for its retry", async () => {
    const k = t.freshKeys();
    const slow = ingestedEvent();
    await publish(t, k, slow);
    const others = Array.from({ length: 5 }, () => ingestedEvent());
    for (const e of others) await publish(t, k, e);
    let slowCalls = 0;
    const s = start(t, k, (e) => {
      if (e.id === slow.id && ++slowCalls === 1) throw new TransientError("later");
      return classify(e);
    }, { retryBaseMs: 2000, retryCapMs: 2000 });
    const done = await eventually(async () => {
      const ids = new Set((await outputs(t, k)).map((o) => o.causationid));
      return others.every((o) => ids.has(o.id)) && ids;
    });
    assert.equal(done.has(slow.id), false, "the failed entry waits for its backoff");
    await eventually(async () => (await outputs(t, k)).length === 6, 10_000);
    await s.stop();
  });

  it("reclaims entries a crashed consumer left pending", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    await t.redis.xgroup("CREATE", stream, "classification", "0", "MKSTREAM");
    const input = ingestedEvent();
    await publish(t, k, input);
    // a consumer reads the entry and dies before handing off
    await t.redis.xreadgroup(
      "GROUP",
      "classification",
      "dead",
      "COUNT",
      10,
      "STREAMS",
      stream,
      ">",
    );
    const s = start(t, k, classify, {}, "survivor");
    await eventually(async () => (await outputs(t, k)).length === 1);
    await s.stop();
    assert.equal(await pendingCount(t, k), 0);
  });

  it("keeps a slow in-flight entry from being stolen by another consumer", async () => {
    const k = t.freshKeys();
    await publish(t, k, ingestedEvent());
    let calls = 0;
    const slowHandler: Handler = async (e) => {
      calls++;
      await new Promise((r) => setTimeout(r, 2000));
      return classify(e);
    };
    const a = start(t, k, slowHandler, { visibilityTimeoutMs: 400 }, "a");
    await eventually(() => calls === 1);
    const b = start(t, k, slowHandler, { visibilityTimeoutMs: 400 }, "b");
    await eventually(async () => (await outputs(t, k)).length === 1, 8000);
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(calls, 1);
  });

  it("drops pending entries whose stream entry was deleted, and records it", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    await t.redis.xgroup("CREATE", stream, "classification", "0", "MKSTREAM");
    const id = await publish(t, k, ingestedEvent());
    await t.redis.xreadgroup(
      "GROUP",
      "classification",
      "dead",
      "COUNT",
      10,
      "STREAMS",
      stream,
      ">",
    );
    await t.redis.xdel(stream, id!);
    const s = start(t, k, classify);
    await eventually(async () =>
      (await t.redis.hget(k.stats("classification"), "trimmedPending")) === "1"
    );
    await s.stop();
    assert.equal(await pendingCount(t, k), 0);
  });

  it("adds outputs to further streams (team queues) in the same hand-off", async () => {
    const k = t.freshKeys();
    await publish(t, k, ingestedEvent());
    const s = startClassificationStage(t.redis, k, classify, {
      consumer: "c-copies",
      copies: () => [k.queue("billing"), k.queue("audit")],
    });
    await eventually(async () => (await t.redis.xlen(k.queue("audit"))) === 1);
    await s.stop();
    const [[, fields]] = await t.redis.xrange(k.queue("billing"), "-", "+") as unknown as [
      [string, string[]],
    ];
    assert.equal(parseEvent(fields[1]).type, "com.dip.document.classified");
    assert.equal((await outputs(t, k)).length, 1);
  });

  it("finishes in-flight work when stopped, and leaves the group", async () => {
    const k = t.freshKeys();
    await publish(t, k, ingestedEvent());
    let started = false;
    const s = start(t, k, async (e) => {
      started = true;
      await new Promise((r) => setTimeout(r, 500));
      return classify(e);
    });
    await eventually(() => started);
    await s.stop();
    assert.equal((await outputs(t, k)).length, 1);
    assert.equal(await pendingCount(t, k), 0);
    const consumers = await t.redis.xinfo(
      "CONSUMERS",
      k.stream("document.ingested"),
      "classification",
    ) as unknown[];
    assert.equal(consumers.length, 0);
  });
});

describe("runStage() when Redis misbehaves", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("keeps consuming after every client connection is killed", async () => {
    const k = t.freshKeys();
    const s = start(t, k, classify);
    await publish(t, k, ingestedEvent());
    await eventually(async () => (await outputs(t, k)).length === 1);
    await t.redis.client("KILL", "TYPE", "normal");
    await new Promise((r) => setTimeout(r, 300));
    await publish(t, k, ingestedEvent());
    await eventually(
      async () => (await outputs(t, k)).length === 2,
      10_000,
      "second output after reconnect",
    );
    await s.stop();
  });

  it("turns not ready when its read loop stops polling (watchdog), and ready again after", async () => {
    const k = t.freshKeys();
    const s = start(t, k, classify, { blockMs: 100, watchdogMs: 400 });
    await eventually(() => s.stage.health().ready);
    const admin = t.redis.duplicate();
    await admin.client("PAUSE", 1500, "ALL");
    await eventually(() => !s.stage.health().ready, 3000, "not ready while Redis is paused");
    await eventually(() => s.stage.health().ready, 5000, "ready after the pause");
    admin.disconnect();
    await s.stop();
  });
});

describe("housekeeping", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("trimAcknowledged() keeps every entry some group has not acknowledged", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    for (let i = 0; i < 10; i++) await t.redis.xadd(stream, "*", "n", String(i));
    await t.redis.xgroup("CREATE", stream, "fast", "0");
    await t.redis.xgroup("CREATE", stream, "slow", "0");
    const fast = await t.redis.xreadgroup(
      "GROUP",
      "fast",
      "f",
      "COUNT",
      10,
      "STREAMS",
      stream,
      ">",
    ) as [string, [string][]][];
    for (const [id] of fast[0]![1]) await t.redis.xack(stream, "fast", id);
    const slow = await t.redis.xreadgroup(
      "GROUP",
      "slow",
      "s",
      "COUNT",
      6,
      "STREAMS",
      stream,
      ">",
    ) as [string, [string][]][];
    const slowIds = slow[0]![1].map(([id]) => id);
    for (const id of slowIds.slice(0, 4)) await t.redis.xack(stream, "slow", id);
    // slow: 4 acked, 2 pending, 4 undelivered → the 6 from the first pending on must stay
    assert.equal(await trimAcknowledged(t.redis, stream, 0), 4);
    assert.equal(await t.redis.xlen(stream), 6);
    const [[first]] = await t.redis.xrange(stream, "-", "+", "COUNT", 1) as unknown as [[string]];
    assert.equal(first, slowIds[4]);
  });

  it("trimAcknowledged() keeps acknowledged entries younger than the retention window", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    for (let i = 0; i < 3; i++) await t.redis.xadd(stream, "*", "n", String(i));
    assert.equal(await trimAcknowledged(t.redis, stream, 60_000), 0);
  });

  it("a stage trims every event stream past retention, but never entries a group still needs", async () => {
    const k = t.freshKeys();
    const outcome = k.stream("response.generated");
    for (let i = 0; i < 3; i++) await t.redis.xadd(outcome, "*", "n", String(i));
    await t.redis.xgroup("CREATE", outcome, "external-team", "$");
    await t.redis.xadd(outcome, "*", "n", "unread by the external team");
    await publish(t, k, ingestedEvent());
    const s = start(t, k, classify, { housekeepingMs: 100, retentionMs: 0 });
    await eventually(async () => (await t.redis.xlen(outcome)) === 1, 5000, "old outcomes trimmed");
    await eventually(
      async () => (await t.redis.xlen(k.stream("document.ingested"))) === 0,
      5000,
      "acknowledged input trimmed",
    );
    await s.stop();
    const [[, fields]] = await t.redis.xrange(outcome, "-", "+") as unknown as [[string, string[]]];
    assert.equal(fields[1], "unread by the external team");
  });

  it("removeIdleConsumers() removes only consumers that own nothing", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    await t.redis.xadd(stream, "*", "n", "1");
    await t.redis.xgroup("CREATE", stream, "g", "0");
    await t.redis.xreadgroup("GROUP", "g", "owner", "COUNT", 1, "STREAMS", stream, ">");
    await t.redis.xgroup("CREATECONSUMER", stream, "g", "idle");
    await t.redis.xgroup("CREATECONSUMER", stream, "g", "me");
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(await removeIdleConsumers(t.redis, stream, "g", "me", 10), ["idle"]);
  });
});
