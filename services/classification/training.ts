/**
 * Model selection: fits each candidate (algorithm × regularisation) on a training split, keeps the one
 * with the best macro-F1 on the held-out split, calibrates its probabilities there, and refits
 * it on all data.
 */
import { stratifiedSplit } from "./dataset.ts";
import { evaluate } from "./metrics.ts";
import {
  type Algorithm,
  calibrateOf,
  type Example,
  featurize,
  fit,
  fitPrepared,
  type Model,
  predictOf,
  prepare,
  type TrainOptions,
} from "./model.ts";

/** The regularisation values tried per algorithm (smoothing for naive Bayes, L2 for regression). */
const GRID: Record<Algorithm, number[]> = {
  "complement-nb": [0.1, 0.3, 1],
  "multinomial-nb": [0.1, 0.3, 1],
  "logistic-regression": [1e-4, 1e-3],
};

/** One candidate's held-out score. */
export interface Candidate {
  algorithm: Algorithm;
  alpha: number;
  macroF1: number;
}

/** Options for {@link selectAndTrain}. */
export interface SelectOptions extends Omit<TrainOptions, "algorithm" | "alpha"> {
  /** Algorithms to try; default all three. */
  algorithms?: Algorithm[];
  /** Share of the data held out for selection and calibration; default 0.2. */
  validationShare?: number;
  /** Label smoothing of the calibration (see `calibrate`); default 0.05. */
  smoothing?: number;
  /** Called with each candidate's result. */
  onCandidate?: (c: Candidate) => void;
}

/** Trains the best model for `examples`; returns it with every candidate's score. */
export function selectAndTrain(
  examples: Example[],
  options: SelectOptions = {},
): { model: Model; candidates: Candidate[] } {
  const algorithms = options.algorithms ??
    ["complement-nb", "multinomial-nb", "logistic-regression"];
  const ngrams = options.ngrams ?? 2;
  // featurize once: every candidate, the calibration and the final fit share the counts
  const docs = featurize(examples.map((e) => e.text), ngrams, options.progress);
  const index = new Map(examples.map((e, i) => [e, i]));
  const [fitPart, held] = stratifiedSplit(examples, options.validationShare ?? 0.2);
  const fitDocs = fitPart.map((e) => docs[index.get(e)!]!);
  const heldDocs = held.map((e) => docs[index.get(e)!]!);
  const quiet = { ...options, progress: () => {} };
  const prepared = prepare(fitDocs, fitPart.map((e) => e.label), options);
  const candidates: Candidate[] = [];
  let best: { c: Candidate; model: Model } | undefined;
  for (const algorithm of algorithms) {
    for (const alpha of GRID[algorithm]) {
      const model = fitPrepared(prepared, { ...quiet, algorithm, alpha });
      const e = evaluate(
        held.map((x) => x.label),
        heldDocs.map((d) => predictOf(model, d).category),
        model.labels,
      );
      const c = { algorithm, alpha, macroF1: e.macroF1 };
      candidates.push(c);
      options.onCandidate?.(c);
      if (!best || c.macroF1 > best.c.macroF1) best = { c, model };
    }
  }
  const temperature = calibrateOf(
    best!.model,
    heldDocs,
    held.map((e) => e.label),
    options.smoothing,
  );
  const model = fit(docs, examples.map((e) => e.label), {
    ...options,
    algorithm: best!.c.algorithm,
    alpha: best!.c.alpha,
  });
  return { model: { ...model, temperature }, candidates };
}
