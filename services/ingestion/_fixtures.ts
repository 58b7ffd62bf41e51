/**
 * Real document files, built byte by byte for the tests: PDFs (one page or many, optionally
 * encrypted), a DOCX (Office Open XML zip), an e-mail with an attachment.
 */
import { strToU8, zipSync } from "fflate";

const escapePdf = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);

/** A PDF whose pages show `pages` (one line of Helvetica each); with `encrypt`, a password is needed. */
export function makePdf(
  pages: string[],
  options: { title?: string; encrypt?: boolean } = {},
): Uint8Array<ArrayBuffer> {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${
    pageIds.map((id) => `${id} 0 R`).join(" ")
  }] /Count ${pages.length} >>`;
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
  pages.forEach((text, i) => {
    const content = `BT /F1 14 Tf 72 720 Td (${escapePdf(text)}) Tj ET`;
    objects[pageIds[i]!] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${
      pageIds[i]! + 1
    } 0 R /Resources << /Font << /F1 3 0 R >> >> >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  const infoId = objects.length;
  objects[infoId] = `<< /Title (${escapePdf(options.title ?? "")}) /Producer (dip fixtures) >>`;
  let encryptId: number | undefined;
  if (options.encrypt) {
    encryptId = objects.length;
    const hex32 = "A1".repeat(32);
    objects[encryptId] = `<< /Filter /Standard /V 1 /R 2 /O <${hex32}> /U <${
      "B2".repeat(32)
    }> /P -4 >>`;
  }
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) {
    out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  }
  const id = "<0123456789ABCDEF0123456789ABCDEF>";
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoId} 0 R /ID [${id} ${id}]${
    encryptId ? ` /Encrypt ${encryptId} 0 R` : ""
  } >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

const xmlEscape = (s: string) =>
  s.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);

/** A Word document with one paragraph per entry of `paragraphs`. */
export function makeDocx(paragraphs: string[]): Uint8Array<ArrayBuffer> {
  const body = paragraphs.map((p) =>
    `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`
  ).join("");
  return new Uint8Array(zipSync({
    "[Content_Types].xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    ),
    "_rels/.rels": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    ),
    "word/document.xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
    ),
  }));
}

/** A MIME e-mail with a text body and one PDF attachment. */
export function makeEmail(): Uint8Array<ArrayBuffer> {
  const attachment = btoa(String.fromCharCode(...makePdf(["attached"])));
  return new TextEncoder().encode([
    "From: Grace Okafor <grace@example.com>",
    "To: support@dip.example",
    "Subject: Cannot log in since Monday",
    "Date: Mon, 2 Nov 2026 09:15:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Hello support, the password reset link does not work.",
    "--b1",
    'Content-Type: application/pdf; name="screenshot.pdf"',
    'Content-Disposition: attachment; filename="screenshot.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    attachment,
    "--b1--",
    "",
  ].join("\r\n"));
}
