import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { extractFields, summarize } from "./extract.ts";

describe("extractFields()", () => {
  it("finds e-mails, phones, dates, amounts with currency and reference numbers", () => {
    const f = extractFields(
      "Invoice INV-20931 dated 2024-03-15, due 15 April 2024. Amount due: 1,250.00 EUR (or $99.50). " +
        "Order #88812. Questions: billing@acme.example or +49 30 1234 5678.",
    );
    assert.deepEqual(f.emails, ["billing@acme.example"]);
    assert.deepEqual(f.phones, ["+49 30 1234 5678"]);
    assert.deepEqual(f.dates, ["2024-03-15", "15 April 2024"]);
    assert.deepEqual(f.amounts, ["1,250.00 EUR", "$99.50"]);
    assert.deepEqual(f.references, ["INV-20931", "88812"]);
  });
  it("finds nothing in plain prose", () => {
    const f = extractFields("Thanks for the lovely afternoon, see you soon.");
    assert.deepEqual(Object.values(f).flat(), []);
  });
});

describe("summarize()", () => {
  it("keeps the most central sentences in their order", () => {
    const text =
      "The parcel arrived damaged. I like turtles. The damaged parcel was the second damaged parcel this month. Weather is nice.";
    assert.equal(
      summarize(text, 2),
      "The parcel arrived damaged. The damaged parcel was the second damaged parcel this month.",
    );
  });
  it("returns short texts whole", () => {
    assert.equal(summarize("One sentence only."), "One sentence only.");
  });
});
