/** The response stage: renders the response, delivers it, and records what happened. */
import { PermanentError } from "../../shared/errors.ts";
import type { StageRecords } from "../../shared/documents.ts";
import { createEvent, type Destination, deterministicId } from "../../shared/events.ts";
import type { Handler } from "../../shared/middleware/types.ts";
import type { DeliveryResult, WebhookSender } from "./deliver.ts";
import { extractFields, summarize } from "./extract.ts";
import { render, type Templates } from "./render.ts";

/** What the response stage reads about a document. */
export interface ResponseSources {
  /** The ingestion and classification records of a document. */
  records(documentId: string): Promise<StageRecords>;
  text(ref: string): Promise<string | null>;
  /** Stores the rendered response (idempotent: the same document always gets the same key). */
  store(ref: string, body: string): Promise<unknown>;
}

/** The team queue a destination puts work into; `review` is the `human-review` queue. */
export function queueOf(destination: Destination): string | undefined {
  return destination.kind === "queue"
    ? destination.team
    : destination.kind === "review"
    ? "human-review"
    : undefined;
}

/** The stage handler. `responseRef(id)` names where the stored response lives. */
export function responseHandler(
  templates: () => Templates,
  sources: ResponseSources,
  send: WebhookSender,
  responseRef: (documentId: string) => string,
  source = "dip/response",
): Handler {
  return async (event) => {
    if (event.type !== "com.dip.routing.decided") {
      throw new PermanentError(`response consumes routing.decided, got ${event.type}`);
    }
    const id = event.subject;
    const { ingested: doc, classified } = await sources.records(id);
    if (!doc || !classified) {
      throw new PermanentError(`document ${id} lacks its ingestion or classification record`);
    }
    const text = (await sources.text(doc.textRef)) ?? "";
    const fields = extractFields(text);
    const summary = summarize(text);
    const body = render(templates(), {
      document: { id, title: doc.title, contentType: doc.contentType },
      category: classified.category,
      confidence: classified.confidence,
      route: event.data.route,
      priority: event.data.priority,
      slaMinutes: event.data.slaMinutes,
      summary,
      fields,
    });
    const outcomeId = deterministicId(event, "com.dip.response.generated");
    const payload = {
      documentId: id,
      title: doc.title,
      category: classified.category,
      confidence: classified.confidence,
      route: event.data.route,
      priority: event.data.priority,
      summary,
      fields,
      response: body,
    };
    const webhooks = [
      ...(doc.callbackUrl ? [doc.callbackUrl] : []),
      ...event.data.destinations.flatMap((d) => (d.kind === "webhook" ? [d.url] : [])),
    ];
    const delivered: DeliveryResult[] = await Promise.all(
      [...new Set(webhooks)].map((url) => send(url, outcomeId, payload)),
    );
    const queued = event.data.destinations.flatMap((d) => {
      const team = queueOf(d);
      return team ? [{ destination: `queue:${team}`, status: "queued" as const, attempts: 1 }] : [];
    });
    await sources.store(responseRef(id), body);
    return [createEvent({
      type: "com.dip.response.generated",
      source,
      cause: event,
      data: {
        documentId: id,
        responseRef: responseRef(id),
        body,
        summary,
        fields,
        delivery: [...delivered, ...queued],
      },
    })];
  };
}
