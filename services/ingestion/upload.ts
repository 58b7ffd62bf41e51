/**
 * Turning a request into an {@link Upload}: a raw body with its Content-Type, or a JSON envelope
 * `{ text | contentBase64, contentType, title, metadata, callbackUrl }`.
 */
import { z } from "zod";
import { HttpProblem } from "../../shared/errors.ts";
import { extractText, mediaType } from "./extract.ts";
import type { Upload } from "./ingest.ts";

const jsonUpload = z.object({
  text: z.string().optional(),
  contentBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64").optional(),
  contentType: z.string().min(1).optional(),
  title: z.string().max(500).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
}).strict().refine((u) => (u.text === undefined) !== (u.contentBase64 === undefined), {
  message: "give exactly one of text or contentBase64",
  path: ["text"],
});

const metadataHeader = z.record(z.string(), z.unknown());
const callbackHeader = z.url({ protocol: /^https?$/ });

function fromHeaders(headers: Headers) {
  const title = headers.get("x-dip-title") ?? undefined;
  const callbackUrl = headers.get("x-dip-callback-url") ?? undefined;
  let metadata: Record<string, unknown> = {};
  const raw = headers.get("x-dip-metadata");
  if (raw) {
    try {
      metadata = metadataHeader.parse(JSON.parse(raw));
    } catch {
      throw new HttpProblem(400, "Invalid request", "X-Dip-Metadata must be a JSON object.", {
        errors: [{ field: "X-Dip-Metadata", message: "must be a JSON object" }],
      });
    }
  }
  if (callbackUrl && !callbackHeader.safeParse(callbackUrl).success) {
    throw new HttpProblem(400, "Invalid request", "X-Dip-Callback-Url must be an http(s) URL.", {
      errors: [{ field: "X-Dip-Callback-Url", message: "must be an http(s) URL" }],
    });
  }
  return { title, callbackUrl, metadata };
}

/** Parses a request body into an upload (text extracted); throws 400/415/422 problems. */
export async function parseUpload(
  body: Uint8Array,
  headers: Headers,
  source: string,
): Promise<Upload> {
  const type = mediaType(headers.get("content-type") ?? undefined);
  const traceparent = headers.get("traceparent") ?? undefined;
  if (type === "application/json" && !headers.get("x-dip-raw")) {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      throw new HttpProblem(
        400,
        "Invalid JSON",
        `The body is not valid JSON: ${(error as Error).message}`,
      );
    }
    const u = jsonUpload.parse(value);
    const bytes = u.text !== undefined
      ? new TextEncoder().encode(u.text)
      : Uint8Array.from(atob(u.contentBase64!), (ch) => ch.charCodeAt(0));
    const extracted = await extractText(
      bytes,
      u.contentType ?? (u.text !== undefined ? "text/plain" : "application/octet-stream"),
    );
    return {
      body: bytes,
      contentType: extracted.contentType,
      text: extracted.text,
      title: u.title ?? extracted.title,
      metadata: u.metadata ?? {},
      callbackUrl: u.callbackUrl,
      source,
      pages: extracted.pages,
      traceparent,
    };
  }
  const meta = fromHeaders(headers);
  const extracted = await extractText(body, type);
  return {
    body,
    contentType: extracted.contentType,
    text: extracted.text,
    title: meta.title ?? extracted.title,
    metadata: meta.metadata,
    callbackUrl: meta.callbackUrl,
    source,
    pages: extracted.pages,
    traceparent,
  };
}
