import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CloudEvent, emitterFor, httpTransport, Mode } from "cloudevents";
import fc from "fast-check";
import { type TestRedis, testRedis } from "../../shared/_testing.ts";
import { silentLogger } from "../../shared/log.ts";
import { loadConfig } from "../../shared/config.ts";
import { createGateway } from "./app.ts";
import { makeDocx, makeEmail, makePdf } from "./_fixtures.ts";

function gateway(t: TestRedis, env: Record<string, string> = {}) {
  const k = t.freshKeys();
  const config = loadConfig({ REDIS_URL: t.server.url, ...env });
  return { k, app: createGateway({ redis: t.redis, keys: k, config, logger: silentLogger }) };
}

type App = ReturnType<typeof gateway>["app"];

async function upload(app: App, body: BodyInit, headers: Record<string, string>) {
  const res = await app.request("/documents", { method: "POST", headers, body });
  const json = await res.json();
  assert.equal(res.status, 202, JSON.stringify(json));
  const doc = await (await app.request(`/documents/${json.documentId}`)).json();
  const text = await (await app.request(`/documents/${json.documentId}/text`)).text();
  return { doc, text, id: json.documentId as string };
}

describe("ways in", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("takes every format as a raw body and serves the original and its text", async () => {
    const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const { app } = gateway(t);
    const cases: [Uint8Array<ArrayBuffer>, string, RegExp][] = [
      [
        makePdf(["Quarterly invoice", "Amount due 10.00 EUR"]),
        "application/pdf",
        /Amount due 10.00 EUR/,
      ],
      [makeDocx(["Service agreement between the parties"]), DOCX, /Service agreement/],
      [makeEmail(), "message/rfc822", /password reset link/],
      [
        new TextEncoder().encode(
          "<html><body><p>Hello <i>html</i></p><script>x()</script></body></html>",
        ),
        "text/html",
        /^Hello html$/,
      ],
      [
        new TextEncoder().encode('{"a":{"b":"json value"}}'),
        "application/json",
        /a\.b: json value/,
      ],
    ];
    for (const [bytes, type, expected] of cases) {
      const headers: Record<string, string> = { "content-type": type, "x-dip-title": "T" };
      if (type === "application/json") headers["x-dip-raw"] = "true";
      const { doc, text, id } = await upload(app, bytes, headers);
      assert.match(text, expected, type);
      assert.equal(doc.ingested.contentType, type);
      assert.equal(doc.ingested.size, bytes.length);
      const content = await app.request(`/documents/${id}/content`);
      assert.equal(content.headers.get("content-type"), type);
      assert.deepEqual(new Uint8Array(await content.arrayBuffer()), bytes);
    }
  });

  it("takes a PDF declared as application/octet-stream (sniffed), recording its pages", async () => {
    const { app } = gateway(t);
    const { doc } = await upload(app, makePdf(["one", "two", "three"]), {
      "content-type": "application/octet-stream",
    });
    assert.equal(doc.ingested.contentType, "application/pdf");
    assert.equal(doc.ingested.pages, 3);
  });

  it("takes multipart/form-data: a file part plus title, metadata and callbackUrl", async () => {
    const { app } = gateway(t);
    const form = new FormData();
    form.append(
      "file",
      new Blob([makePdf(["multipart invoice"])], { type: "application/pdf" }),
      "inv.pdf",
    );
    form.append("title", "From a form");
    form.append("metadata", JSON.stringify({ customer: "c-1" }));
    form.append("callbackUrl", "https://example.com/hook");
    const { doc, text } = await upload(app, form, {});
    assert.equal(text, "multipart invoice");
    assert.equal(doc.ingested.title, "From a form");
    assert.deepEqual(doc.ingested.metadata, { customer: "c-1", filename: "inv.pdf" });
    assert.equal(doc.ingested.callbackUrl, "https://example.com/hook");
    const none = await app.request("/documents", {
      method: "POST",
      body: (() => {
        const f = new FormData();
        f.append("title", "no file");
        return f;
      })(),
    });
    assert.equal(none.status, 400);
    assert.match((await none.json()).detail, /file: a file part/);
  });

  it("takes JSON with contentBase64 and a content type", async () => {
    const { app } = gateway(t);
    const pdf = makePdf(["base64 pdf"]);
    const contentBase64 = btoa(String.fromCharCode(...pdf));
    const { text } = await upload(
      app,
      JSON.stringify({ contentBase64, contentType: "application/pdf" }),
      { "content-type": "application/json" },
    );
    assert.equal(text, "base64 pdf");
  });

  it("accepts what the CloudEvents SDK's emitter sends, binary and structured, once per event id", async () => {
    const { k, app } = gateway(t);
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
    try {
      const url = `http://127.0.0.1:${server.addr.port}/documents`;
      for (const mode of [Mode.BINARY, Mode.STRUCTURED]) {
        const emit = emitterFor(httpTransport(url), { mode });
        const event = new CloudEvent({
          type: "com.example.document.created",
          source: "urn:example:erp",
          subject: "order-88",
          data: { text: `Complaint about order 88 via ${mode}`, title: "Order 88" },
        });
        await emit(event);
        await emit(event); // a redelivery by the sender: same source + id
        const before = await t.redis.xlen(k.stream("document.ingested"));
        const ids = await t.redis.zrange(k.docIndex(), 0, -1);
        const doc = await (await app.request(`/documents/${ids.at(-1)}`)).json();
        assert.equal(doc.ingested.title, "Order 88");
        assert.equal((doc.ingested.metadata.cloudevent as Record<string, string>).id, event.id);
        assert.equal(
          (doc.ingested.metadata.cloudevent as Record<string, string>).type,
          "com.example.document.created",
        );
        assert.equal(before, ids.length, "one document per event id");
      }
      const raw = await fetch(url, {
        method: "POST",
        headers: {
          "ce-specversion": "1.0",
          "ce-id": "x1",
          "ce-source": "urn:s",
          "ce-type": "t",
          "content-type": "text/plain",
        },
        body: "plain data in binary mode",
      });
      assert.equal(raw.status, 202);
      const bad = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify({ specversion: "1.0", data: "x" }),
      });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).detail, /CloudEvent is not valid/);
    } finally {
      await server.shutdown();
    }
  });

  it("takes a batch (NDJSON or JSON array) with a result per item", async () => {
    const { app } = gateway(t);
    const ndjson = [
      JSON.stringify({ text: "first" }),
      JSON.stringify({ text: "", contentType: "text/plain" }),
      '{"title":"no text"}',
      JSON.stringify({ text: "fourth" }),
    ].join("\n");
    const res = await app.request("/documents/batch", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: ndjson,
    });
    assert.equal(res.status, 207);
    const out = await res.json();
    assert.equal(out.accepted, 2);
    assert.deepEqual(out.results.map((r: { status: number }) => r.status), [202, 422, 400, 202]);
    assert.match(out.results[2].problem.detail, /text: give exactly one of text or contentBase64/);
    const all = await app.request("/documents/batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ text: "a" }, { text: "b" }]),
    });
    assert.equal(all.status, 202);
    const notArray = await app.request("/documents/batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(notArray.status, 400);
  });

  it("answers 409 to a concurrent duplicate while the first request is in flight", async () => {
    const { k, app } = gateway(t);
    const slow = makePdf(Array.from({ length: 300 }, (_, i) => `page ${i} of a long report`));
    const send = () =>
      app.request("/documents", {
        method: "POST",
        headers: { "content-type": "application/pdf", "idempotency-key": "k-409" },
        body: slow,
      });
    const statuses = (await Promise.all([send(), send()])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [202, 409]);
    assert.equal(await t.redis.xlen(k.stream("document.ingested")), 1);
  });

  it("scopes Idempotency-Keys per API key", async () => {
    const { app } = gateway(t, {
      DIP_API_KEYS: "a:aaaaaaaaaaaaaaaaaaaa:ingest,b:bbbbbbbbbbbbbbbbbbbb:ingest",
    });
    const send = (secret: string) =>
      app.request("/documents", {
        method: "POST",
        headers: { "content-type": "text/plain", "idempotency-key": "same", "x-api-key": secret },
        body: "x",
      });
    const a = await (await send("aaaaaaaaaaaaaaaaaaaa")).json();
    const b = await (await send("bbbbbbbbbbbbbbbbbbbb")).json();
    assert.notEqual(a.documentId, b.documentId);
  });

  it("limits uploads per API key with 429, Retry-After and RateLimit headers", async () => {
    const { app } = gateway(t, { DIP_RATE_LIMIT_RPS: "1", DIP_RATE_LIMIT_BURST: "3" });
    const statuses = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await app.request("/documents", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: `doc ${i}`,
      });
      statuses.push(last.status);
      if (last.status === 202) assert.ok(last.headers.get("ratelimit-remaining"));
    }
    assert.deepEqual(statuses.slice(0, 3), [202, 202, 202]);
    assert.equal(statuses[4], 429);
    assert.ok(Number(last!.headers.get("retry-after")) >= 1);
    assert.equal(last!.headers.get("ratelimit-limit"), "3");
    assert.equal(last!.headers.get("content-type"), "application/problem+json");
  });

  it("never answers 5xx, whatever the body and headers (property-based)", async () => {
    const { app } = gateway(t, { DIP_MAX_BODY_BYTES: "4096" });
    const types = [
      "text/plain",
      "application/json",
      "multipart/form-data; boundary=x",
      "application/cloudevents+json",
      "application/pdf",
      "message/rfc822",
      "text/html",
      "application/octet-stream",
      "",
      "image/png",
      "application/x-ndjson",
      "text/plain; charset=latin1",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }).map((b) => new Uint8Array(b)),
          fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
          fc.json().map((s) => new TextEncoder().encode(s)),
        ),
        fc.constantFrom(...types),
        fc.record({
          key: fc.option(fc.string({ maxLength: 300 })),
          ce: fc.boolean(),
          meta: fc.option(fc.string({ maxLength: 40 })),
          path: fc.constantFrom("/documents", "/documents/batch"),
        }),
        async (body, type, h) => {
          const headers = new Headers();
          const set = (name: string, value: string) => {
            try {
              headers.set(name, value);
            } catch { /* not a legal header value: a client could not send it either */ }
          };
          if (type) set("content-type", type);
          if (h.key !== null) set("idempotency-key", h.key);
          if (h.meta !== null) set("x-dip-metadata", h.meta);
          if (h.ce) {
            set("ce-specversion", "1.0");
            set("ce-id", "1");
          }
          const res = await app.request(h.path, { method: "POST", headers, body });
          await res.body?.cancel();
          assert.ok(res.status < 500, `status ${res.status} for ${type}`);
          if (res.status >= 400) {
            assert.equal(res.headers.get("content-type"), "application/problem+json");
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
