/** `deno task train`: trains a classifier model from labelled JSONL. */
import { parseArgs } from "node:util";
import { parseJsonl } from "../services/classification/dataset.ts";
import type { Algorithm } from "../services/classification/model.ts";
import { selectAndTrain } from "../services/classification/training.ts";
import { fail, progressLine, readText } from "./_cli.ts";

const USAGE = `Usage: deno task train --data train.jsonl --out model.json [options]

Trains a text classifier (TF-IDF features; complement or multinomial naive Bayes or logistic
regression, whichever scores the best held-out macro-F1), calibrates its probabilities and writes
the model file.
  --data FILE        JSONL, one {"text": …, "label": …} per line (required)
  --out FILE         model file to write (required)
  --algorithm A      auto (default: the best by held-out macro-F1), complement-nb,
                     multinomial-nb or logistic-regression
  --ngrams N         longest word n-gram (default 2)
  --smoothing E      label smoothing when calibrating confidence, 0 to 0.5 (default 0.05);
                     larger = more modest confidence on documents unlike the training data
  --name NAME        model name recorded in every event (default dip-default)
  --version V        model version (default: today's date)
  --help             this text`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string" },
    out: { type: "string" },
    algorithm: { type: "string", default: "auto" },
    ngrams: { type: "string", default: "2" },
    smoothing: { type: "string", default: "0.05" },
    name: { type: "string", default: "dip-default" },
    version: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
if (!values.data || !values.out) fail("--data and --out are required", USAGE);
const algorithms: Algorithm[] | undefined = values.algorithm === "auto"
  ? undefined
  : ["complement-nb", "multinomial-nb", "logistic-regression"].includes(values.algorithm!)
  ? [values.algorithm as Algorithm]
  : fail(
    `--algorithm must be auto, complement-nb, multinomial-nb or logistic-regression (got "${values.algorithm}")`,
  );
const ngrams = Number(values.ngrams);
if (!Number.isInteger(ngrams) || ngrams < 1 || ngrams > 3) {
  fail(`--ngrams must be 1, 2 or 3 (got "${values.ngrams}")`);
}

const smoothing = Number(values.smoothing);
if (!(smoothing >= 0 && smoothing <= 0.5)) {
  fail(`--smoothing must be between 0 and 0.5 (got "${values.smoothing}")`);
}

let examples;
try {
  examples = parseJsonl(readText(values.data, "data file"), values.data);
} catch (error) {
  fail((error as Error).message);
}
const started = performance.now();
console.error(
  `train: ${examples.length} examples, ${new Set(examples.map((e) => e.label)).size} labels`,
);
const { model, candidates } = selectAndTrain(examples, {
  ...(algorithms ? { algorithms } : {}),
  ngrams,
  smoothing,
  name: values.name!,
  ...(values.version ? { version: values.version } : {}),
  progress: progressLine("train"),
  onCandidate: (c) =>
    console.error(
      `train: candidate ${c.algorithm} alpha=${c.alpha} held-out macro-F1=${c.macroF1}`,
    ),
});
try {
  Deno.writeTextFileSync(values.out, JSON.stringify(model));
} catch (error) {
  fail(`cannot write the model to ${values.out}: ${(error as Error).message}`);
}
const best = candidates.find((c) => c.algorithm === model.algorithm && c.alpha === model.alpha)!;
console.error(
  `train: wrote ${values.out} (${model.algorithm}, alpha=${model.alpha}, ${
    Object.keys(model.weights).length
  } features, ` +
    `temperature=${model.temperature.toFixed(3)}, held-out macro-F1=${best.macroF1}) in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
);
