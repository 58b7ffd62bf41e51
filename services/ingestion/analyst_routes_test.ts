import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  classifyAsInvoice,
  eventually,
  startClassificationStage,
  type TestRedis,
  testRedis,
} from "../../shared/_testing.ts";
import { silentLogger } from "../../shared/log.ts";
import { loadConfig } from "../../shared/config.ts";
import { PermanentError } from "../../shared/errors.ts";
import { createGateway } from "./app.ts";

describe("analysts' API", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  function setup() {
    const k = t.freshKeys();
    const app = createGateway({
      redis: t.redis,
      keys: k,
      config: loadConfig({ REDIS_URL: t.server.url }),
      logger: silentLogger,
    });
    const upload = async (text: string) =>
      (await (await app.request("/documents", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: text,
      })).json()).documentId as string;
    return { k, app, upload };
  }

  it("lists documents newest first, with filters and cursor paging", async () => {
    const { app, upload } = setup();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await upload(`document ${i}`));
    const seen: string[] = [];
    let next: string | null = "/documents?limit=2";
    while (next) {
      const page: { items: { documentId: string; status: string }[]; next: string | null } =
        await (await app.request(next)).json();
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((d) => d.documentId));
      next = page.next;
    }
    assert.deepEqual(seen, [...ids].reverse());
    const filtered = await (await app.request("/documents?status=completed")).json();
    assert.equal(filtered.items.length, 0);
    assert.equal((await app.request("/documents?limit=0")).status, 400);
  });

  it("reports stages, dead letters and latency; redrives a dead letter over HTTP", async () => {
    const { k, app, upload } = setup();
    let failing = true;
    const stage = startClassificationStage(t.redis, k, (e) => {
      if (failing && e.data.documentId === poison) {
        throw new PermanentError("cannot classify this one");
      }
      return classifyAsInvoice(e);
    });
    const poison = await upload("a poison document");
    for (let i = 0; i < 3; i++) await upload(`good ${i}`);
    await eventually(async () =>
      (await t.redis.xlen(k.stream("document.classified"))) === 3 &&
      (await t.redis.xlen(k.dlq("classification"))) === 1
    );
    const p = await (await app.request("/pipeline")).json();
    const cls = p.stages.find((s: { group: string }) => s.group === "classification");
    assert.equal(p.ingested, 4);
    assert.deepEqual([
      cls.length,
      cls.lag,
      cls.pending,
      cls.dlqDepth,
      cls.processed,
      cls.deadLettered,
    ], [4, 0, 0, 1, 3, 1]);
    assert.equal(cls.latencyMs.samples, 3);
    assert.ok(cls.ratePerSecond > 0);
    const routing = p.stages.find((s: { group: string }) => s.group === "routing");
    assert.equal(routing.lag, 3, "no routing group yet: everything is backlog");

    const metrics = await (await app.request("/metrics")).text();
    assert.match(metrics, /dip_dlq_depth\{group="classification"\} 1/);
    assert.match(metrics, /dip_processed_total\{group="classification"\} 3/);

    const dlq = await (await app.request("/dlq/classification")).json();
    assert.equal(dlq.depth, 1);
    assert.equal(dlq.items[0].documentId, poison);
    assert.match(dlq.items[0].error, /cannot classify this one/);
    assert.equal((await app.request("/dlq/nobody")).status, 404);
    const malformed = await app.request("/dlq/classification/replay", {
      method: "POST",
      body: "{oops",
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get("content-type"), "application/problem+json");
    assert.match((await malformed.json()).detail, /not valid JSON/);

    failing = false;
    const redrive = await app.request("/dlq/classification/replay", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: [dlq.items[0].id] }),
    });
    assert.equal((await redrive.json()).redriven, 1);
    await eventually(async () => (await t.redis.hget(k.doc(poison), "status")) === "classified");
    await stage.stop();
    assert.equal(await t.redis.xlen(k.dlq("classification")), 0);
  });

  it("streams pipeline events live over SSE", async () => {
    const { app, upload } = setup();
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
    const abort = new AbortController();
    try {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/events`, {
        signal: abort.signal,
      });
      assert.equal(res.headers.get("content-type"), "text/event-stream");
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      await new Promise((r) => setTimeout(r, 200));
      const id = await upload("live");
      let text = "";
      while (!text.includes(id)) text += (await reader.read()).value ?? "";
      assert.match(text, /event: document.ingested/);
      await reader.cancel();
    } finally {
      abort.abort();
      await server.shutdown();
    }
  });

  it("serves the OpenAPI document and the dashboard", async () => {
    const { app } = setup();
    const spec = await (await app.request("/openapi.json")).json();
    assert.equal(spec.openapi, "3.1.0");
    assert.ok(spec.paths["/documents"].post);
    const html = await (await app.request("/")).text();
    assert.match(html, /<title>dip — pipeline<\/title>/);
  });
});
