/** Classification metrics: accuracy, per-class precision/recall/F1, macro-F1, confusion matrix. */

/** Per-class figures. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The figures `deno task eval` prints. */
export interface Evaluation {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[actual][predicted] = count */
  confusion: Record<string, Record<string, number>>;
  n: number;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Scores predictions against the truth. `labels` fixes the order of classes. */
export function evaluate(actual: string[], predicted: string[], labels: string[]): Evaluation {
  const all = [...new Set([...labels, ...actual, ...predicted])];
  const confusion: Record<string, Record<string, number>> = {};
  for (const a of all) confusion[a] = Object.fromEntries(all.map((p) => [p, 0]));
  let correct = 0;
  actual.forEach((a, i) => {
    const p = predicted[i]!;
    confusion[a]![p]!++;
    if (a === p) correct++;
  });
  const perClass: Record<string, ClassMetrics> = {};
  for (const c of all) {
    const tp = confusion[c]![c]!;
    const support = Object.values(confusion[c]!).reduce((x, y) => x + y, 0);
    const predictedAs = all.reduce((sum, a) => sum + confusion[a]![c]!, 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[c] = { precision: round(precision), recall: round(recall), f1: round(f1), support };
  }
  const withSupport = all.filter((c) => perClass[c]!.support > 0);
  const macroF1 = withSupport.reduce((s, c) => s + perClass[c]!.f1, 0) / (withSupport.length || 1);
  return {
    accuracy: round(actual.length ? correct / actual.length : 0),
    macroF1: round(macroF1),
    perClass,
    confusion,
    n: actual.length,
  };
}
