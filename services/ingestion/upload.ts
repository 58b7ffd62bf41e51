/**
 * Turning a request into an {@link Upload}. The ways in, by Content-Type:
 * - `application/json`: the envelope `{ text | contentBase64, contentType, title, metadata, callbackUrl }`;
 * - `multipart/form-data`: a file part (`file`, or the first file) plus the envelope's fields;
 * - `application/cloudevents+json` (structured) or `ce-*` headers (binary): a CloudEvent whose
 *   data is the envelope or the document itself;
 * - anything else: the raw document, described by `X-Dip-Title`, `X-Dip-Metadata`, `X-Dip-Callback-Url`.
 */
import { CloudEvent } from "cloudevents";
import { z } from "zod";
import { HttpProblem } from "../../shared/errors.ts";
import { parseJsonBody } from "../../shared/http.ts";
import { extractText, mediaType } from "./extract.ts";
import type { Upload } from "./ingest.ts";

const callbackUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });
const metadata = z.record(z.string(), z.unknown());

/** The JSON envelope. */
export const envelope = z.object({
  text: z.string().optional(),
  contentBase64: z.string().regex(/^[A-Za-z0-9+/\s]*={0,2}\s*$/, "must be base64").optional(),
  contentType: z.string().min(1).optional(),
  title: z.string().max(500).optional(),
  metadata: metadata.optional(),
  callbackUrl: callbackUrl.optional(),
}).strict().refine((u) => (u.text === undefined) !== (u.contentBase64 === undefined), {
  message: "give exactly one of text or contentBase64",
  path: ["text"],
});
type Envelope = z.infer<typeof envelope>;

interface Described {
  bytes: Uint8Array;
  contentType: string;
  title?: string | undefined;
  metadata: Record<string, unknown>;
  callbackUrl?: string | undefined;
}

const badRequest = (field: string, message: string) =>
  new HttpProblem(400, "Invalid request", `${field}: ${message}`, { errors: [{ field, message }] });

function base64Bytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/\s/g, "")), (ch) => ch.charCodeAt(0));
}

function fromEnvelope(e: Envelope): Described {
  return {
    bytes: e.text !== undefined ? new TextEncoder().encode(e.text) : base64Bytes(e.contentBase64!),
    contentType: e.contentType ??
      (e.text !== undefined ? "text/plain" : "application/octet-stream"),
    title: e.title,
    metadata: e.metadata ?? {},
    callbackUrl: e.callbackUrl,
  };
}

function fromHeaders(body: Uint8Array, headers: Headers, type: string): Described {
  let meta: Record<string, unknown> = {};
  const raw = headers.get("x-dip-metadata");
  if (raw) {
    const parsed = metadata.safeParse((() => {
      try {
        return JSON.parse(raw);
      } catch {
        return undefined;
      }
    })());
    if (!parsed.success) throw badRequest("X-Dip-Metadata", "must be a JSON object");
    meta = parsed.data;
  }
  const cb = headers.get("x-dip-callback-url") ?? undefined;
  if (cb && !callbackUrl.safeParse(cb).success) {
    throw badRequest("X-Dip-Callback-Url", "must be an http(s) URL");
  }
  return {
    bytes: body,
    contentType: type,
    title: headers.get("x-dip-title") ?? undefined,
    metadata: meta,
    callbackUrl: cb,
  };
}

async function fromMultipart(body: Uint8Array, contentType: string): Promise<Described> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } })
      .formData();
  } catch (error) {
    throw new HttpProblem(
      400,
      "Invalid multipart body",
      `The multipart/form-data body cannot be parsed: ${(error as Error).message}`,
    );
  }
  const file = form.get("file") instanceof File
    ? form.get("file") as File
    : [...form.values()].find((v) => v instanceof File) as File | undefined;
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const fields: Record<string, unknown> = {};
  for (const name of ["title", "callbackUrl", "contentType", "text"]) {
    if (field(name) !== undefined) fields[name] = field(name);
  }
  if (field("metadata") !== undefined) {
    try {
      fields.metadata = JSON.parse(field("metadata")!);
    } catch {
      throw badRequest("metadata", "must be a JSON object");
    }
  }
  if (!file) {
    if (fields.text === undefined) {
      throw badRequest("file", "a file part (or a text field) is required");
    }
    return fromEnvelope(envelope.parse(fields));
  }
  const checked = envelope.parse({ ...fields, text: "" });
  const declared = checked.contentType ?? (file.type || "application/octet-stream");
  return {
    bytes: new Uint8Array(await file.arrayBuffer()),
    contentType: declared,
    title: checked.title ?? (file.name && file.name !== "blob" ? file.name : undefined),
    metadata: { ...(checked.metadata ?? {}), ...(file.name ? { filename: file.name } : {}) },
    callbackUrl: checked.callbackUrl,
  };
}

/** CloudEvents attributes kept as the document's metadata. */
function ceMetadata(attributes: Record<string, unknown>): Record<string, unknown> {
  const { data: _d, data_base64: _b, ...rest } = attributes;
  return { cloudevent: rest };
}

