import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseJsonl, stratifiedSplit } from "./dataset.ts";
import { evaluate } from "./metrics.ts";
import { checkModel, predict, train } from "./model.ts";
import { selectAndTrain } from "./training.ts";
import { tokenize } from "./features.ts";
import { buildCorpus } from "../../tools/corpus.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("classifier", () => {
  it("tokenizes unicode text, lower-cased", () => {
    assert.deepEqual(tokenize("Größe: 12,50 € — Ça VA? l’été"), [
      "größe",
      "12,50",
      "ça",
      "va",
      "l'été",
    ]);
  });

  it("beats the majority baseline by a wide margin on held-out data", () => {
    const { train: fit, test } = buildCorpus(40, 0.3, 99);
    const { model } = selectAndTrain(fit);
    const predicted = test.map((e) => predict(model, e.text).category);
    const result = evaluate(test.map((e) => e.label), predicted, model.labels);
    const majority = evaluate(
      test.map((e) => e.label),
      test.map(() => model.labels[0]!),
      model.labels,
    );
    assert.ok(
      result.macroF1 > majority.macroF1 + 0.5,
      `macro-F1 ${result.macroF1} vs baseline ${majority.macroF1}`,
    );
  });

  it("gives calibrated probabilities that sum to one, best first", () => {
    const { train: fit } = buildCorpus(20, 0.2, 5);
    const { model } = selectAndTrain(fit);
    const p = predict(model, "Please find attached invoice 1234, amount due 99.00 EUR.", 8);
    assert.equal(p.category, "invoice");
    const sum = p.scores.reduce((s, x) => s + x.probability, 0);
    assert.ok(Math.abs(sum - 1) < 0.01, `sum ${sum}`);
    assert.ok(p.scores.every((s, i) => i === 0 || s.probability <= p.scores[i - 1]!.probability));
    assert.ok(model.temperature > 0 && model.temperature !== 1);
  });

  it("fits every algorithm well enough to beat the baseline, logistic regression included", () => {
    const { train: fit, test } = buildCorpus(30, 0.4, 8);
    for (const algorithm of ["complement-nb", "multinomial-nb", "logistic-regression"] as const) {
      const model = train(fit, { algorithm });
      const r = evaluate(
        test.map((e) => e.label),
        test.map((e) => predict(model, e.text).category),
        model.labels,
      );
      assert.ok(r.macroF1 > 0.8, `${algorithm}: macro-F1 ${r.macroF1}`);
      assert.equal(model.algorithm, algorithm);
    }
  });

  it("is deterministic: the same data gives the same model and predictions", () => {
    const data = buildCorpus(10, 0.2, 3).train;
    for (const algorithm of ["complement-nb", "logistic-regression"] as const) {
      const a = train(data, { version: "x", algorithm }),
        b = train(data, { version: "x", algorithm });
      assert.deepEqual([a.weights, a.bias], [b.weights, b.bias]);
    }
  });

  it("the shipped model loads and classifies the shipped test set well", () => {
    const model = checkModel(
      JSON.parse(Deno.readTextFileSync(`${ROOT}services/classification/model.json`)),
      "model.json",
    );
    const test = parseJsonl(Deno.readTextFileSync(`${ROOT}data/corpus/test.jsonl`), "test.jsonl");
    const r = evaluate(
      test.map((e) => e.label),
      test.map((e) => predict(model, e.text).category),
      model.labels,
    );
    assert.ok(r.macroF1 > 0.9, `macro-F1 ${r.macroF1}`);
  });

  it("rejects bad JSONL lines and bad model files with the place named", () => {
    assert.throws(
      () => parseJsonl('{"text":"a","label":"x"}\n{oops}\n', "d.jsonl"),
      /d.jsonl:2: not valid JSON/,
    );
    assert.throws(() => parseJsonl('{"text":"a"}\n', "d.jsonl"), /d.jsonl:1: expected/);
    assert.throws(() => checkModel({ format: "other" }, "m.json"), /not a dip classifier model/);
  });

  it("splits every label into both parts", () => {
    const data = buildCorpus(10, 0.2, 1).train;
    const [a, b] = stratifiedSplit(data, 0.25);
    assert.equal(a.length + b.length, data.length);
    assert.deepEqual(new Set(a.map((e) => e.label)), new Set(b.map((e) => e.label)));
  });
});

describe("evaluate()", () => {
  it("computes accuracy, per-class figures, macro-F1 and the confusion matrix", () => {
    const r = evaluate(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"]);
    assert.equal(r.accuracy, 0.75);
    assert.deepEqual(r.confusion, { a: { a: 1, b: 1 }, b: { a: 0, b: 2 } });
    assert.equal(r.perClass.a!.precision, 1);
    assert.equal(r.perClass.a!.recall, 0.5);
    assert.equal(r.perClass.b!.precision, 0.6667);
    assert.equal(r.macroF1, 0.7333);
  });
});
