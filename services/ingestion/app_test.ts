import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type TestRedis, testRedis } from "../../shared/_testing.ts";
import { silentLogger } from "../../shared/log.ts";
import { loadConfig } from "../../shared/config.ts";
import { parseEvent } from "../../shared/events.ts";
import { createGateway } from "./app.ts";

function gateway(t: TestRedis, env: Record<string, string> = {}) {
  const k = t.freshKeys();
  const config = loadConfig({ REDIS_URL: t.server.url, ...env });
  return { k, app: createGateway({ redis: t.redis, keys: k, config, logger: silentLogger }) };
}

const post = (
  body: BodyInit,
  headers: Record<string, string> = { "content-type": "text/plain" },
) => ({
  method: "POST",
  headers,
  body,
});

async function problemOf(res: Response) {
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  return await res.json();
}

describe("ingestion gateway", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("accepts a text upload: 202, stored body and text, one document.ingested event", async () => {
    const { k, app } = gateway(t);
    const res = await app.request("/documents", post("Hello invoice 42"));
    assert.equal(res.status, 202);
    const { documentId, status, links } = await res.json();
    assert.equal(status, "accepted");
    assert.equal(links.self, `/documents/${documentId}`);
    assert.equal(await t.redis.get(k.blob(documentId, "text")), "Hello invoice 42");
    const [[, fields]] = await t.redis.xrange(k.stream("document.ingested"), "-", "+") as [
      [string, string[]],
    ];
    const event = parseEvent(fields[1]);
    assert.equal(event.subject, documentId);
    assert.equal(event.type, "com.dip.document.ingested");
    const doc = await (await app.request(`/documents/${documentId}`)).json();
    assert.equal(doc.status, "ingested");
    assert.equal(doc.timeline.length, 1);
    assert.equal(
      await (await app.request(`/documents/${documentId}/content`)).text(),
      "Hello invoice 42",
    );
  });

  it("starts a trace for each upload, continuing the caller's traceparent when it sends one", async () => {
    const { k, app } = gateway(t);
    await app.request("/documents", post("no trace"));
    const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await app.request(
      "/documents",
      post("traced", { "content-type": "text/plain", traceparent: parent }),
    );
    const [first, second] = (await t.redis.xrange(k.stream("document.ingested"), "-", "+")).map((
      [, f],
    ) => parseEvent(f[1]));
    assert.match(first!.traceparent!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.match(
      second!.traceparent!,
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$/,
    );
  });

  it("accepts JSON with title, metadata and callbackUrl", async () => {
    const { app } = gateway(t);
    const res = await app.request(
      "/documents",
      post(
        JSON.stringify({
          text: "x y z",
          title: "T",
          metadata: { a: 1 },
          callbackUrl: "https://example.com/cb",
        }),
        { "content-type": "application/json" },
      ),
    );
    assert.equal(res.status, 202);
    const { documentId } = await res.json();
    const doc = await (await app.request(`/documents/${documentId}`)).json();
    assert.equal(doc.ingested.title, "T");
    assert.deepEqual(doc.ingested.metadata, { a: 1 });
    assert.equal(doc.ingested.callbackUrl, "https://example.com/cb");
  });

  it("answers bad JSON fields with 400 listing each field", async () => {
    const { app } = gateway(t);
    const res = await app.request(
      "/documents",
      post(JSON.stringify({ text: 5, callbackUrl: "ftp://x", extra: true }), {
        "content-type": "application/json",
      }),
    );
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    const fields = p.errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes("text") && fields.includes("callbackUrl"), JSON.stringify(p.errors));
  });

  it("answers 404 problem+json for an unknown document and an unknown route", async () => {
    const { app } = gateway(t);
    assert.equal((await problemOf(await app.request("/documents/nope"))).status, 404);
    assert.equal((await app.request("/nowhere")).status, 404);
  });

  it("answers 413 for a body over the limit, 415 for an unsupported type, 422 for an empty body", async () => {
    const { app } = gateway(t, { DIP_MAX_BODY_BYTES: "10" });
    const big = await app.request("/documents", post("x".repeat(11)));
    assert.equal(big.status, 413);
    assert.match((await problemOf(big)).detail, /limit of 10 bytes/);
    const unsupported = await app.request("/documents", post("x", { "content-type": "image/png" }));
    assert.equal(unsupported.status, 415);
    const empty = await app.request("/documents", post("", { "content-type": "text/plain" }));
    assert.equal(empty.status, 422);
  });

  it("answers 413 for a streamed body without a length, stopping at the limit", async () => {
    const { app } = gateway(t, { DIP_MAX_BODY_BYTES: "1000" });
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(600));
        if (pulled > 100) controller.close();
      },
    });
    const res = await app.request(
      "/documents",
      {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: stream,
        duplex: "half",
      } as RequestInit,
    );
    assert.equal(res.status, 413);
    assert.ok(pulled < 10, `read ${pulled} chunks`);
  });

  it("replays the same answer for a repeated Idempotency-Key and refuses a different body with 422", async () => {
    const { k, app } = gateway(t);
    const headers = { "content-type": "text/plain", "idempotency-key": "abc" };
    const first = await app.request("/documents", post("same body", headers));
    const second = await app.request("/documents", post("same body", headers));
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.equal((await first.json()).documentId, (await second.json()).documentId);
    assert.equal(await t.redis.xlen(k.stream("document.ingested")), 1);
    const other = await app.request("/documents", post("other body", headers));
    assert.equal(other.status, 422);
  });

  it("answers 503 with Retry-After while the classification backlog is above the bound", async () => {
    const { k, app } = gateway(t, { DIP_BACKPRESSURE_LAG: "3" });
    await t.redis.xgroup(
      "CREATE",
      k.stream("document.ingested"),
      "classification",
      "0",
      "MKSTREAM",
    );
    for (let i = 0; i < 4; i++) {
      assert.equal((await app.request("/documents", post(`doc ${i}`))).status, 202);
    }
    await new Promise((r) => setTimeout(r, 300));
    const res = await app.request("/documents", post("one too many"));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.match((await problemOf(res)).detail, /backlog \(4 documents\)/);
  });

  it("requires a valid API key with the right role when keys are configured", async () => {
    const { app } = gateway(t, {
      DIP_API_KEYS: "up:uploader-secret-123456:ingest,rd:reader-secret-1234567:read",
    });
    assert.equal((await app.request("/documents", post("x"))).status, 401);
    assert.equal(
      (await app.request(
        "/documents",
        post("x", { "content-type": "text/plain", authorization: "Bearer wrong-secret-000000" }),
      )).status,
      401,
    );
    assert.equal(
      (await app.request(
        "/documents",
        post("x", { "content-type": "text/plain", "x-api-key": "reader-secret-1234567" }),
      )).status,
      403,
    );
    const ok = await app.request(
      "/documents",
      post("x", { "content-type": "text/plain", authorization: "Bearer uploader-secret-123456" }),
    );
    assert.equal(ok.status, 202);
    const { documentId } = await ok.json();
    assert.equal(
      (await app.request(`/documents/${documentId}`, {
        headers: { "x-api-key": "reader-secret-1234567" },
      })).status,
      200,
    );
  });

  it("reports readiness from the Redis connection", async () => {
    const { app } = gateway(t);
    const res = await app.request("/readyz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ready", checks: { redis: true } });
  });
});
