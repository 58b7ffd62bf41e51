/** Plain-language explanations of routing rules, for `deno task routes:check`. */
import type { Destination } from "../../shared/events.ts";
import type { RuleSet } from "./rules.ts";

function destinations(ds: Destination[]): string {
  if (ds.length === 0) return "no destination";
  return ds.map((
    d,
  ) => (d.kind === "webhook"
    ? `webhook ${d.url}`
    : d.kind === "queue"
    ? `queue "${d.team}"`
    : "human review")
  ).join(", ");
}

/** One line per rule, in the order they are tried. */
export function explain(set: RuleSet): string[] {
  const lines: string[] = [];
  const low = set.file.lowConfidence;
  if (low) {
    lines.push(
      `0. confidence below ${low.below} → route "${low.route ?? "human-review"}" (${
        destinations(low.destinations ?? [{ kind: "review" }])
      })`,
    );
  }
  set.file.rules.forEach((r, i) => {
    const c = r.when;
    const parts = [
      c.category && `category is ${c.category.join(" or ")}`,
      c.confidence && `confidence in [${c.confidence.min ?? 0}, ${c.confidence.max ?? 1}]`,
      ...Object.entries(c.metadata ?? {}).map(([k, v]) =>
        `metadata.${k} is ${
          Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(" or ") : JSON.stringify(v)
        }`
      ),
      c.source && `source is ${c.source.join(" or ")}`,
      c.keywords && `text has ${c.keywords.map((k) => `"${k}"`).join(" or ")}`,
      c.pattern && `text matches /${c.pattern}/${c.flags ?? "i"}`,
    ].filter(Boolean);
    lines.push(
      `${i + 1}. [${r.id}] if ${
        parts.length ? parts.join(" and ") : "always"
      } → route "${r.route}" (${destinations(r.destinations)}), priority ${r.priority}${
        r.slaMinutes ? `, SLA ${r.slaMinutes} min` : ""
      }`,
    );
  });
  const d = set.file.default;
  lines.push(
    `otherwise → route "${d.route}" (${destinations(d.destinations)}), priority ${d.priority}`,
  );
  return lines;
}

/** Categories the rules name that the model cannot produce (a typo, or a model without them). */
export function unknownCategories(
  set: RuleSet,
  labels: string[],
): { ruleId: string; category: string }[] {
  return set.file.rules.flatMap((r) =>
    (r.when.category ?? []).filter((c) => !labels.includes(c)).map((category) => ({
      ruleId: r.id,
      category,
    }))
  );
}
