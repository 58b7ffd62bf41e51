import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, type TestRedis, testRedis } from "../shared/_testing.ts";
import { buildCorpus } from "../tools/corpus.ts";
import { makeDocx, makeEmail, makePdf } from "../services/ingestion/_fixtures.ts";
import { type Pipeline, startPipeline, uploadAll } from "./_harness.ts";
import { assertChains, waitCompleted, waitDrained } from "./_checks.ts";

describe("the pipeline, end to end (four processes, real Redis)", () => {
  let t: TestRedis;
  let p: Pipeline;
  const k = { prefix: "" } as ReturnType<TestRedis["freshKeys"]>;
  before(async () => {
    t = await testRedis();
    Object.assign(k, t.freshKeys());
    p = await startPipeline({ redisUrl: t.server.url, prefix: k.prefix });
  });
  after(async () => {
    await p.stop();
    await t.close();
  });

  it("takes 200 uploads to completed, losing nothing when classification is SIGKILLed mid-run", async () => {
    const texts = buildCorpus(25, 0.01, 42).train.map((d) => d.text).slice(0, 200);
    assert.equal(texts.length, 200);
    const first = await uploadAll(p.url, texts.slice(0, 100));
    await p.kill("classification#1");
    const second = await uploadAll(p.url, texts.slice(100));
    await new Promise((r) => setTimeout(r, 300));
    p.restart("classification#1");
    const ids = [...first, ...second];
    await waitCompleted(t.redis, k, ids, 60_000);
    await assertChains(t.redis, k, ids);
    await waitDrained(t.redis, k);
  });

  it("shows a document's stages, category, route and response over HTTP", async () => {
    const res = await fetch(`${p.url}/documents`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "Invoice INV-2024-7 from Globex Ltd. Amount due: 1,250.00 EUR, payable within 30 days.",
    });
    assert.equal(res.status, 202);
    const { documentId, links } = await res.json();
    const doc = await eventually(async () => {
      const d = await (await fetch(`${p.url}${links.self}`)).json();
      return d.status === "completed" && d;
    }, 10_000);
    assert.equal(doc.classified.category, "invoice");
    assert.equal(doc.routed.route, "billing");
    assert.match(doc.response.body, /1,250.00 EUR/);
    assert.deepEqual(doc.timeline.map((e: { status: string }) => e.status), [
      "ingested",
      "classified",
      "routed",
      "completed",
    ]);
    assert.equal(
      await (await fetch(`${p.url}/documents/${documentId}/text`)).text(),
      "Invoice INV-2024-7 from Globex Ltd. Amount due: 1,250.00 EUR, payable within 30 days.",
    );
  });

  it("takes real files (PDF, e-mail, DOCX) through every stage", async () => {
    const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const files: [Uint8Array<ArrayBuffer>, string, string][] = [
      [
        makePdf(["Invoice INV-88120", "Amount due: 2,400.00 EUR, payable within 30 days."], {
          title: "Invoice 88120",
        }),
        "application/pdf",
        "invoice",
      ],
      [makeEmail(), "message/rfc822", "support-request"],
      [
        makeDocx([
          "Service Agreement between Acme and Globex.",
          "Either party may terminate this agreement with 30 days written notice.",
        ]),
        DOCX,
        "contract",
      ],
    ];
    for (const [body, type, category] of files) {
      const res = await fetch(`${p.url}/documents`, {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
      assert.equal(res.status, 202, await res.clone().text());
      const { links } = await res.json();
      const doc = await eventually(
        async () => {
          const d = await (await fetch(`${p.url}${links.self}`)).json();
          return d.status === "completed" && d;
        },
        10_000,
        `${type} completed`,
      );
      assert.equal(doc.ingested.contentType, type);
      assert.equal(doc.classified.category, category, type);
      assert.ok(doc.response.summary.length > 0);
    }
  });

  it("sends malformed entries in every stream to that stage's DLQ and keeps the documents around them flowing", async () => {
    for (const suffix of ["document.ingested", "document.classified", "routing.decided"]) {
      await t.redis.xadd(k.stream(suffix), "*", "event", `{"broken": "${suffix}"`);
    }
    const ids = await uploadAll(p.url, [
      "Dear hiring manager, please find my CV attached.",
      "The parcel arrived damaged, I demand a refund.",
    ]);
    await waitCompleted(t.redis, k, ids, 20_000);
    for (
      const [group, suffix] of [["classification", "document.ingested"], [
        "routing",
        "document.classified",
      ], ["response", "routing.decided"]]
    ) {
      const rows = await eventually(
        async () => {
          const r = await t.redis.xrange(k.dlq(group!), "-", "+");
          return r.length > 0 && r;
        },
        10_000,
        `DLQ of ${group}`,
      );
      const fields = rows.at(-1)![1];
      assert.match(fields[fields.indexOf("error") + 1]!, /not JSON/);
      assert.match(fields[fields.indexOf("event") + 1]!, new RegExp(suffix!.replace(".", "\\.")));
    }
  });
});