function checkCloudEvent(attributes: Record<string, unknown>): void {
  try {
    new CloudEvent({ ...attributes, data: undefined } as Record<string, unknown>, true);
  } catch (error) {
    const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
    const detail = errors?.map((e) =>
      `${e.instancePath?.replace(/^\//, "") || "(event)"} ${e.message}`
    ).join("; ") ?? (error as Error).message;
    throw new HttpProblem(400, "Invalid CloudEvent", `The CloudEvent is not valid: ${detail}`);
  }
}

/** Reads a CloudEvent's data as the envelope (when it has text/contentBase64) or as the document. */
function fromCloudEventData(
  data: unknown,
  dataBase64: string | undefined,
  datacontenttype: string | undefined,
  attributes: Record<string, unknown>,
): Described {
  const meta = ceMetadata(attributes);
  if (
    data !== null && typeof data === "object" && !Array.isArray(data) &&
    ("text" in data || "contentBase64" in data)
  ) {
    const d = fromEnvelope(envelope.parse(data));
    return { ...d, metadata: { ...d.metadata, ...meta } };
  }
  if (dataBase64 !== undefined) {
    return {
      bytes: base64Bytes(dataBase64),
      contentType: datacontenttype ?? "application/octet-stream",
      metadata: meta,
    };
  }
  if (data === undefined || data === null) {
    throw badRequest("data", "the CloudEvent carries no data");
  }
  const isText = typeof data === "string";
  return {
    bytes: new TextEncoder().encode(isText ? data : JSON.stringify(data)),
    contentType: datacontenttype ?? (isText ? "text/plain" : "application/json"),
    metadata: meta,
  };
}

function fromStructuredCloudEvent(body: Uint8Array): Described {
  const value = parseJsonBody(body, "CloudEvent");
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpProblem(
      400,
      "Invalid CloudEvent",
      "A structured CloudEvent must be a JSON object.",
    );
  }
  const attributes = value as Record<string, unknown>;
  checkCloudEvent(attributes);
  return fromCloudEventData(
    attributes.data,
    attributes.data_base64 as string | undefined,
    attributes.datacontenttype as string | undefined,
    attributes,
  );
}

function binaryAttributes(headers: Headers): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("ce-")) attributes[name.slice(3)] = decodeURIComponent(value);
  });
  const type = headers.get("content-type");
  if (type) attributes.datacontenttype = type;
  return attributes;
}

function fromBinaryCloudEvent(body: Uint8Array, headers: Headers): Described {
  const attributes = binaryAttributes(headers);
  checkCloudEvent(attributes);
  const type = mediaType(headers.get("content-type") ?? "");
  const data = type === "application/json" || type.endsWith("+json")
    ? parseJsonBody(body, "CloudEvent data")
    : undefined;
  if (data !== undefined) return fromCloudEventData(data, undefined, type, attributes);
  return {
    bytes: body,
    contentType: type || "application/octet-stream",
    metadata: ceMetadata(attributes),
  };
}

/** True when the request is a CloudEvent (either HTTP binding mode). */
export function isCloudEvent(headers: Headers): boolean {
  return headers.has("ce-specversion") ||
    mediaType(headers.get("content-type") ?? "") === "application/cloudevents+json";
}

/** The implicit idempotency key of a CloudEvent (`source` + `id` identify an event), if any. */
export function cloudEventKey(body: Uint8Array, headers: Headers): string | undefined {
  if (headers.has("ce-specversion")) {
    const source = headers.get("ce-source"), id = headers.get("ce-id");
    return source && id ? `ce:${source}:${id}` : undefined;
  }
  if (!isCloudEvent(headers)) return undefined;
  try {
    const e = JSON.parse(new TextDecoder().decode(body));
    return typeof e?.source === "string" && typeof e?.id === "string"
      ? `ce:${e.source}:${e.id}`
      : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a request body into an upload (text extracted); throws 400/415/422 problems. */
export async function parseUpload(
  body: Uint8Array,
  headers: Headers,
  source: string,
): Promise<Upload> {
  const header = headers.get("content-type") ?? "";
  const type = mediaType(header);
  let d: Described;
  if (headers.has("ce-specversion")) d = fromBinaryCloudEvent(body, headers);
  else if (type === "application/cloudevents+json") d = fromStructuredCloudEvent(body);
  else if (type === "multipart/form-data") d = await fromMultipart(body, header);
  else if (type === "application/json" && !headers.has("x-dip-raw")) {
    d = fromEnvelope(envelope.parse(parseJsonBody(body, "body")));
  } else d = fromHeaders(body, headers, header);
  const extracted = await extractText(d.bytes, d.contentType);
  return {
    body: d.bytes,
    contentType: extracted.contentType,
    text: extracted.text,
    title: d.title ?? extracted.title,
    metadata: d.metadata,
    callbackUrl: d.callbackUrl,
    source,
    pages: extracted.pages,
    traceparent: headers.get("traceparent") ?? undefined,
    tracestate: headers.get("tracestate") ?? undefined,
  };
}
