/**
 * Routing rules: an ordered list of conditions → actions, read from JSON or YAML and checked
 * with zod (errors name the rule and the field). `decide()` is pure.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type Destination, destination } from "../../shared/events.ts";

const priority = z.enum(["low", "normal", "high", "urgent"]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const action = z.object({
  route: z.string().min(1),
  destinations: z.array(destination).default([]),
  priority: priority.default("normal"),
  slaMinutes: z.number().int().positive().optional(),
}).strict();

const condition = z.object({
  /** Category is one of these. */
  category: z.array(z.string().min(1)).min(1).optional(),
  /** Confidence is within [min, max]. */
  confidence: z.object({
    min: z.number().min(0).max(1).optional(),
    max: z.number().min(0).max(1).optional(),
  })
    .strict().optional(),
  /** Every named metadata field equals the value, or one of the values. */
  metadata: z.record(z.string(), z.union([scalar, z.array(scalar).min(1)])).optional(),
  /** The document's source is one of these. */
  source: z.array(z.string().min(1)).min(1).optional(),
  /** At least one keyword occurs in the title or text as a whole word (case-insensitive). */
  keywords: z.array(z.string().min(1)).min(1).optional(),
  /** The regular expression matches the title or text. */
  pattern: z.string().min(1).optional(),
  /** Flags for `pattern` (default `i`). */
  flags: z.string().regex(/^[gimsuy]*$/).optional(),
}).strict();

const rule = action.extend({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, "use letters, digits, _ . - only"),
  description: z.string().optional(),
  when: condition.default({}),
}).strict();

/** The rules file. */
export const rulesFile = z.object({
  version: z.literal(1),
  /** Below this confidence a document goes to human review, before any rule. */
  lowConfidence: z.object({ below: z.number().min(0).max(1) }).merge(
    action.partial({ route: true }),
  ).strict()
    .optional(),
  rules: z.array(rule),
  default: action,
}).strict();

/** A checked rule set, patterns compiled. */
export interface RuleSet {
  file: z.infer<typeof rulesFile>;
  patterns: Map<string, RegExp>;
}

/** What routing knows about a document. */
export interface Facts {
  category: string;
  confidence: number;
  metadata: Record<string, unknown>;
  source: string;
  title?: string | undefined;
  text?: string | undefined;
}

/** A routing decision. */
export interface Decision {
  route: string;
  destinations: Destination[];
  priority: "low" | "normal" | "high" | "urgent";
  ruleId: string;
  reason: string;
  slaMinutes?: number;
}

/** Why a rules file is not valid, every problem named by rule id and field. */
export class InvalidRules extends Error {
  override name = "InvalidRules";
}

/** Parses rules from JSON or YAML text (by `origin`'s extension); throws {@link InvalidRules}. */
export function parseRules(text: string, origin: string): RuleSet {
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(origin) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new InvalidRules(
      `${origin}: cannot parse: ${error instanceof Error ? error.message : error}`,
    );
  }
  const parsed = rulesFile.safeParse(value);
  if (!parsed.success) {
    const raw = value as { rules?: { id?: unknown }[] };
    const where = (path: PropertyKey[]) => {
      if (path[0] === "rules" && typeof path[1] === "number") {
        const id = raw.rules?.[path[1]]?.id;
        return `rule ${typeof id === "string" ? `"${id}"` : `#${path[1] + 1}`} ${
          path.slice(2).join(".") || "(rule)"
        }`;
      }
      return path.join(".") || "(file)";
    };
    throw new InvalidRules(
      `${origin}: ${parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join("; ")}`,
    );
  }
  const ids = new Set<string>();
  const patterns = new Map<string, RegExp>();
  for (const r of parsed.data.rules) {
    if (ids.has(r.id)) throw new InvalidRules(`${origin}: rule "${r.id}" id: used twice`);
    ids.add(r.id);
    const c = r.when;
    if (
      c.confidence?.min !== undefined && c.confidence.max !== undefined &&
      c.confidence.min > c.confidence.max
    ) {
      throw new InvalidRules(`${origin}: rule "${r.id}" when.confidence: min is above max`);
    }
    if (c.pattern) {
      try {
        patterns.set(r.id, new RegExp(c.pattern, c.flags ?? "i"));
      } catch (error) {
        throw new InvalidRules(
          `${origin}: rule "${r.id}" when.pattern: ${(error as Error).message}`,
        );
      }
    }
  }
  return { file: parsed.data, patterns };
}

/** Whether any rule looks at the text (so routing must load it). */
export function needsText(set: RuleSet): boolean {
  return set.file.rules.some((r) => r.when.keywords || r.when.pattern);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function matches(set: RuleSet, r: RuleSet["file"]["rules"][number], f: Facts): string | undefined {
  const c = r.when;
  const why: string[] = [];
  if (c.category) {
    if (!c.category.includes(f.category)) return;
    why.push(`category is ${f.category}`);
  }
  if (c.confidence) {
    if (c.confidence.min !== undefined && f.confidence < c.confidence.min) return;
    if (c.confidence.max !== undefined && f.confidence > c.confidence.max) return;
    why.push(`confidence ${f.confidence} in [${c.confidence.min ?? 0}, ${c.confidence.max ?? 1}]`);
  }
  for (const [field, want] of Object.entries(c.metadata ?? {})) {
    const have = f.metadata[field];
    const allowed = Array.isArray(want) ? want : [want];
    if (!allowed.some((v) => v === have)) return;
    why.push(`metadata.${field} is ${JSON.stringify(have)}`);
  }
  if (c.source) {
    if (!c.source.includes(f.source)) return;
    why.push(`source is ${f.source}`);
  }
  const haystack = `${f.title ?? ""}\n${f.text ?? ""}`;
  if (c.keywords) {
    const hit = c.keywords.find((k) =>
      new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(k)}($|[^\\p{L}\\p{N}])`, "iu").test(haystack)
    );
    if (!hit) return;
    why.push(`keyword "${hit}"`);
  }
  if (c.pattern) {
    if (!set.patterns.get(r.id)!.test(haystack)) return;
    why.push(`text matches /${c.pattern}/`);
  }
  return why.length ? why.join(", ") : "rule has no conditions";
}

/** Decides where a document goes: low confidence first, then the first matching rule, else default. */
export function decide(set: RuleSet, f: Facts): Decision {
  const low = set.file.lowConfidence;
  if (low && f.confidence < low.below) {
    return {
      route: low.route ?? "human-review",
      destinations: low.destinations ?? [{ kind: "review" }],
      priority: low.priority ?? "normal",
      ruleId: "low-confidence",
      reason: `confidence ${f.confidence} is below ${low.below}`,
      ...(low.slaMinutes ? { slaMinutes: low.slaMinutes } : {}),
    };
  }
  for (const r of set.file.rules) {
    const reason = matches(set, r, f);
    if (reason === undefined) continue;
    return {
      route: r.route,
      destinations: r.destinations,
      priority: r.priority,
      ruleId: r.id,
      reason,
      ...(r.slaMinutes ? { slaMinutes: r.slaMinutes } : {}),
    };
  }
  const d = set.file.default;
  return {
    route: d.route,
    destinations: d.destinations,
    priority: d.priority,
    ruleId: "default",
    reason: "no rule matched",
    ...(d.slaMinutes ? { slaMinutes: d.slaMinutes } : {}),
  };
}
