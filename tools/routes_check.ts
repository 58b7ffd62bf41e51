/** `deno task routes:check FILE`: validates a routing rules file and explains it. */
import { parseArgs } from "node:util";
import { explain, unknownCategories } from "../services/routing/explain.ts";
import { checkModel } from "../services/classification/model.ts";
import { decide, type Facts, parseRules } from "../services/routing/rules.ts";
import { fail, readText } from "./_cli.ts";

const USAGE = `Usage: deno task routes:check [FILE] [--try FACTS]

Checks a routing rules file (JSON or YAML) and prints its rules in the order they are tried.
  FILE           the rules file (default services/routing/routes.json)
  --try FACTS    JSON facts to route, e.g. '{"category":"invoice","confidence":0.9,"text":"overdue"}'
  --model FILE   warn about rule categories this classifier model cannot produce
  --help         this text
Exit code 1 when the file is invalid.`;

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    try: { type: "string" },
    model: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const file = positionals[0] ?? "services/routing/routes.json";
let set;
try {
  set = parseRules(readText(file, "rules file"), file);
} catch (error) {
  console.error(`invalid: ${(error as Error).message}`);
  Deno.exit(1);
}
console.log(`${file}: valid, ${set.file.rules.length} rules\n`);
for (const line of explain(set)) console.log(line);
if (values.model) {
  let labels: string[];
  try {
    labels = checkModel(JSON.parse(readText(values.model, "model file")), values.model).labels;
  } catch (error) {
    fail((error as Error).message);
  }
  const unknown = unknownCategories(set, labels);
  for (const u of unknown) {
    console.log(
      `warning: rule "${u.ruleId}" names category "${u.category}", which ${values.model} never predicts (${
        labels.join(", ")
      })`,
    );
  }
  if (unknown.length === 0) {
    console.log(`\nevery category in the rules is one ${values.model} can predict`);
  }
}
if (values.try) {
  let facts: Facts;
  try {
    const raw = JSON.parse(values.try);
    facts = {
      category: String(raw.category ?? "other"),
      confidence: Number(raw.confidence ?? 1),
      metadata: raw.metadata ?? {},
      source: String(raw.source ?? "api"),
      title: raw.title,
      text: raw.text,
    };
  } catch (error) {
    fail(`--try must be a JSON object (${(error as Error).message})`, USAGE);
  }
  const d = decide(set, facts);
  console.log(`\n→ route "${d.route}" by ${d.ruleId}: ${d.reason}`);
}
