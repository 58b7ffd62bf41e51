import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { createEvent } from "../../shared/events.ts";
import { ingestedEvent } from "../../shared/_testing.ts";
import { webhookSender } from "./deliver.ts";
import { loadTemplates } from "./render.ts";
import { responseHandler } from "./respond.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SECRET = "whsec_" + btoa("respond-test-secret-32-bytes-long");

describe("responseHandler()", () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const s of stops) await s();
  });

  it("renders the route's template, extracts fields, delivers signed webhooks and lists queue deliveries", async () => {
    const received: { headers: Headers; body: string }[] = [];
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
      received.push({ headers: req.headers, body: await req.text() });
      return new Response("ok");
    });
    stops.push(() => server.shutdown());
    const hook = `http://127.0.0.1:${server.addr.port}/cb`;
    const ingested = ingestedEvent("doc-1", { callbackUrl: hook });
    const text =
      "Invoice INV-5512. Amount due 1,200.00 EUR by 2026-12-01. Contact ap@globex.example for questions.";
    const classified = createEvent({
      type: "com.dip.document.classified",
      source: "t",
      cause: ingested,
      data: {
        documentId: "doc-1",
        category: "invoice",
        confidence: 0.93,
        scores: [],
        model: { name: "m", version: "1" },
      },
    });
    const decided = createEvent({
      type: "com.dip.routing.decided",
      source: "t",
      cause: classified,
      data: {
        documentId: "doc-1",
        route: "billing",
        destinations: [{ kind: "queue", team: "billing" }, { kind: "webhook", url: hook }],
        priority: "normal",
        ruleId: "invoices",
        reason: "r",
      },
    });
    const stored = new Map<string, string>();
    const templates = await loadTemplates(`${ROOT}services/response/templates`);
    const handler = responseHandler(
      () => templates,
      {
        records: () => Promise.resolve({ ingested: ingested.data, classified: classified.data }),
        text: () => Promise.resolve(text),
        store: (ref, body) => Promise.resolve(stored.set(ref, body)),
      },
      webhookSender({ secret: SECRET, allowHosts: ["127.0.0.1"] }),
      (id) => `resp:${id}`,
    );
    const [out] = await handler(decided);
    assert.ok(out?.type === "com.dip.response.generated");
    assert.match(
      out.data.body,
      /^Billing received invoice INV-5512 \(document doc-1\)\.\nAmounts: 1,200.00 EUR\nDates: 2026-12-01\n\nSummary: /,
    );
    assert.match(out.data.body, /1,200.00 EUR/);
    assert.deepEqual(out.data.fields.emails, ["ap@globex.example"]);
    assert.equal(stored.get("resp:doc-1"), out.data.body);
    // callbackUrl and the route's webhook are the same URL: delivered once
    assert.equal(received.length, 1);
    const payload = new Webhook(SECRET).verify(
      received[0]!.body,
      Object.fromEntries(received[0]!.headers),
    ) as { documentId: string; category: string };
    assert.equal(payload.category, "invoice");
    assert.equal(
      received[0]!.headers.get("webhook-id"),
      out.id,
      "webhook-id is the response event id (stable for dedup)",
    );
    assert.deepEqual(out.data.delivery.map((d) => [d.destination, d.status]), [
      [hook, "delivered"],
      ["queue:billing", "queued"],
    ]);
  });

  it("uses the default template for a route without its own", async () => {
    const templates = await loadTemplates(`${ROOT}services/response/templates`);
    const ingested = ingestedEvent("doc-2");
    const handler = responseHandler(
      () => templates,
      {
        records: () =>
          Promise.resolve({
            ingested: ingested.data,
            classified: {
              documentId: "doc-2",
              category: "other",
              confidence: 0.7,
              scores: [],
              model: { name: "m", version: "1" },
            },
          }),
        text: () => Promise.resolve("Meeting notes. The roadmap was discussed."),
        store: () => Promise.resolve(),
      },
      webhookSender({ secret: undefined }),
      (id) => id,
    );
    const decided = createEvent({
      type: "com.dip.routing.decided",
      source: "t",
      cause: ingested,
      data: {
        documentId: "doc-2",
        route: "triage",
        destinations: [],
        priority: "low",
        ruleId: "default",
        reason: "no rule matched",
      },
    });
    const [out] = await handler(decided);
    assert.match(
      (out!.data as { body: string }).body,
      /classified as other \(70% confidence\) and routed to triage/,
    );
  });
});
