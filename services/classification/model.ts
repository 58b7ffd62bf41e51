/**
 * A linear text classifier: TF-IDF features (sublinear tf, L2-normalised) and multinomial or
 * complement naive Bayes or multinomial logistic regression, with probabilities calibrated by
 * temperature scaling on held-out data. Every algorithm yields the same linear form (a bias and
 * a weight per feature and label), so prediction is one code path.
 * The model is one JSON file (format `dip-classifier/1`).
 */
import { features } from "./features.ts";

/** The algorithms {@link train} can fit. */
export type Algorithm = "multinomial-nb" | "complement-nb" | "logistic-regression";

/** The model file. */
export interface Model {
  format: "dip-classifier/1";
  name: string;
  version: string;
  trainedAt: string;
  algorithm: Algorithm;
  alpha: number;
  ngrams: number;
  labels: string[];
  /** Per-label bias (log prior for multinomial NB, 0 for complement NB). */
  bias: number[];
  /** Divides scores before the softmax; fitted on held-out data. */
  temperature: number;
  /** feature → [idf, weight for label 0, weight for label 1, …] */
  weights: Record<string, number[]>;
}

/** A labelled example. */
export interface Example {
  text: string;
  label: string;
}

/** A prediction: the best category, its probability and all probabilities, best first. */
export interface Prediction {
  category: string;
  confidence: number;
  scores: { category: string; probability: number }[];
}

/** Training settings; every field has a default. */
export interface TrainOptions {
  algorithm?: Algorithm;
  /** Additive smoothing (naive Bayes) or L2 strength (logistic regression); default 0.3 / 1e-4. */
  alpha?: number;
  /** Longest n-gram; default 2. */
  ngrams?: number;
  /** A feature must occur in this many documents; default 2 (1 for tiny sets). */
  minDf?: number;
  /** Most features kept, by document frequency; default 60000. */
  maxFeatures?: number;
  name?: string;
  version?: string;
  /** Called as work progresses (phase, done, total). */
  progress?: (phase: string, done: number, total: number) => void;
}

type Vector = Map<string, number>;

function vectorize(counts: Map<string, number>, idf: (f: string) => number | undefined): Vector {
  const v: Vector = new Map();
  let norm = 0;
  for (const [f, c] of counts) {
    const w = idf(f);
    if (w === undefined) continue;
    const x = (1 + Math.log(c)) * w;
    v.set(f, x);
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [f, x] of v) v.set(f, x / norm);
  return v;
}

/** Counted features of one document (see features.ts). */
export type Counts = Map<string, number>;

/** Counts the features of every text once, so several fits can share them. */
export function featurize(texts: string[], ngrams = 2, progress: Progress = () => {}): Counts[] {
  return texts.map((text, i) => {
    if (i % 2000 === 0 || i === texts.length - 1) progress("features", i + 1, texts.length);
    return features(text, ngrams);
  });
}

/** Trains a model on `examples`. */
export function train(examples: Example[], options: TrainOptions = {}): Model {
  const docs = featurize(examples.map((e) => e.text), options.ngrams ?? 2, options.progress);
  return fit(docs, examples.map((e) => e.label), options);
}

/** Trains a model on documents already featurized with `options.ngrams` (default 2). */
export function fit(docs: Counts[], labelOf: string[], options: TrainOptions = {}): Model {
  return fitPrepared(prepare(docs, labelOf, options), options);
}

/** Documents ready for fitting: TF-IDF vectors over the kept vocabulary, labels as indexes. */
export interface Prepared {
  labels: string[];
  ys: number[];
  idf: Map<string, number>;
  vectors: Vector[];
  ngrams: number;
}

/**
 * Builds the vocabulary (features in at least `minDf` documents, the `maxFeatures` most frequent)
 * and the TF-IDF vectors. Depends only on the documents, so every candidate fit can share it.
 */
