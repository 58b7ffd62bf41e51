/**
 * Accepting a document: store its body and text (claim check), index it, and publish
 * `document.ingested`, all in one MULTI with the hand-off. Returns only after Redis has it all.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { createEvent, type DipEvent } from "../../shared/events.ts";
import { queueHandoff } from "../../shared/handoff.ts";
import type { Keys } from "../../shared/keys.ts";
import { SpanKind } from "@opentelemetry/api";
import { injectSpan, startSpan } from "../../shared/telemetry.ts";

/** An accepted upload, its text already extracted. */
export interface Upload {
  body: Uint8Array;
  contentType: string;
  text: string;
  title?: string | undefined;
  metadata: Record<string, unknown>;
  callbackUrl?: string | undefined;
  /** Who sent it (API key id or `anonymous`). */
  source: string;
  pages?: number | undefined;
  /** W3C trace context of the request, continued by the ingestion span. */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

/** Stores and publishes an upload; returns its `document.ingested` event. */
export async function ingest(
  redis: Redis,
  k: Keys,
  upload: Upload,
  documentId = crypto.randomUUID(),
): Promise<DipEvent<"com.dip.document.ingested">> {
  const span = startSpan("ingestion publish com.dip.document.ingested", upload, SpanKind.PRODUCER);
  span.setAttribute("dip.document_id", documentId);
  const trace = injectSpan(span);
  const event = createEvent({
    type: "com.dip.document.ingested",
    source: "dip/ingestion",
    ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
    ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    data: {
      documentId,
      contentType: upload.contentType,
      size: upload.body.length,
      sha256: createHash("sha256").update(upload.body).digest("hex"),
      ...(upload.title ? { title: upload.title } : {}),
      source: upload.source,
      metadata: upload.metadata,
      textRef: k.blob(documentId, "text"),
      contentRef: k.blob(documentId, "content"),
      chars: upload.text.length,
      ...(upload.pages !== undefined ? { pages: upload.pages } : {}),
      ...(upload.callbackUrl ? { callbackUrl: upload.callbackUrl } : {}),
    },
  });
  const now = Date.now();
  const tx = redis.multi()
    .set(k.blob(documentId, "content"), Buffer.from(upload.body))
    .set(k.blob(documentId, "text"), upload.text)
    .hset(
      k.doc(documentId),
      "createdAt",
      new Date(now).toISOString(),
      "contentType",
      upload.contentType,
    )
    .zadd(k.docIndex(), now, documentId);
  try {
    const results = await queueHandoff(tx, k, { outputs: [event], stat: "ingested" }).exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) {
      throw new Error(
        `storing the document failed: ${failed?.[0]?.message ?? "transaction aborted"}`,
      );
    }
  } finally {
    span.end();
  }
  return event;
}
