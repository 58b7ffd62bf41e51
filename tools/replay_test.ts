import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ingestedEvent, type TestRedis, testRedis } from "../shared/_testing.ts";
import { parseEvent } from "../shared/events.ts";

const ROOT = new URL("..", import.meta.url).pathname;

describe("deno task replay", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  const run = async (prefix: string, ...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}tools/replay.ts`, ...args],
      env: { REDIS_URL: t.server.url, DIP_PREFIX: prefix, NO_COLOR: "1" },
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };

  it("replays one document's events as a new generation; --dry-run changes nothing", async () => {
    const k = t.freshKeys();
    const a = ingestedEvent(), b = ingestedEvent();
    for (const e of [a, b]) {
      await t.redis.xadd(k.stream("document.ingested"), "*", "event", JSON.stringify(e));
    }
    const dry = await run(
      k.prefix,
      "--type",
      "document.ingested",
      "--document",
      a.subject,
      "--dry-run",
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: 1 events would be replayed/);
    assert.equal(await t.redis.xlen(k.stream("document.ingested")), 2);
    const real = await run(k.prefix, "--type", "document.ingested", "--document", a.subject);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /replayed 1 events/);
    const rows = await t.redis.xrange(k.stream("document.ingested"), "-", "+");
    const last = parseEvent(rows.at(-1)![1][1]);
    assert.equal(last.subject, a.subject);
    assert.equal(last.dipreplay, 1);
  });

  it("redrives a DLQ", async () => {
    const k = t.freshKeys();
    const e = ingestedEvent();
    await t.redis.xadd(
      k.dlq("classification"),
      "*",
      "event",
      JSON.stringify(e),
      "error",
      "x",
      "stream",
      k.stream("document.ingested"),
    );
    const r = await run(k.prefix, "--dlq", "classification");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /redriven 1, not redrivable 0/);
    assert.equal(await t.redis.xlen(k.dlq("classification")), 0);
    assert.equal(await t.redis.xlen(k.stream("document.ingested")), 1);
  });

  it("answers --help, and bad arguments with a clear error and exit code 2", async () => {
    const help = await run("x", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage:/);
    const bad = await run("x", "--type", "nope");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--type must be one of/);
    const both = await run("x", "--type", "document.ingested", "--dlq", "routing");
    assert.equal(both.code, 2);
    const id = await run("x", "--dlq", "routing", "--id", "garbage");
    assert.equal(id.code, 2);
    assert.match(id.stderr, /--id must be a DLQ entry id/);
    const when = await run("x", "--type", "document.ingested", "--from", "yesterday");
    assert.match(when.stderr, /neither a stream id nor a date/);
  });
});
