import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type TestRedis, testRedis } from "./_testing.ts";
import { groupStates, lagOf } from "./lag.ts";

describe("lag", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("reports lag Redis cannot compute (after a deletion) as unknown, and lagOf() counts it directly", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await t.redis.xadd(stream, "*", "n", String(i)));
    await t.redis.xgroup("CREATE", stream, "g", "0");
    await t.redis.xreadgroup("GROUP", "g", "c", "COUNT", 1, "STREAMS", stream, ">");
    await t.redis.xdel(stream, ids[3]!);
    const [state] = await groupStates(t.redis, stream);
    assert.equal(state!.lag, null, "XINFO GROUPS reports lag as nil here");
    assert.equal(await lagOf(t.redis, stream, "g", 100), 3);
    assert.equal(await lagOf(t.redis, stream, "missing", 100), null);
  });

  it("reads lag, pending and consumers of each group", async () => {
    const k = t.freshKeys();
    const stream = k.stream("document.ingested");
    for (let i = 0; i < 4; i++) await t.redis.xadd(stream, "*", "n", String(i));
    await t.redis.xgroup("CREATE", stream, "g", "0");
    await t.redis.xreadgroup("GROUP", "g", "c", "COUNT", 3, "STREAMS", stream, ">");
    const [state] = await groupStates(t.redis, stream);
    assert.deepEqual([state!.lag, state!.pending, state!.consumers], [1, 3, 1]);
    assert.deepEqual(await groupStates(t.redis, "no-such-stream"), []);
  });
});
