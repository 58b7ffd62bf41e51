/** Response bodies from per-route templates (Mustache: logic-less, HTML-escaping by default). */
import Mustache from "mustache";
import type { Fields } from "./extract.ts";

/** Templates by route name; `default` serves every route without its own. */
export type Templates = Map<string, string>;

/** Loads every `<route>.mustache` in `dir`; a `default.mustache` must be among them. */
export async function loadTemplates(dir: string): Promise<Templates> {
  const templates: Templates = new Map();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".mustache")) continue;
      const text = await Deno.readTextFile(`${dir}/${entry.name}`);
      Mustache.parse(text); // fails early on a broken template
      templates.set(entry.name.slice(0, -".mustache".length), text);
    }
  } catch (error) {
    throw new Error(
      `Cannot load response templates from ${dir}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  if (!templates.has("default")) {
    throw new Error(`Cannot load response templates: ${dir}/default.mustache is missing`);
  }
  return templates;
}

/** What a template can refer to. */
export interface ResponseView {
  document: { id: string; title?: string | undefined; contentType: string };
  category: string;
  confidence: number;
  route: string;
  priority: string;
  slaMinutes?: number | undefined;
  summary: string;
  fields: Fields;
}

/**
 * Renders the route's template (or the default one) for `view`. Besides the view, templates see
 * `confidencePercent`, `joined.<field>` (a field's values joined by ", "), `fieldList` and
 * `hasFields`.
 */
export function render(templates: Templates, view: ResponseView): string {
  const template = templates.get(view.route) ?? templates.get("default")!;
  const fieldList = Object.entries(view.fields).filter(([, v]) => v.length > 0)
    .map(([name, values]) => ({ name, values: values.join(", ") }));
  const joined = Object.fromEntries(
    Object.entries(view.fields).map(([name, values]) => [name, values.join(", ")]),
  );
  return Mustache.render(template, {
    ...view,
    confidencePercent: Math.round(view.confidence * 100),
    fieldList,
    hasFields: fieldList.length > 0,
    joined,
  }).replace(/\n{3,}/g, "\n\n").trim() + "\n";
}
