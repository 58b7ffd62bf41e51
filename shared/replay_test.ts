import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  classifyAsInvoice,
  eventually,
  ingestedEvent,
  startClassificationStage,
  type TestRedis,
  testRedis,
} from "./_testing.ts";
import { parseEvent } from "./events.ts";
import { PermanentError } from "./errors.ts";
import { redriveDeadLetters, replayEvents, toStreamId } from "./replay.ts";
import type { Handler } from "./middleware/types.ts";

describe("replay and redrive", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  const stage = (k: ReturnType<TestRedis["freshKeys"]>, handler: Handler) =>
    startClassificationStage(t.redis, k, handler, { consumer: "c" }).stop;

  const classify: Handler = classifyAsInvoice;

  it("redrives a dead letter as a new generation that the stage then processes", async () => {
    const k = t.freshKeys();
    const input = ingestedEvent();
    await t.redis.xadd(k.stream("document.ingested"), "*", "event", JSON.stringify(input));
    await t.redis.xadd(k.stream("document.ingested"), "*", "event", "not json");
    let broken = true;
    const stop = stage(
      k,
      (e) => (broken ? Promise.reject(new PermanentError("model missing")) : classify(e)),
    );
    await eventually(async () => (await t.redis.xlen(k.dlq("classification"))) === 2);
    broken = false;
    const dry = await redriveDeadLetters(t.redis, k, "classification", { dryRun: true });
    assert.deepEqual(dry.map((r) => r.status).sort(), ["dry-run", "not-redrivable"]);
    assert.equal(await t.redis.xlen(k.dlq("classification")), 2);
    const results = await redriveDeadLetters(t.redis, k, "classification");
    const redriven = results.find((r) => r.status === "redriven")!;
    const refused = results.find((r) => r.status === "not-redrivable")!;
    assert.match(refused.reason!, /not JSON/);
    const rows = await eventually(async () => {
      const r = await t.redis.xrange(k.stream("document.classified"), "-", "+");
      return r.length === 1 && r;
    });
    await stop();
    const out = parseEvent(rows[0]![1][1]);
    assert.equal(out.dipreplay, 1);
    assert.equal(out.causationid, redriven.eventId);
    assert.notEqual(redriven.eventId, input.id);
    assert.equal(out.correlationid, input.subject);
    assert.equal(await t.redis.xlen(k.dlq("classification")), 1, "the unredrivable entry stays");
    assert.equal(await t.redis.hget(k.doc(input.subject), "status"), "classified");
  });

  it("replays a document's events again and again, each time as a new generation", async () => {
    const k = t.freshKeys();
    const a = ingestedEvent(), b = ingestedEvent();
    for (const e of [a, b]) {
      await t.redis.xadd(k.stream("document.ingested"), "*", "event", JSON.stringify(e));
    }
    const stop = stage(k, classify);
    await eventually(async () => (await t.redis.xlen(k.stream("document.classified"))) === 2);
    assert.equal(
      await replayEvents(t.redis, k, { type: "document.ingested", documentId: a.subject }, {
        dryRun: true,
      }),
      1,
    );
    assert.equal(
      await replayEvents(t.redis, k, { type: "document.ingested", documentId: a.subject }),
      1,
    );
    await eventually(async () => (await t.redis.xlen(k.stream("document.classified"))) === 3);
    assert.equal(
      await replayEvents(t.redis, k, {
        type: "document.ingested",
        documentId: a.subject,
        limit: 1,
      }),
      1,
    );
    await eventually(async () => (await t.redis.xlen(k.stream("document.classified"))) === 4);
    await stop();
    const gens = (await t.redis.xrange(k.stream("document.classified"), "-", "+")).map(([, f]) =>
      parseEvent(f[1])
    )
      .filter((e) => e.subject === a.subject).map((e) => e.dipreplay);
    assert.deepEqual(gens, [0, 1, 2]);
  });

  it("reads bounds as stream ids, milliseconds or ISO times", () => {
    assert.equal(toStreamId("1700000000000-3"), "1700000000000-3");
    assert.equal(toStreamId("2026-01-01T00:00:00Z"), "1767225600000");
    assert.throws(() => toStreamId("yesterday"), /neither a stream id nor a date/);
  });
});
