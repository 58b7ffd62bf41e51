/** The document read model: what the hand-offs wrote to `dip:doc:<id>` and its timeline. */
import type { Redis } from "ioredis";
import type { DataOf } from "./events.ts";
import type { Keys } from "./keys.ts";

/** One stage transition of a document. */
export interface TimelineEntry {
  at: string;
  type: string;
  status: string;
  eventId: string;
  replay: number;
}

/** A document's status and the data of each stage it passed. */
export interface DocumentView {
  documentId: string;
  status: string;
  stage: string;
  updatedAt: string;
  createdAt?: string;
  ingested?: DataOf<"com.dip.document.ingested">;
  classified?: DataOf<"com.dip.document.classified">;
  routed?: DataOf<"com.dip.routing.decided">;
  response?: DataOf<"com.dip.response.generated">;
  failure?: DataOf<"com.dip.document.failed">;
}

function json<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : JSON.parse(text) as T;
}

/** Reads a document's view, or undefined when the document is unknown. */
export async function readDocument(
  redis: Redis,
  k: Keys,
  documentId: string,
): Promise<DocumentView | undefined> {
  const h = await redis.hgetall(k.doc(documentId));
  if (!h.status) return undefined;
  const view: DocumentView = {
    documentId,
    status: h.status,
    stage: h.stage ?? "",
    updatedAt: new Date(Number(h.updatedAt)).toISOString(),
  };
  if (h.createdAt) view.createdAt = h.createdAt;
  const ingested = json<DocumentView["ingested"]>(h["document.ingested"]);
  if (ingested) view.ingested = ingested;
  const classified = json<DocumentView["classified"]>(h["document.classified"]);
  if (classified) view.classified = classified;
  const routed = json<DocumentView["routed"]>(h["routing.decided"]);
  if (routed) view.routed = routed;
  const response = json<DocumentView["response"]>(h["response.generated"]);
  if (response) view.response = response;
  const failure = json<DocumentView["failure"]>(h["document.failed"]);
  if (failure) view.failure = failure;
  return view;
}

/** Reads a document's timeline, oldest first. */
export async function readTimeline(
  redis: Redis,
  k: Keys,
  documentId: string,
): Promise<TimelineEntry[]> {
  return (await redis.lrange(k.timeline(documentId), 0, -1)).map((line) =>
    JSON.parse(line) as TimelineEntry
  );
}

/** What earlier stages recorded about a document, read in one round trip. */
export interface StageRecords {
  ingested?: DataOf<"com.dip.document.ingested">;
  classified?: DataOf<"com.dip.document.classified">;
}

/** Reads the ingestion and classification records of a document (one HMGET). */
export async function readRecords(
  redis: Redis,
  k: Keys,
  documentId: string,
): Promise<StageRecords> {
  const [ingested, classified] = await redis.hmget(
    k.doc(documentId),
    "document.ingested",
    "document.classified",
  );
  return {
    ...(ingested ? { ingested: JSON.parse(ingested) } : {}),
    ...(classified ? { classified: JSON.parse(classified) } : {}),
  };
}
