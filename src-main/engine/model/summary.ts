/**
 * A short, JSON-safe description of a tensor for the Run view and the CLI: statistics, the first
 * values and, for a score vector, the top 5.
 *
 * JSON (and the contract's z.number()) has no NaN or Infinity, so statistics cover the finite
 * values only, `nan` counts the values left out (NaN and ±Infinity), and non-finite values in
 * `first` are written as the strings 'NaN', 'Infinity', '-Infinity'.
 */
import type { TensorSummary } from '../../ipc/contract';
import type { HostTensor } from '../tensor';
import { numericValues } from './float-bits';

/** How many leading values a summary shows. */
export const FIRST_COUNT = 16;
/** How many entries the top-k of a score vector has. */
export const TOP_K = 5;

function jsonNumber(v: number): number | string {
  if (v === 0) return 0; // JSON has no -0
  return Number.isFinite(v) ? v : String(v);
}

/** Summarizes a host tensor (contract TensorSummarySchema). */
export function summarizeTensor(name: string, t: HostTensor): TensorSummary {
  const base = { name, dtype: t.dtype, shape: [...t.dims] };
  if (Array.isArray(t.data)) {
    return { ...base, stats: null, first: t.data.slice(0, FIRST_COUNT), topk: null };
  }
  const values = numericValues(t) as Float64Array;
  const first: TensorSummary['first'] = [];
  const data = t.data;
  if (t.dtype === 'int64' || t.dtype === 'uint64') {
    // 64-bit integers past 2^53 would lose digits as numbers: show them exactly, as strings.
    for (let i = 0; i < Math.min(FIRST_COUNT, data.length); i++) first.push(String(data[i]));
  } else if (t.dtype === 'bool') {
    for (let i = 0; i < Math.min(FIRST_COUNT, values.length); i++) first.push(values[i] !== 0);
  } else {
    for (let i = 0; i < Math.min(FIRST_COUNT, values.length); i++)
      first.push(jsonNumber(values[i] as number));
  }
  return { ...base, stats: stats(values), first, topk: topk(t, values) };
}

function stats(values: Float64Array): TensorSummary['stats'] {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  let nonFinite = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  if (n === 0)
    return values.length === 0 ? null : { min: 0, max: 0, mean: 0, std: 0, nan: nonFinite };
  const mean = sum / n;
  // Second pass for the variance: stable where a running sum of squares would cancel.
  let sq = 0;
  for (const v of values) if (Number.isFinite(v)) sq += (v - mean) * (v - mean);
  return { min: min + 0, max: max + 0, mean: mean + 0, std: Math.sqrt(sq / n), nan: nonFinite };
}

function topk(t: HostTensor, values: Float64Array): TensorSummary['topk'] {
  const isVector = t.dims.length === 1 || (t.dims.length === 2 && t.dims[0] === 1);
  if (!isVector || t.dtype.startsWith('complex') || t.dtype === 'bool' || values.length < 2)
    return null;
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) idx.push(i);
  // A partial selection keeps this linear for large vocabularies.
  const best: number[] = [];
  for (const i of idx) {
    const v = values[i] as number;
    if (best.length < TOP_K || v > (values[best[best.length - 1] as number] as number)) {
      let j = best.length < TOP_K ? best.length : best.length - 1;
      if (best.length < TOP_K) best.push(i);
      while (j > 0 && (values[best[j - 1] as number] as number) < v) {
        best[j] = best[j - 1] as number;
        j--;
      }
      best[j] = i;
    }
  }
  return best.map((i) => ({ index: i, value: (values[i] as number) + 0 })); // + 0: no -0 in JSON
}
