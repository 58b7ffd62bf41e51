import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HttpProblem } from "../../shared/errors.ts";
import { effectiveType, extractText, sniff } from "./extract.ts";
import { makeDocx, makeEmail, makePdf } from "./_fixtures.ts";

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const enc = (s: string) => new TextEncoder().encode(s);

async function rejects(body: Uint8Array, type: string, status: number, detail: RegExp) {
  await assert.rejects(
    extractText(body, type),
    (e: unknown) => e instanceof HttpProblem && e.status === status && detail.test(e.detail),
  );
}

describe("extractText()", () => {
  it("reads plain text and markdown as they are", async () => {
    assert.equal(
      (await extractText(enc("Hello\r\nworld  \n"), "text/plain; charset=utf-8")).text,
      "Hello\nworld",
    );
    assert.equal(
      (await extractText(enc("# Title\n\nBody"), "text/markdown")).contentType,
      "text/markdown",
    );
  });

  it("honours the charset parameter, and reads CSV and XML as text", async () => {
    const latin1 = new Uint8Array([
      0x43,
      0x61,
      0x66,
      0xe9,
      0x20,
      0x4d,
      0xfc,
      0x6c,
      0x6c,
      0x65,
      0x72,
    ]); // "Café Müller"
    assert.equal((await extractText(latin1, "text/plain; charset=ISO-8859-1")).text, "Café Müller");
    assert.equal(
      (await extractText(latin1, 'text/plain; charset="windows-1252"')).text,
      "Café Müller",
    );
    await rejects(latin1, "text/plain", 422, /not valid utf-8 text/);
    await rejects(
      enc("x"),
      "text/plain; charset=klingon",
      415,
      /charset "klingon" is not supported/,
    );
    assert.equal((await extractText(enc("a,b\n1,2\n"), "text/csv")).text, "a,b\n1,2");
    assert.match(
      (await extractText(
        enc("<?xml version='1.0'?><order><id>42</id><note>rush</note></order>"),
        "text/xml",
      )).text,
      /42\s*rush/,
    );
  });

  it("reads HTML as readable text, without scripts and styles, with its title", async () => {
    const r = await extractText(
      enc(
        "<!doctype html><html><head><title>Offer &amp; more</title><style>p{color:red}</style><script>alert('x')</script></head><body><h1>Big sale</h1><p>Use code <b>SAVE20</b>.</p></body></html>",
      ),
      "text/html",
    );
    assert.equal(r.title, "Offer & more");
    assert.match(r.text, /Big sale/);
    assert.match(r.text, /Use code SAVE20\./);
    assert.doesNotMatch(r.text, /alert|color:red/);
  });

  it("reads JSON as path: value lines", async () => {
    const r = await extractText(
      enc(JSON.stringify({ customer: { name: "Ann" }, items: ["a", "b"] })),
      "application/json",
    );
    assert.equal(r.text, "customer.name: Ann\nitems.0: a\nitems.1: b");
  });

  it("reads an e-mail: subject, sender, body and the attachments listed", async () => {
    const r = await extractText(makeEmail(), "message/rfc822");
    assert.equal(r.title, "Cannot log in since Monday");
    assert.match(r.text, /^Subject: Cannot log in since Monday/);
    assert.match(r.text, /From: Grace Okafor <grace@example.com>/);
    assert.match(r.text, /password reset link does not work/);
    assert.match(r.text, /Attachments:\n- screenshot.pdf \(application\/pdf, \d+ bytes\)/);
  });

  it("reads every page of a PDF, with its page count and title", async () => {
    const r = await extractText(
      makePdf(["Invoice INV-77 page one", "Total due 99.00 EUR"], { title: "Invoice 77" }),
      "application/pdf",
    );
    assert.equal(r.pages, 2);
    assert.equal(r.title, "Invoice 77");
    assert.match(r.text, /Invoice INV-77 page one/);
    assert.match(r.text, /Total due 99.00 EUR/);
  });

  it("reads a Word document", async () => {
    const r = await extractText(makeDocx(["Employment contract", "The term is two years."]), DOCX);
    assert.equal(r.contentType, DOCX);
    assert.match(r.text, /Employment contract\n+The term is two years\./);
  });

  it("sniffs the real type when the declared one is generic or wrong", async () => {
    assert.equal(sniff(makePdf(["x"])), "application/pdf");
    assert.equal(sniff(makeDocx(["x"])), DOCX);
    assert.equal(sniff(makeEmail()), "message/rfc822");
    assert.equal(effectiveType(makePdf(["x"]), "application/octet-stream"), "application/pdf");
    assert.equal(effectiveType(makePdf(["x"]), "text/plain"), "application/pdf");
    assert.equal(effectiveType(enc("<html><body>x</body></html>"), ""), "text/html");
    assert.equal(effectiveType(enc("just words"), "application/octet-stream"), "text/plain");
    assert.match(
      (await extractText(makeDocx(["sniffed docx"]), "application/octet-stream")).text,
      /sniffed docx/,
    );
  });

  it("refuses unsupported, empty, corrupt and encrypted documents with the reason", async () => {
    await rejects(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      "image/png",
      415,
      /image\/png is not supported/,
    );
    await rejects(new Uint8Array(), "text/plain", 422, /empty/);
    await rejects(enc("   \n "), "text/plain", 422, /no readable text/);
    await rejects(enc("%PDF-1.4\ngarbage garbage"), "application/pdf", 422, /corrupt/);
    await rejects(
      makePdf(["secret"], { encrypt: true }),
      "application/pdf",
      422,
      /encrypted with a password/,
    );
    await rejects(
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
      DOCX,
      422,
      /corrupt or not a Word document/,
    );
    await rejects(new Uint8Array([0xff, 0xfe, 0xfd]), "text/plain", 422, /not valid utf-8/);
    await rejects(enc("{oops"), "application/json", 422, /not valid JSON/);
  });
});
