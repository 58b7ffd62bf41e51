/**
 * The event catalog: CloudEvents 1.0 envelopes for every `com.dip.*` type, with a versioned zod
 * schema per type. Events are validated on publish and on consume.
 */
import { CloudEvent } from "cloudevents";
import { z } from "zod";
import { deterministicUuid } from "./ids.ts";

const documentId = z.string().min(1).max(200);

/** Data of `com.dip.document.ingested` v1. */
export const ingestedData = z.object({
  documentId,
  contentType: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  title: z.string().optional(),
  source: z.string().min(1),
  metadata: z.record(z.string(), z.unknown()),
  textRef: z.string().min(1),
  contentRef: z.string().min(1),
  chars: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative().optional(),
  callbackUrl: z.url().optional(),
});

/** Data of `com.dip.document.classified` v1. */
export const classifiedData = z.object({
  documentId,
  category: z.string().min(1),
  confidence: z.number().min(0).max(1),
  scores: z.array(z.object({ category: z.string(), probability: z.number().min(0).max(1) })),
  model: z.object({ name: z.string(), version: z.string() }),
});

/** A place a routed document goes to. */
export const destination = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("webhook"), url: z.url() }),
  z.object({ kind: z.literal("queue"), team: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/) }),
  z.object({ kind: z.literal("review") }),
]);
export type Destination = z.infer<typeof destination>;

/** Data of `com.dip.routing.decided` v1. */
export const decidedData = z.object({
  documentId,
  route: z.string().min(1),
  destinations: z.array(destination),
  priority: z.enum(["low", "normal", "high", "urgent"]),
  ruleId: z.string().min(1),
  reason: z.string(),
  slaMinutes: z.number().int().positive().optional(),
});

/** The outcome of delivering a response to one destination. */
export const deliveryStatus = z.object({
  destination: z.string(),
  status: z.enum(["delivered", "failed", "refused", "queued", "skipped"]),
  attempts: z.number().int().nonnegative(),
  detail: z.string().optional(),
});

/** Data of `com.dip.response.generated` v1. */
export const generatedData = z.object({
  documentId,
  responseRef: z.string().min(1),
  body: z.string(),
  summary: z.string(),
  fields: z.record(z.string(), z.array(z.string())),
  delivery: z.array(deliveryStatus),
});

/** Data of `com.dip.document.failed` v1. */
export const failedData = z.object({
  documentId,
  stage: z.string().min(1),
  error: z.string(),
  attempts: z.number().int().nonnegative(),
});

/** Every event type, its data schema and the document status it leads to. */
export const catalog = {
  "com.dip.document.ingested": { data: ingestedData, status: "ingested" },
  "com.dip.document.classified": { data: classifiedData, status: "classified" },
  "com.dip.routing.decided": { data: decidedData, status: "routed" },
  "com.dip.response.generated": { data: generatedData, status: "completed" },
  "com.dip.document.failed": { data: failedData, status: "failed" },
} as const;

/** A `com.dip.*` event type. */
export type EventType = keyof typeof catalog;
/** The data of one event type. */
export type DataOf<T extends EventType> = z.infer<(typeof catalog)[T]["data"]>;
export const eventTypes = Object.keys(catalog) as EventType[];

/** `com.dip.document.ingested` → `document.ingested` (used in stream names and schemas). */
export function typeSuffix(type: EventType): string {
  return type.slice("com.dip.".length);
}

const envelope = z.object({
  specversion: z.literal("1.0"),
  id: z.uuid(),
  type: z.enum(eventTypes as [EventType, ...EventType[]]),
  source: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal("application/json"),
  subject: z.string().min(1),
  dataschema: z.string().regex(/^dip:schema\/[a-z.]+\/v\d+$/),
  correlationid: z.string().min(1),
  causationid: z.string().optional(),
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
  tracestate: z.string().optional(),
  dipreplay: z.number().int().nonnegative(),
  data: z.unknown(),
});

/** A validated dip event: the CloudEvents envelope with typed data. */
export type DipEvent<T extends EventType = EventType> = T extends EventType
  ? Omit<z.infer<typeof envelope>, "type" | "data"> & { type: T; data: DataOf<T> }
  : never;

/** Why an event is not valid, as one readable line. */
export class InvalidEvent extends Error {
  override name = "InvalidEvent";
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/**
 * Checks an event against the envelope, the CloudEvents SDK's own validation and the data schema
 * of its type. Throws {@link InvalidEvent} with every problem named.
 */
export function validateEvent(value: unknown): DipEvent {
  const parsed = envelope.safeParse(value);
  if (!parsed.success) throw new InvalidEvent(`envelope: ${describeIssues(parsed.error)}`);
  const data = catalog[parsed.data.type].data.safeParse(parsed.data.data);
  if (!data.success) {
    throw new InvalidEvent(`${parsed.data.type} data: ${describeIssues(data.error)}`);
  }
  const expectedSchema = `dip:schema/${typeSuffix(parsed.data.type)}/v1`;
  if (parsed.data.dataschema !== expectedSchema) {
    throw new InvalidEvent(`dataschema is ${parsed.data.dataschema}, expected ${expectedSchema}`);
  }
  try {
    new CloudEvent(parsed.data as unknown as Record<string, unknown>, true);
  } catch (error) {
    throw new InvalidEvent(`CloudEvents: ${error instanceof Error ? error.message : error}`);
  }
  return { ...parsed.data, data: data.data } as DipEvent;
}

/** Parses the JSON text of a stream entry's `event` field into a validated event. */
export function parseEvent(text: string | undefined): DipEvent {
  if (text === undefined) throw new InvalidEvent("the stream entry has no `event` field");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidEvent(`not JSON: ${error instanceof Error ? error.message : error}`);
  }
  return validateEvent(value);
}

/** The id of the `type` event caused by `cause`: the same input always yields the same id. */
export function deterministicId(cause: { id: string; dipreplay: number }, type: EventType): string {
  return deterministicUuid(`${cause.id}|${type}|${cause.dipreplay}`);
}

/** Options for a new event. */
export interface NewEvent<T extends EventType> {
  type: T;
  data: DataOf<T>;
  /** The producing service, e.g. `dip/classification`. */
  source: string;
  /** The event that caused this one; sets correlation, causation, trace and replay generation. */
  cause?: DipEvent;
  /** The id to use; default: derived from the cause and type, or a random UUID without a cause. */
  id?: string;
  /** The W3C trace context to carry (default: the cause's). */
  traceparent?: string;
  tracestate?: string;
  /** Creation time; default now. */
  time?: Date;
}

/**
 * Builds a validated event. With a cause, the id is derived deterministically from
 * (cause id, type, replay generation), so a re-run of the same input yields the same output id.
 */
export function createEvent<T extends EventType>(options: NewEvent<T>): DipEvent<T> {
  const { type, data, cause } = options;
  const replay = cause?.dipreplay ?? 0;
  const id = options.id ?? (cause ? deterministicId(cause, type) : crypto.randomUUID());
  const event: Record<string, unknown> = {
    specversion: "1.0",
    id,
    type,
    source: options.source,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: "application/json",
    subject: data.documentId,
    dataschema: `dip:schema/${typeSuffix(type)}/v1`,
    correlationid: cause?.correlationid ?? data.documentId,
    dipreplay: replay,
    data,
  };
  if (cause) event.causationid = cause.id;
  const traceparent = options.traceparent ?? cause?.traceparent;
  if (traceparent) event.traceparent = traceparent;
  const tracestate = options.tracestate ?? cause?.tracestate;
  if (tracestate) event.tracestate = tracestate;
  return validateEvent(event) as DipEvent<T>;
}
