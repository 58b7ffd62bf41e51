/** Reading labelled JSONL data sets (`{"text", "label"}` per line). */
import type { Example } from "./model.ts";

/** Parses JSONL text; errors name the line and what is wrong with it. */
export function parseJsonl(text: string, origin: string): Example[] {
  const out: Example[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`${origin}:${i + 1}: not valid JSON`);
    }
    const r = row as Record<string, unknown>;
    if (typeof r?.text !== "string" || typeof r.label !== "string" || !r.label) {
      throw new Error(`${origin}:${i + 1}: expected {"text": string, "label": non-empty string}`);
    }
    out.push({ text: r.text, label: r.label });
  });
  if (out.length === 0) throw new Error(`${origin}: no examples`);
  return out;
}

/** A seeded split: every label keeps its share in both parts. */
export function stratifiedSplit(
  examples: Example[],
  share: number,
  seed = 1,
): [Example[], Example[]] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const byLabel = new Map<string, Example[]>();
  for (const e of examples) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  const keep: Example[] = [], held: Example[] = [];
  for (const group of byLabel.values()) {
    const shuffled = group.map((e) => ({ e, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.e);
    const cut = group.length > 1 ? Math.max(1, Math.round(group.length * share)) : 0;
    held.push(...shuffled.slice(0, cut));
    keep.push(...shuffled.slice(cut));
  }
  return [keep, held];
}