export function prepare(docs: Counts[], labelOf: string[], options: TrainOptions = {}): Prepared {
  const minDf = options.minDf ?? (docs.length < 500 ? 1 : 2);
  const maxFeatures = options.maxFeatures ?? 60_000;
  if (docs.length === 0) throw new Error("no training examples");
  const labels = [...new Set(labelOf)].sort();
  if (labels.length < 2) throw new Error(`need at least 2 labels, got ${labels.length}`);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const df = new Map<string, number>();
  for (const counts of docs) for (const f of counts.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const kept = [...df].filter(([, n]) => n >= minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxFeatures);
  const n = docs.length;
  const idf = new Map(kept.map(([f, d]) => [f, Math.log((1 + n) / (1 + d)) + 1]));
  return {
    labels,
    ys: labelOf.map((l) => labelIndex.get(l)!),
    idf,
    vectors: docs.map((counts) => vectorize(counts, (f) => idf.get(f))),
    ngrams: options.ngrams ?? 2,
  };
}

/** Fits `options.algorithm` (default complement NB) with `options.alpha` on prepared documents. */
export function fitPrepared(p: Prepared, options: TrainOptions = {}): Model {
  const algorithm = options.algorithm ?? "complement-nb";
  const alpha = options.alpha ?? (algorithm === "logistic-regression" ? 1e-4 : 0.3);
  const progress = options.progress ?? (() => {});
  const k = p.labels.length;
  const fitted = algorithm === "logistic-regression"
    ? fitLogistic(p.vectors, p.ys, k, alpha, progress)
    : fitNaiveBayes(p.vectors, p.ys, k, alpha, algorithm, progress);
  const weights: Record<string, number[]> = {};
  for (const [f, row] of fitted.weights) {
    weights[f] = [p.idf.get(f)!, ...row].map((x) => Math.round(x * 1e6) / 1e6);
  }
  return {
    format: "dip-classifier/1",
    name: options.name ?? "dip-default",
    version: options.version ?? new Date().toISOString().slice(0, 10),
    trainedAt: new Date().toISOString(),
    algorithm,
    alpha,
    ngrams: p.ngrams,
    labels: p.labels,
    bias: Array.from(fitted.bias, (x) => Math.round(x * 1e6) / 1e6),
    temperature: 1,
    weights,
  };
}

type Fit = { weights: Map<string, Float64Array>; bias: Float64Array };
type Progress = (phase: string, done: number, total: number) => void;

function fitNaiveBayes(
  vectors: Vector[],
  ys: number[],
  k: number,
  alpha: number,
  algorithm: Algorithm,
  progress: Progress,
): Fit {
  const perLabel = new Map<string, Float64Array>(); // feature → weight mass per label
  const totals = new Float64Array(k);
  const labelCounts = new Float64Array(k);
  vectors.forEach((v, i) => {
    const y = ys[i]!;
    labelCounts[y]!++;
    for (const [f, x] of v) {
      let row = perLabel.get(f);
      if (!row) perLabel.set(f, row = new Float64Array(k));
      row[y]! += x;
      totals[y]! += x;
    }
    if (i % 2000 === 0 || i === vectors.length - 1) progress("fitting", i + 1, vectors.length);
  });
  const vocab = perLabel.size;
  const grand = totals.reduce((a, b) => a + b, 0);
  const weights = new Map<string, Float64Array>();
  for (const [f, row] of perLabel) {
    const w = new Float64Array(k);
    const rowSum = row.reduce((a, b) => a + b, 0);
    for (let y = 0; y < k; y++) {
      w[y] = algorithm === "multinomial-nb"
        ? Math.log((row[y]! + alpha) / (totals[y]! + alpha * vocab))
        : -Math.log((rowSum - row[y]! + alpha) / (grand - totals[y]! + alpha * vocab));
    }
    weights.set(f, w);
  }
  const bias = algorithm === "multinomial-nb"
    ? labelCounts.map((c) => Math.log(c / vectors.length))
    : new Float64Array(k);
  return { weights, bias };
}

/**
 * Multinomial logistic regression by stochastic gradient descent with AdaGrad step sizes and L2
 * regularisation of strength `l2`, over a fixed, seeded order of examples (deterministic).
 * Features are indexed as integers and weights kept in flat typed arrays for speed.
 */
function fitLogistic(
  vectors: Vector[],
  ys: number[],
  k: number,
  l2: number,
  progress: Progress,
): Fit {
  const index = new Map<string, number>();
  const rows = vectors.map((v) => {
    const idx = new Int32Array(v.size), val = new Float64Array(v.size);
    let j = 0;
    for (const [f, x] of v) {
      let id = index.get(f);
      if (id === undefined) index.set(f, id = index.size);
      idx[j] = id;
      val[j++] = x;
    }
    return { idx, val };
  });
  const w = new Float64Array(index.size * k), g2 = new Float64Array(index.size * k);
  const bias = new Float64Array(k), biasSquares = new Float64Array(k);
  const rate = 0.5, eps = 1e-8;
  // large sets need fewer passes: about 50,000 example visits, 3 to 8 epochs
  const epochs = Math.min(8, Math.max(3, Math.ceil(50_000 / Math.max(1, rows.length))));
  let seed = 12345;
  const order = rows.map((_, i) => i);
  const z = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const { idx, val } = rows[i]!;
      z.set(bias);
      for (let j = 0; j < idx.length; j++) {
        const base = idx[j]! * k, x = val[j]!;
        for (let c = 0; c < k; c++) z[c]! += x * w[base + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (z[c]! > max) max = z[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += z[c] = Math.exp(z[c]! - max);
      for (let c = 0; c < k; c++) {
        const g = z[c]! / sum - (c === ys[i] ? 1 : 0);
        biasSquares[c]! += g * g;
        bias[c]! -= (rate * g) / Math.sqrt(biasSquares[c]! + eps);
        z[c] = g;
      }
      for (let j = 0; j < idx.length; j++) {
        const base = idx[j]! * k, x = val[j]!;
        for (let c = 0; c < k; c++) {
          const g = z[c]! * x + l2 * w[base + c]!;
          g2[base + c]! += g * g;
          w[base + c]! -= (rate * g) / Math.sqrt(g2[base + c]! + eps);
        }
      }
    }
    progress("fitting", epoch + 1, epochs);
  }
  const weights = new Map<string, Float64Array>();
  for (const [f, id] of index) weights.set(f, w.slice(id * k, id * k + k));
  return { weights, bias };
}

/** Raw per-label scores of `text` (before temperature and softmax). */
export function scores(model: Model, text: string): number[] {
  return scoresOf(model, features(text, model.ngrams));
}

/** Raw per-label scores of a featurized document. */
export function scoresOf(model: Model, counts: Counts): number[] {
  const s = [...model.bias];
  const v = vectorize(counts, (f) => model.weights[f]?.[0]);
  for (const [f, x] of v) {
    const w = model.weights[f]!;
    for (let y = 0; y < s.length; y++) s[y]! += x * w[y + 1]!;
  }
  return s;
}

function softmax(s: number[], temperature: number): number[] {
  const scaled = s.map((x) => x / temperature);
  const max = Math.max(...scaled);
  const exp = scaled.map((x) => Math.exp(x - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((x) => x / sum);
}

/** Classifies `text`: best category, calibrated confidence and the top `k` scores. */
export function predict(model: Model, text: string, k = 3): Prediction {
  return predictOf(model, features(text, model.ngrams), k);
}

/** Classifies a featurized document; see {@link predict}. */
export function predictOf(model: Model, counts: Counts, k = 3): Prediction {
  const p = softmax(scoresOf(model, counts), model.temperature);
  const ranked = model.labels.map((category, i) => ({ category, probability: p[i]! }))
    .sort((a, b) => b.probability - a.probability);
  return {
    category: ranked[0]!.category,
    confidence: ranked[0]!.probability,
    scores: ranked.slice(0, k).map((r) => ({
      ...r,
      probability: Math.round(r.probability * 1e4) / 1e4,
    })),
  };
}

/**
 * Fits the temperature that minimises the cross-entropy of `heldOut` against label-smoothed
 * targets (golden-section search over log T). Smoothing (`epsilon`, default 0.05) keeps a model
 * that happens to be perfect on its held-out set from claiming certainty it cannot have on
 * documents unlike its training data; without it T collapses towards 0 on separable data.
 */
export function calibrate(model: Model, heldOut: Example[], epsilon = 0.05): number {
  return calibrateOf(
    model,
    featurize(heldOut.map((e) => e.text), model.ngrams),
    heldOut.map((e) => e.label),
    epsilon,
  );
}

/** {@link calibrate} over featurized documents. */
export function calibrateOf(
  model: Model,
  docs: Counts[],
  labelOf: string[],
  epsilon = 0.05,
): number {
  const rows = docs.map((d, i) => ({ s: scoresOf(model, d), y: model.labels.indexOf(labelOf[i]!) }))
    .filter((r) => r.y >= 0);
  if (rows.length === 0) return 1;
  const k = model.labels.length;
  const loss = (logT: number) => {
    const t = Math.exp(logT);
    let sum = 0;
    for (const r of rows) {
      const p = softmax(r.s, t);
      for (let i = 0; i < k; i++) {
        const target = (i === r.y ? 1 - epsilon : 0) + epsilon / k;
        sum -= target * Math.log(Math.max(1e-12, p[i]!));
      }
    }
    return sum;
  };
  let lo = Math.log(1e-3), hi = Math.log(1e3);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    if (loss(a) < loss(b)) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}

/** Checks that a parsed JSON value is a model file, naming what is wrong. */
export function checkModel(value: unknown, origin: string): Model {
  const m = value as Partial<Model>;
  if (m?.format !== "dip-classifier/1") {
    throw new Error(`${origin} is not a dip classifier model (format must be "dip-classifier/1")`);
  }
  for (
    const field of [
      "name",
      "version",
      "labels",
      "bias",
      "weights",
      "temperature",
      "ngrams",
    ] as const
  ) {
    if (m[field] === undefined) throw new Error(`${origin}: model field "${field}" is missing`);
  }
  if (m.labels!.length !== m.bias!.length) {
    throw new Error(`${origin}: labels and bias differ in length`);
  }
  return m as Model;
}
