/**
 * Text extraction: the readable text of an uploaded body, by its real content type. The declared
 * type is checked against the body's bytes (sniffing) when it is generic or plainly wrong.
 */
import { convert as htmlToText } from "html-to-text";
import mammoth from "mammoth";
import PostalMime from "postal-mime";
import { extractText as pdfText, getDocumentProxy, getMeta } from "unpdf";
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

/** The media types dip extracts text from. */
export const SUPPORTED = [
  "text/plain",
  "text/markdown",
  "text/csv",
  "text/tab-separated-values",
  "application/xml",
  "text/html",
  "application/json",
  "message/rfc822",
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
] as const;

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const GENERIC = new Set([
  "",
  "application/octet-stream",
  "binary/octet-stream",
  "application/x-www-form-urlencoded",
]);
const ALIASES: Record<string, string> = {
  "text/x-markdown": "text/markdown",
  "application/xhtml+xml": "text/html",
  "text/json": "application/json",
  "application/x-pdf": "application/pdf",
  "message/x-emlx": "message/rfc822",
  "text/xml": "application/xml",
};

/** The charset parameter of a Content-Type header (default utf-8). */
export function charsetOf(header: string | undefined): string {
  const m = (header ?? "").match(/;\s*charset\s*=\s*"?([^";\s]+)"?/i);
  return (m?.[1] ?? "utf-8").toLowerCase();
}

/** The bare media type of a Content-Type header, lower-cased. */
export function mediaType(header: string | undefined): string {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return ALIASES[type] ?? type;
}

const startsWith = (body: Uint8Array, bytes: number[]) => bytes.every((b, i) => body[i] === b);
const head = (body: Uint8Array, n = 1024) =>
  new TextDecoder("utf-8", { fatal: false }).decode(body.subarray(0, n));

/** The type the bytes show, when they show one clearly. */
export function sniff(body: Uint8Array): string | undefined {
  if (startsWith(body, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (startsWith(body, [0x50, 0x4b, 0x03, 0x04])) {
    return head(body, 64 * 1024).includes("word/") ? DOCX : "application/zip";
  }
  const text = head(body).replace(/^\uFEFF/, "").trimStart();
  if (/^(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text)) return "text/html";
  if (
    /^((received|return-path|from|to|subject|date|message-id|mime-version|delivered-to|x-[\w-]+):[^\n]*\r?\n){2,}/i
      .test(text)
  ) {
    return "message/rfc822";
  }
  if (/^[{[]/.test(text)) {
    try {
      JSON.parse(new TextDecoder().decode(body));
      return "application/json";
    } catch { /* not JSON */ }
  }
  return undefined;
}

/** Formats whose bytes are unmistakable: they win over any other declaration. */
const DISTINCT = new Set(["application/pdf", DOCX]);

/** Picks the type to extract as: the declared one unless it is generic or the bytes contradict it. */
export function effectiveType(body: Uint8Array, declared: string): string {
  const type = mediaType(declared);
  const seen = sniff(body);
  if (GENERIC.has(type)) return seen ?? (isUtf8(body) ? "text/plain" : "application/octet-stream");
  if (seen && DISTINCT.has(seen)) return seen;
  return type;
}

function isUtf8(body: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return !body.includes(0);
  } catch {
    return false;
  }
}

/** Decodes text in `charset` (any WHATWG encoding label); a wrong or unknown charset → 415/422. */
function decodeText(body: Uint8Array, type: string, charset = "utf-8"): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new HttpProblem(415, "Unsupported charset", `The charset "${charset}" is not supported.`);
  }
  try {
    return decoder.decode(body).replace(/^\uFEFF/, "");
  } catch {
    throw new HttpProblem(
      422,
      "Unreadable document",
      `The body is declared as ${type} but is not valid ${charset} text.`,
    );
  }
}

const unreadable = (type: string, why: string) =>
  new HttpProblem(422, "Unreadable document", `The ${type} document cannot be read: ${why}.`);

function html(body: Uint8Array, charset: string): Extracted {
  const source = decodeText(body, "text/html", charset);
  const title = source.match(/<title[^>]*>([\s\S]*?)<\/title>/i)?.[1]?.trim();
  const text = htmlToText(source, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
      { selector: "table", options: { uppercaseHeaderCells: false } },
    ],
  });
  return { text, contentType: "text/html", ...(title ? { title: htmlToText(title) } : {}) };
}

