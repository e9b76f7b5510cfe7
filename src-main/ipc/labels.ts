/**
 * Class labels on top-k entries, shared by the main side (the CLI, run results) and the renderer:
 * the labels come with the model's inspection (engine/model/labels.ts reads them).
 */
import type { TensorSummary } from './contract';

/**
 * The label of class `index` of an output with `classes` classes (its last dim), when the labels
 * fit it: as many labels as classes, or one fewer (a background class 0, as TF-slim models have).
 */
export function labelOf(labels: readonly string[], classes: number, index: number): string | null {
  if (labels.length === classes) return labels[index] ?? null;
  if (labels.length === classes - 1)
    return index === 0 ? 'background' : (labels[index - 1] ?? null);
  return null;
}

/** A summary with labels on its top-k entries, when `labels` fit its last dim; else unchanged. */
export function withLabels(
  s: TensorSummary,
  labels: readonly string[] | null | undefined,
): TensorSummary {
  const classes = s.shape[s.shape.length - 1];
  if (!labels || !s.topk || classes === undefined) return s;
  if (labelOf(labels, classes, 0) === null) return s;
  return {
    ...s,
    topk: s.topk.map((t) => {
      const label = labelOf(labels, classes, t.index);
      return label === null ? t : { ...t, label };
    }),
  };
}
