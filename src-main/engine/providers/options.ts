/**
 * Provider options built from what the user chose for a compile (CompileOptions) — never typed in
 * free-form. Pure, table-tested. Values are strings (ORT's rule). Paths that live inside a cache
 * entry are written relative to it and made absolute with {@link resolveEntryPaths} when the
 * entry's folder is known (the temp folder while compiling, the final folder when loading).
 */
import path from 'node:path';
import type { CompileOptions, ProviderId, ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { defaultDim } from '../model/synth';
import { PROVIDERS } from './catalog';

/** The runtime-cache folder inside an entry (TensorRT-RTX's JIT kernels, one file per engine). */
export const RUNTIME_CACHE_DIR = 'runtime-cache';

/** Option keys whose value is a path relative to the cache entry. */
export const ENTRY_PATH_OPTIONS: readonly string[] = ['nv_runtime_cache_path'];

/** The min/opt/max shape of one input for a TensorRT-RTX profile. */
export interface ProfileShape {
  name: string;
  min: number[];
  opt: number[];
  max: number[];
}

/**
 * TensorRT-RTX profiles for every input with a dynamic dim: opt from the user's dims (else the
 * documented default), min/max from the user's ranges (else equal to opt, i.e. fixed). Empty when
 * the model has no dynamic input.
 */
export function profileShapes(
  inputs: readonly ValueInfo[],
  options: CompileOptions,
): ProfileShape[] {
  const out: ProfileShape[] = [];
  for (const input of inputs) {
    if (input.kind !== 'tensor' || input.shape === null) continue;
    const dynamic = input.shape.some((d) => typeof d !== 'number' || d < 0);
    if (!dynamic) continue;
    if (/[:,]/.test(input.name)) {
      throw new AppError(
        'BAD_REQUEST',
        `input '${input.name}' has a ':' or ',' in its name, which TensorRT-RTX profile options cannot express`,
      );
    }
    const min: number[] = [];
    const opt: number[] = [];
    const max: number[] = [];
    input.shape.forEach((d, i) => {
      if (typeof d === 'number' && d >= 0) {
        min.push(d);
        opt.push(d);
        max.push(d);
        return;
      }
      const name = typeof d === 'string' ? d : null;
      const o = (name !== null ? options.dims[name] : undefined) ?? defaultDim(name, i);
      const range = name !== null ? options.dimRanges[name] : undefined;
      const lo = range?.min ?? o;
      const hi = range?.max ?? o;
      if (!(lo <= o && o <= hi)) {
        throw new AppError(
          'BAD_REQUEST',
          `dim '${name ?? `#${i}`}' of input '${input.name}': the range ${lo}..${hi} must contain the chosen size ${o}`,
        );
      }
      min.push(lo);
      opt.push(o);
      max.push(hi);
    });
    out.push({ name: input.name, min, opt, max });
  }
  return out;
}

/** 'in1:1x3x224x224,in2:1x77' — the format TensorRT-RTX's profile options take. */
export function profileOption(
  shapes: readonly ProfileShape[],
  which: 'min' | 'opt' | 'max',
): string {
  return shapes.map((s) => `${s.name}:${s[which].join('x')}`).join(',');
}

/**
 * The provider options for a compile (and for loading what it produced). TensorRT-RTX: the
 * runtime cache inside the entry, CUDA graphs always explicit (its sources disagree on the
 * default), shape profiles for dynamic inputs. CUDA: CUDA graphs explicit too. Others: none.
 */
export function buildProviderOptions(
  provider: ProviderId,
  options: CompileOptions,
  inputs: readonly ValueInfo[],
): Record<string, string> {
  const base = { ...PROVIDERS[provider].explicitOptions };
  switch (provider) {
    case 'nv-tensorrt-rtx': {
      const out: Record<string, string> = {
        ...base,
        nv_runtime_cache_path: RUNTIME_CACHE_DIR,
        enable_cuda_graph: options.cudaGraph ? '1' : '0',
      };
      const shapes = profileShapes(inputs, options);
      if (shapes.length > 0) {
        out.nv_profile_min_shapes = profileOption(shapes, 'min');
        out.nv_profile_opt_shapes = profileOption(shapes, 'opt');
        out.nv_profile_max_shapes = profileOption(shapes, 'max');
      }
      return out;
    }
    case 'cuda':
      return { ...base, enable_cuda_graph: options.cudaGraph ? '1' : '0' };
    default:
      return base;
  }
}

/**
 * Free dimension overrides for the compile session: every chosen dim is fixed, except those with a
 * range on a compiling provider (they stay dynamic and get a profile instead).
 */
export function freeDimensions(
  provider: ProviderId,
  options: CompileOptions,
): Record<string, number> {
  const ranged = PROVIDERS[provider].compiles ? options.dimRanges : {};
  return Object.fromEntries(Object.entries(options.dims).filter(([name]) => !(name in ranged)));
}

/** Options with entry-relative paths made absolute under `entryDir`. */
export function resolveEntryPaths(
  options: Record<string, string>,
  entryDir: string,
): Record<string, string> {
  const out = { ...options };
  for (const key of ENTRY_PATH_OPTIONS) {
    const v = out[key];
    if (v !== undefined && v !== '' && !path.isAbsolute(v)) out[key] = path.join(entryDir, v);
  }
  return out;
}