function flattenJson(value: unknown, path = ""): string[] {
  if (value === null || typeof value !== "object") {
    return [`${path ? `${path}: ` : ""}${String(value)}`];
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  return entries.flatMap(([k, v]) => flattenJson(v, path ? `${path}.${k}` : k));
}

function json(body: Uint8Array): Extracted {
  let value: unknown;
  try {
    value = JSON.parse(decodeText(body, "application/json"));
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw unreadable("application/json", `it is not valid JSON (${(error as Error).message})`);
  }
  return { text: flattenJson(value).join("\n"), contentType: "application/json" };
}

async function email(body: Uint8Array): Promise<Extracted> {
  let mail;
  try {
    mail = await PostalMime.parse(body);
  } catch (error) {
    throw unreadable("message/rfc822", (error as Error).message);
  }
  const from = mail.from
    ? [mail.from.name, mail.from.address && `<${mail.from.address}>`].filter(Boolean).join(" ")
    : "";
  const to = (mail.to ?? []).map((a) => a.address ?? a.name).filter(Boolean).join(", ");
  const bodyText = mail.text?.trim() ||
    (mail.html ? htmlToText(mail.html, { wordwrap: false }) : "");
  const lines = [
    mail.subject ? `Subject: ${mail.subject}` : "",
    from ? `From: ${from}` : "",
    to ? `To: ${to}` : "",
    mail.date ? `Date: ${mail.date}` : "",
    "",
    bodyText,
  ];
  if (mail.attachments.length > 0) {
    lines.push("", "Attachments:");
    for (const a of mail.attachments) {
      const size = typeof a.content === "string" ? a.content.length : a.content.byteLength;
      lines.push(`- ${a.filename ?? "(unnamed)"} (${a.mimeType}, ${size} bytes)`);
    }
  }
  return {
    text: lines.filter((l, i) => l !== "" || i === 4 || lines[i - 1] !== "").join("\n").trim(),
    contentType: "message/rfc822",
    ...(mail.subject ? { title: mail.subject } : {}),
  };
}

async function pdf(body: Uint8Array): Promise<Extracted> {
  try {
    const doc = await getDocumentProxy(new Uint8Array(body));
    const { totalPages, text } = await pdfText(doc, { mergePages: true });
    const meta = await getMeta(doc).catch(() => ({ info: {} as Record<string, unknown> }));
    const title = typeof meta.info?.Title === "string" && meta.info.Title.trim()
      ? meta.info.Title.trim()
      : undefined;
    return { text, contentType: "application/pdf", pages: totalPages, ...(title ? { title } : {}) };
  } catch (error) {
    const name = (error as Error).name ?? "";
    if (name === "PasswordException") {
      throw unreadable("application/pdf", "it is encrypted with a password");
    }
    throw unreadable("application/pdf", `it is corrupt or not a PDF (${(error as Error).message})`);
  }
}

async function docx(body: Uint8Array): Promise<Extracted> {
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(body) });
    return { text: result.value, contentType: DOCX };
  } catch (error) {
    throw unreadable(DOCX, `it is corrupt or not a Word document (${(error as Error).message})`);
  }
}

/** Extracts text from `body` declared as `declared`; throws 415/422 problems. */
export async function extractText(body: Uint8Array, declared: string): Promise<Extracted> {
  if (body.length === 0) {
    throw new HttpProblem(422, "Empty document", "The uploaded body is empty.");
  }
  const type = effectiveType(body, declared);
  const charset = type === mediaType(declared) ? charsetOf(declared) : "utf-8";
  let result: Extracted;
  switch (type) {
    case "text/plain":
    case "text/markdown":
    case "text/csv":
    case "text/tab-separated-values":
      result = { text: decodeText(body, type, charset), contentType: type };
      break;
    case "text/html":
      result = html(body, charset);
      break;
    case "application/xml":
      result = {
        text: htmlToText(decodeText(body, type, charset), { wordwrap: false }),
        contentType: type,
      };
      break;
    case "application/json":
      result = json(body);
      break;
    case "message/rfc822":
      result = await email(body);
      break;
    case "application/pdf":
      result = await pdf(body);
      break;
    case DOCX:
      result = await docx(body);
      break;
    default:
      throw new HttpProblem(
        415,
        "Unsupported media type",
        `Content-Type ${type} is not supported; supported types: ${SUPPORTED.join(", ")}.`,
        {
          supported: SUPPORTED,
        },
      );
  }
  result.text = result.text.replace(/\r\n/g, "\n").replace(/[ \t]+\n/g, "\n").replace(
    /\n{3,}/g,
    "\n\n",
  ).trim();
  if (!result.text) {
    throw new HttpProblem(422, "Empty document", `The ${type} document contains no readable text.`);
  }
  return result;
}
