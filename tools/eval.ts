/** `deno task eval`: scores a model on labelled JSONL. */
import { parseArgs } from "node:util";
import { parseJsonl } from "../services/classification/dataset.ts";
import { evaluate } from "../services/classification/metrics.ts";
import { checkModel, predict } from "../services/classification/model.ts";
import { fail, progressLine, readText } from "./_cli.ts";

const USAGE = `Usage: deno task eval --data test.jsonl --model model.json [--json]

Prints accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.
  --data FILE    JSONL, one {"text": …, "label": …} per line (required)
  --model FILE   model file (default services/classification/model.json)
  --json         print { accuracy, macroF1, perClass, confusion } as JSON
  --help         this text`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string" },
    model: { type: "string", default: "services/classification/model.json" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
if (!values.data) fail("--data is required", USAGE);
let model, examples;
try {
  model = checkModel(JSON.parse(readText(values.model!, "model file")), values.model!);
  examples = parseJsonl(readText(values.data, "data file"), values.data);
} catch (error) {
  fail((error as Error).message);
}
const progress = progressLine("eval");
const predicted = examples.map((e, i) => {
  if (i % 1000 === 0 || i === examples.length - 1) progress("predicting", i + 1, examples.length);
  return predict(model, e.text).category;
});
const result = evaluate(examples.map((e) => e.label), predicted, model.labels);
if (values.json) {
  const { accuracy, macroF1, perClass, confusion } = result;
  console.log(JSON.stringify({ accuracy, macroF1, perClass, confusion }, null, 2));
} else {
  const labels = Object.keys(result.perClass);
  const w = Math.max(9, ...labels.map((l) => l.length));
  console.log(`model     ${model.name} ${model.version} (${model.algorithm})`);
  console.log(`documents ${result.n}`);
  console.log(`accuracy  ${result.accuracy.toFixed(4)}`);
  console.log(`macro-F1  ${result.macroF1.toFixed(4)}\n`);
  console.log(`${"class".padEnd(w)}  precision  recall  f1      support`);
  for (const l of labels) {
    const m = result.perClass[l]!;
    console.log(
      `${l.padEnd(w)}  ${m.precision.toFixed(4).padStart(9)}  ${m.recall.toFixed(4).padStart(6)}  ${
        m.f1.toFixed(4)
      }  ${String(m.support).padStart(7)}`,
    );
  }
  console.log(`\nconfusion (rows: actual, columns: predicted)`);
  const abbrev = labels.map((l) => l.slice(0, 6).padStart(6));
  console.log(`${"".padEnd(w)}  ${abbrev.join(" ")}`);
  for (const a of labels) {
    console.log(
      `${a.padEnd(w)}  ${labels.map((p) => String(result.confusion[a]![p]).padStart(6)).join(" ")}`,
    );
  }
}
