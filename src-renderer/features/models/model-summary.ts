/**
 * Pure summaries of a model's inspection for the list and the detail pane: the default-domain
 * opset, a one-line inputs summary, the ops histogram rows, and which dims are dynamic.
 */
import type { Dim, ModelInspection, ValueInfo } from '../../../src-main/ipc/contract';
import { formatShape } from '../../ui/format';

/** The opset of the default ONNX domain ("" or "ai.onnx"), or null when the model names none. */
export function defaultOpset(inspection: ModelInspection): number | null {
  const entry = inspection.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry?.version ?? null;
}

/** One value as "name float32 [N, 3, 224, 224]", or its kind when it is not a tensor. */
export function describeValue(value: ValueInfo): string {
  if (value.kind !== 'tensor') return `${value.name} (${value.kind})`;
  return `${value.name} ${value.dtype ?? '?'} ${formatShape(value.shape)}`;
}

/** The list's inputs column: the only input in full, or a count with the first one. */
export function inputsSummary(inputs: readonly ValueInfo[]): string {
  const [first] = inputs;
  if (first === undefined) return 'no inputs';
  if (inputs.length === 1) return describeValue(first);
  return `${inputs.length} inputs: ${describeValue(first)}, …`;
}

/** True for a dim the user (or the model) decides at run time: symbolic or unknown. */
export function isDynamicDim(dim: Dim): boolean {
  return typeof dim !== 'number';
}

/** The ops histogram, most frequent first, ties by name; the rest folded into one row. */
export function opsHistogram(
  ops: Record<string, number>,
  limit = 16,
): { op: string; count: number }[] {
  const rows = Object.entries(ops)
    .map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
  if (rows.length <= limit) return rows;
  const rest = rows.slice(limit - 1);
  return [
    ...rows.slice(0, limit - 1),
    { op: `${rest.length} other ops`, count: rest.reduce((n, r) => n + r.count, 0) },
  ];
}
