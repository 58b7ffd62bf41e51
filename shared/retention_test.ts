import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type TestRedis, testRedis } from "./_testing.ts";
import { sweepDocuments } from "./retention.ts";

describe("sweepDocuments()", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("deletes every key of documents older than the cut-off, and nothing of newer ones", async () => {
    const k = t.freshKeys();
    const make = async (id: string, createdMs: number) => {
      await t.redis.multi()
        .hset(k.doc(id), "status", "completed")
        .rpush(k.timeline(id), "{}")
        .set(k.blob(id, "content"), "c").set(k.blob(id, "text"), "t").set(k.response(id), "r")
        .zadd(k.docIndex(), createdMs, id)
        .exec();
    };
    await make("old-1", 1000);
    await make("old-2", 2000);
    await make("new", 5000);
    assert.equal(await sweepDocuments(t.redis, k, 3000, 1), 1);
    assert.equal(await sweepDocuments(t.redis, k, 3000), 1);
    assert.equal(await sweepDocuments(t.redis, k, 3000), 0);
    for (const id of ["old-1", "old-2"]) {
      assert.equal(
        await t.redis.exists(
          k.doc(id),
          k.timeline(id),
          k.blob(id, "content"),
          k.blob(id, "text"),
          k.response(id),
        ),
        0,
      );
    }
    assert.equal(
      await t.redis.exists(
        k.doc("new"),
        k.timeline("new"),
        k.blob("new", "content"),
        k.blob("new", "text"),
        k.response("new"),
      ),
      5,
    );
    assert.deepEqual(await t.redis.zrange(k.docIndex(), 0, -1), ["new"]);
  });
});
