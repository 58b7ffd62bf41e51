/**
 * Field extraction and extractive summaries: deterministic, rule-based, no model needed.
 */

/** Fields found in a text, each a list of distinct values in order of appearance. */
export interface Fields {
  emails: string[];
  phones: string[];
  dates: string[];
  amounts: string[];
  references: string[];
  [name: string]: string[];
}

const MONTHS =
  "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const CURRENCY = "EUR|USD|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|INR|CNY|€|\\$|£|¥";

const PATTERNS: Record<keyof Omit<Fields, string> | string, RegExp> = {
  emails: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  phones:
    /(?<![\w-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){2,4}(?![\w-])/g,
  dates: new RegExp(
    `\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[./]\\d{1,2}[./]\\d{2,4}|\\d{1,2}(?:st|nd|rd|th)? (?:${MONTHS})\\.?,? \\d{4}|(?:${MONTHS})\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4})\\b`,
    "gi",
  ),
  amounts: new RegExp(
    `(?:(?:${CURRENCY}) ?\\d{1,3}(?:[ ,.]\\d{3})*(?:[.,]\\d{1,2})?|\\d{1,3}(?:[ ,.]\\d{3})*(?:[.,]\\d{1,2})? ?(?:${CURRENCY}))(?![\\w])`,
    "g",
  ),
  // the identifier is the first capture group that matched
  references:
    /\b((?:INV|PO|SO|ORD|CN|MSA|REF)-?\d{3,})\b|\b(?:invoice|order|purchase order|ticket|case)\s*(?:no\.?|number|#)?\s*:?\s*#?((?:[A-Z]{1,4}-)?\d{3,})\b/gi,
};

/** Extracts e-mail addresses, phone numbers, dates, monetary amounts and reference numbers. */
export function extractFields(text: string): Fields {
  const out: Record<string, string[]> = {};
  for (const [name, re] of Object.entries(PATTERNS)) {
    const seen = new Set<string>();
    for (const m of text.matchAll(re)) {
      const value = (m[1] ?? m[2] ?? m[0]).trim();
      if (name === "phones" && value.replace(/\D/g, "").length < 7) continue;
      seen.add(value);
    }
    out[name] = [...seen];
  }
  // a phone-looking run inside a date or an amount is not a phone
  out.phones = out.phones!.filter((p) =>
    !out.dates!.some((d) => d.includes(p)) && !out.amounts!.some((a) => a.includes(p))
  );
  return out as Fields;
}

const STOP = new Set(
  "a an and are as at be by for from has have i in is it its of on or our that the this to was we were will with you your please"
    .split(" "),
);

/** Splits text into sentences (keeps line breaks as boundaries). */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter((s) => s.length > 2);
}

/**
 * An extractive summary: the `max` sentences with the highest mean word frequency (stop words
 * ignored, first sentence slightly favoured), in their original order.
 */
export function summarize(text: string, max = 2): string {
  const all = sentences(text);
  if (all.length <= max) return all.join(" ");
  const words = (s: string) =>
    (s.toLowerCase().match(/\p{L}[\p{L}'-]*/gu) ?? []).filter((w) => !STOP.has(w));
  const freq = new Map<string, number>();
  for (const s of all) for (const w of words(s)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const scored = all.map((s, i) => {
    const ws = words(s);
    const score = ws.reduce((sum, w) => sum + freq.get(w)!, 0) / Math.max(1, Math.sqrt(ws.length)) +
      (i === 0 ? 0.5 : 0);
    return { s, i, score };
  });
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).slice(0, max).sort((a, b) =>
    a.i - b.i
  ).map((x) => x.s).join(" ");
}
