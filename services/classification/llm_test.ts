import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CircuitBreakers } from "../../shared/breaker.ts";
import type { Classifier } from "./classify.ts";
import { llmClassifier, parseAnswer } from "./llm.ts";

const LABELS = ["invoice", "complaint", "other"];
const local: Classifier = () =>
  Promise.resolve({
    category: "other",
    confidence: 0.5,
    scores: [],
    model: { name: "local", version: "1" },
  });

/** A local server that speaks the chat-completions API and answers as `reply` says. */
function fakeProvider(
  reply: (n: number) => { status?: number; content?: string; delayMs?: number },
) {
  const requests: {
    auth: string | null;
    body: { model: string; messages: { content: string }[] };
  }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    if (new URL(req.url).pathname !== "/v1/chat/completions") {
      return new Response("not found", { status: 404 });
    }
    requests.push({ auth: req.headers.get("authorization"), body: await req.json() });
    const r = reply(requests.length);
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    return Response.json({
      choices: [{ message: { role: "assistant", content: r.content ?? "" } }],
    }, { status: r.status ?? 200 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    stop: () => server.shutdown(),
  };
}

describe("llmClassifier()", () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const s of stops) await s();
  });

  it("asks the endpoint and records its answer with the model name", async () => {
    const p = fakeProvider(() => ({
      content: '```json\n{"category":"invoice","confidence":0.82}\n```',
    }));
    stops.push(p.stop);
    const classify = llmClassifier({
      url: p.url,
      model: "m1",
      key: "sk-test",
      timeoutMs: 2000,
      labels: () => LABELS,
      breakers: new CircuitBreakers(),
    }, local);
    const r = await classify("Invoice 77, amount due 10 EUR");
    assert.deepEqual([r.category, r.confidence, r.model.name], ["invoice", 0.82, "llm:m1"]);
    assert.equal(p.requests[0]!.auth, "Bearer sk-test");
    assert.equal(p.requests[0]!.body.model, "m1");
    assert.match(p.requests[0]!.body.messages[1]!.content, /Invoice 77/);
  });

  it("falls back to the local model on an error, a bad answer or a timeout", async () => {
    const p = fakeProvider((
      n,
    ) => (n === 1
      ? { status: 500 }
      : n === 2
      ? { content: '{"category":"poem","confidence":1}' }
      : { delayMs: 500, content: "{}" })
    );
    stops.push(p.stop);
    const classify = llmClassifier({
      url: p.url,
      model: "m",
      key: undefined,
      timeoutMs: 100,
      labels: () => LABELS,
      breakers: new CircuitBreakers(),
    }, local);
    for (let i = 0; i < 3; i++) assert.equal((await classify("x")).model.name, "local");
    assert.equal(p.requests.length, 3);
  });

  it("stops calling a failing endpoint once its circuit opens, and tries again after the cool-down", async () => {
    let now = 0;
    let healthy = false;
    const p = fakeProvider(
      () => (healthy ? { content: '{"category":"complaint","confidence":0.9}' } : { status: 503 }),
    );
    stops.push(p.stop);
    const breakers = new CircuitBreakers({ threshold: 2, coolDownMs: 10_000, now: () => now });
    const classify = llmClassifier({
      url: p.url,
      model: "m",
      key: undefined,
      timeoutMs: 1000,
      labels: () => LABELS,
      breakers,
    }, local);
    for (let i = 0; i < 5; i++) await classify("x");
    assert.equal(p.requests.length, 2, "no calls while the circuit is open");
    healthy = true;
    now += 10_000;
    assert.equal((await classify("x")).category, "complaint");
    assert.equal(p.requests.length, 3);
  });

  it("parses only answers within the labels", () => {
    assert.deepEqual(parseAnswer('{"category":"other","confidence":0.4}', LABELS), {
      category: "other",
      confidence: 0.4,
    });
    assert.throws(
      () => parseAnswer('{"category":"x","confidence":0.4}', LABELS),
      /unknown category/,
    );
    assert.throws(() => parseAnswer('{"category":"other","confidence":4}', LABELS));
  });
});
