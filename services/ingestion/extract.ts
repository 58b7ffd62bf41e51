/** Text extraction: the readable text of an uploaded body, by its (sniffed) content type. */
import { HttpProblem } from "../../shared/errors.ts";

/** What extraction found. */
export interface Extracted {
  text: string;
  /** The content type the body really has (after sniffing). */
  contentType: string;
  pages?: number;
  /** A title found inside the document (HTML title, e-mail subject, PDF title). */
  title?: string;
}

/** The bare media type of a Content-Type header, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

function decodeUtf8(body: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body).replace(/^\uFEFF/, "");
  } catch {
    throw new HttpProblem(
      422,
      "Unreadable document",
      "The body is declared as text but is not valid UTF-8.",
    );
  }
}

/** Extracts text from `body` declared as `declared`; throws 415/422 problems. */
export async function extractText(body: Uint8Array, declared: string): Promise<Extracted> {
  const type = mediaType(declared) || "application/octet-stream";
  if (body.length === 0) {
    throw new HttpProblem(422, "Empty document", "The uploaded body is empty.");
  }
  let text: string;
  if (type === "text/plain" || type === "text/markdown") {
    text = decodeUtf8(body);
  } else {
    throw new HttpProblem(
      415,
      "Unsupported media type",
      `Content-Type ${type} is not supported; send text/plain or text/markdown.`,
    );
  }
  if (!text.trim()) {
    throw new HttpProblem(422, "Empty document", `The ${type} document contains no readable text.`);
  }
  return { text, contentType: type };
}
