/**
 * Does a compiled model still fit the devices at hand? ORT 1.23+ lets an EP stamp its compiled
 * (EP-context) model with a compatibility string (model metadata `ep_compatibility_info.<ep>`), and
 * answer later, for given EP devices, whether that string still fits: optimal, works but prefers a
 * recompile, unsupported, or not applicable (the EP keeps no such information). The TensorRT-RTX
 * plugin implements this (its ValidateCompiledModelCompatibilityInfo); built-in EPs answer "not
 * applicable". The compile cache asks it before trusting an entry (engine/cache/cache.ts).
 */
import { ortBinding, readCString } from './api';
import type { NPtr } from './api';
import type { EpDevice } from './ep-devices';
import { Allocator } from './memory-info';
import { check } from './status';

/** OrtCompiledModelCompatibility, by value (onnxruntime_c_api.h / onnxruntime_ep_c_api.h). */
export const MODEL_COMPATIBILITY = [
  'not-applicable',
  'optimal',
  'prefer-recompilation',
  'unsupported',
] as const;
export type ModelCompatibility = (typeof MODEL_COMPATIBILITY)[number];

/**
 * GetCompatibilityInfoFromModel: the compatibility string `epType` (ORT's EP name, e.g.
 * "NvTensorRTRTXExecutionProvider") stamped into a compiled model, or null when it has none
 * (a model compiled by an EP that keeps none, an optimised-only model).
 */
export function compatibilityInfoFromModel(modelPath: string, epType: string): string | null {
  const allocator = Allocator.default();
  const out: [NPtr] = [null];
  check(
    ortBinding().api.GetCompatibilityInfoFromModel(modelPath, epType, allocator.ptr, out),
    `reading the compatibility information of ${modelPath}`,
  );
  const p = out[0];
  if (!p) return null;
  try {
    return readCString(p);
  } finally {
    allocator.free(p);
  }
}

/**
 * GetModelCompatibilityForEpDevices: what the EP of `devices` (all of one EP) says about a compiled
 * model carrying `info`. Throws (ORT's INVALID_ARGUMENT) for no devices or devices of several EPs.
 */
export function modelCompatibility(devices: readonly EpDevice[], info: string): ModelCompatibility {
  const ptrs = BigUint64Array.from(devices.map((d) => BigInt(d.ptr)));
  const out: [number] = [0];
  check(
    ortBinding().api.GetModelCompatibilityForEpDevices(ptrs, devices.length, info, out),
    `asking ${devices[0]?.epName ?? 'no EP'} whether a compiled model fits its devices`,
  );
  return MODEL_COMPATIBILITY[out[0]] ?? 'unsupported';
}
