/**
 * Where each model input comes from — the one input model shared by the GUI, `crucible run`,
 * `bench` and `compile`, so the same flags (or the same GUI choices) feed the same bytes everywhere.
 *
 * Per input, a source: a file (.npy, .pb, a .png picture, a .wav recording for float audio inputs,
 * a .txt of token ids), a constant or list of values, or a seeded fill whose range fits the
 * input's dtype and name (ids below the vocabulary, masks all ones, sample rates 16000 …); or
 * every input from an ONNX test-data folder.
 *
 * Dims are planned for all inputs together ({@link planShapes}): the shapes of inputs whose data is
 * given bind their named dims for the others; every batch-like dim — named (`batch`, `N`,
 * `p2o.DynamicDimension.0` in front …) or unnamed (leading, or the batch slot of an RNN state
 * `[directions, batch, hidden]`) — takes one batch value; each default says why it was chosen.
 *
 * What was fed is recorded ({@link FedInput}) with the arguments that replay it exactly.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { onnx } from 'onnx-proto';
import type { DType, Dim, ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { allocData, byteLength, elementCount, type HostTensor, type TensorData } from '../tensor';
import { numberToBf16, numberToF16 } from './float-bits';
import { realInputs } from './graph';
import {
  PIXEL_SCALING_LABELS,
  PIXEL_SCALINGS,
  pictureFeedSize,
  resizeRgba,
  type PixelScaling,
} from '../../ipc/image-model';
import { pictureInputProblem, rgbaToNchw } from './image';
import { fsError, toNumber, type IntLike } from './onnx-file';
import {
  DEFAULT_DIM,
  isAnonymousDim,
  isBatchLike,
  MAX_INPUT_BYTES,
  mulberry32,
  synthesizeInputs,
} from './synth';
import { readTensorFile } from './tensor-files';
import { decodeWav, MAX_WAV_BYTES, resample } from './wav';

/** How a fill-sourced input is filled. */
export type FillKind = 'random' | 'zeros' | 'ones';

/** Where one input's data comes from. */
export type InputSource =
  | { kind: 'file'; path: string; pixels?: PixelScaling }
  | { kind: 'values'; values: string[] }
  | { kind: 'fill'; fill: FillKind }
  | {
      kind: 'picture';
      fileName: string;
      width: number;
      height: number;
      rgbaBase64: string;
      pixels?: PixelScaling;
    };

/** Everything the user chose about inputs; JSON-safe, so it can be recorded and replayed. */
export interface InputPlan {
  /** Per input; inputs not named here get `fill` (with the name rules of {@link fillRuleFor}). */
  sources: Record<string, InputSource>;
  /** Per input, per position: a size, or null to plan that dim as usual (`--shape x=2x?x128`). */
  shapes: Record<string, (number | null)[]>;
  /** Named dims (`--dim batch=4`); `batch` also sets every unnamed batch-like dim. */
  dims: Record<string, number>;
  fill: FillKind;
  seed: number;
  /** An ONNX test-data folder (`test_data_set_0/` or a case folder holding one) for every input. */
  testData: string | null;
}

/** The plan with nothing chosen: every input synthesized, seed 1. */
export function emptyPlan(): InputPlan {
  return { sources: {}, shapes: {}, dims: {}, fill: 'random', seed: 1, testData: null };
}

/** The input flags as the CLI (or a GUI form) hands them over: raw strings. */
export interface InputFlags {
  input?: string[];
  value?: string[];
  shape?: string[];
  dim?: string[];
  fill?: string;
  seed?: string;
  inputsFrom?: string;
  pixels?: string[];
}

/** The input options of `run`, `bench` and `compile`, in node:util parseArgs terms. */
export const INPUT_OPTIONS = {
  input: { type: 'string', multiple: true },
  value: { type: 'string', multiple: true },
  shape: { type: 'string', multiple: true },
  dim: { type: 'string', multiple: true },
  fill: { type: 'string' },
  seed: { type: 'string' },
  'inputs-from': { type: 'string' },
  pixels: { type: 'string', multiple: true },
} as const;

/** The usage lines of the input options, shared by the commands' help. */
export const INPUT_USAGE = `[--input NAME=FILE ...] [--value NAME=V[,V...] ...] [--shape NAME=2x?x128 ...]
            [--dim NAME=N ...] [--fill random|zeros|ones] [--seed N] [--inputs-from DIR]
            [--pixels NAME=unit|imagenet|byte|signed ...]`;

/** A plan from parseArgs values of {@link INPUT_OPTIONS}. */
export function planFromArgs(values: {
  input?: string[];
  value?: string[];
  shape?: string[];
  dim?: string[];
  fill?: string;
  seed?: string;
  'inputs-from'?: string;
  pixels?: string[];
}): InputPlan {
  return parseInputFlags({ ...values, inputsFrom: values['inputs-from'] });
}

/** The `NAME=VALUE` pairs of a repeated option; BAD_REQUEST for one without `=`. */
function pairs(option: string, values: string[] | undefined): [string, string][] {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new AppError('BAD_REQUEST', `${option} expects NAME=VALUE, got '${v}'`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/**
 * Parses `--input NAME=FILE`, `--value NAME=V[,V…]`, `--shape NAME=2x?x128`, `--dim NAME=N`,
 * `--fill`, `--seed`, `--inputs-from DIR` and `--pixels NAME=SCALING` (for a picture given by
 * --input) into a plan. BAD_REQUEST naming the flag for anything
 * malformed; input names are checked against the model later ({@link resolveInputs}).
 */
export function parseInputFlags(flags: InputFlags): InputPlan {
  const plan = emptyPlan();
  const claim = (name: string, flag: string) => {
    if (plan.sources[name]) {
      throw new AppError('BAD_REQUEST', `${flag} ${name}: input '${name}' already has a source`);
    }
  };
  for (const [name, file] of pairs('--input', flags.input)) {
    claim(name, '--input');
    plan.sources[name] = { kind: 'file', path: path.resolve(file) };
  }
  for (const [name, list] of pairs('--value', flags.value)) {
    claim(name, '--value');
    const values = list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (values.length === 0) throw new AppError('BAD_REQUEST', `--value ${name}: no values given`);
    plan.sources[name] = { kind: 'values', values };
  }
  for (const [name, spec] of pairs('--shape', flags.shape)) {
    const dims = spec.split(/[x×,]/).map((s) => (s === '?' || s === '_' ? null : Number(s)));
    if (spec === '' || dims.some((d) => d !== null && (!Number.isSafeInteger(d) || d < 0))) {
      throw new AppError(
        'BAD_REQUEST',
        `--shape ${name}=${spec}: write dims as 2x1x128 (? leaves one to the model)`,
      );
    }
    plan.shapes[name] = dims;
  }
  for (const [name, v] of pairs('--dim', flags.dim)) {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new AppError(
        'BAD_REQUEST',
        `--dim ${name}=${v}: a dimension must be a positive integer`,
      );
    }
    plan.dims[name] = n;
  }
  if (flags.fill !== undefined) {
    if (flags.fill !== 'random' && flags.fill !== 'zeros' && flags.fill !== 'ones') {
      throw new AppError(
        'BAD_REQUEST',
        `--fill must be random, zeros or ones, got '${flags.fill}'`,
      );
    }
    plan.fill = flags.fill;
  }
  if (flags.seed !== undefined) {
    const seed = Number(flags.seed);
    if (!Number.isSafeInteger(seed)) throw new AppError('BAD_REQUEST', '--seed must be an integer');
    plan.seed = seed;
  }
  if (flags.inputsFrom !== undefined) plan.testData = path.resolve(flags.inputsFrom);
  for (const [name, v] of pairs('--pixels', flags.pixels)) {
    const src = plan.sources[name];
    if (src?.kind !== 'file') {
      throw new AppError(
        'BAD_REQUEST',
        `--pixels ${name}: give its picture with --input ${name}=FILE`,
      );
    }
    if (!(PIXEL_SCALINGS as readonly string[]).includes(v)) {
      throw new AppError(
        'BAD_REQUEST',
        `--pixels ${name}=${v}: choose ${PIXEL_SCALINGS.join(', ')}`,
      );
    }
    src.pixels = v as PixelScaling;
  }
  return plan;
}

/**
 * The plan with the model's metadata scaling written onto picture sources that do not say theirs,
 * for a plan handed to another process (the engine host, a compile worker), which resolves it
 * without the model's inspection: the same pixels as a resolve here with `pixels` set.
 */
export function withModelPixels(
  plan: InputPlan,
  pixels: { scaling: PixelScaling } | null | undefined,
): InputPlan {
  if (!pixels) return plan;
  const sources: Record<string, InputSource> = {};
  for (const [name, src] of Object.entries(plan.sources)) {
    const picture =
      src.kind === 'picture' ||
      (src.kind === 'file' && path.extname(src.path).toLowerCase() === '.png');
    sources[name] = picture && src.pixels === undefined ? { ...src, pixels: pixels.scaling } : src;
  }
  return { ...plan, sources };
}

// ---------------------------------------------------------------------------------------------
// Dims

/**
 * Why a dim of an input reads as its batch, or null. `shape` is the input's model shape.
 * Named batch dims by name; anonymous ones when leading, or in slot 1 of a rank-3 input whose
 * other dims are fixed — the `[num_directions × layers, batch, hidden]` layout ONNX's LSTM, GRU
 * and RNN take their states in (voice-activity and wake-word models feed states this way).
 */
export function batchReason(shape: readonly Dim[], index: number): string | null {
  const d = shape[index];
  if (typeof d === 'number') return null;
  if (typeof d === 'string' && !isAnonymousDim(d)) {
    return isBatchLike(d.trim()) ? `'${d}' names a batch` : null;
  }
  const label = d === null || d === undefined ? 'unnamed' : `'${d}' (a placeholder name)`;
  if (index === 0) return `${label} leading dim, read as the batch`;
  if (
    index === 1 &&
    shape.length === 3 &&
    typeof shape[0] === 'number' &&
    typeof shape[2] === 'number'
  ) {
    return `${label} dim 1 of a [directions, batch, hidden] state, read as the batch`;
  }
  return null;
}

/** How one dim of one input got its size. */
export interface DimChoice {
  input: string;
  index: number;
  /** The dim as the model writes it (null: unnamed). */
  dim: Dim;
  value: number;
  why: string;
  /** Nothing the user gave set it: a default (the batch's 1, or DEFAULT_DIM). */
  byDefault?: true;
}

/** A tensor's actual shape and where it came from, for binding dims. */
interface Given {
  shape: number[];
  from: string;
}

/**
 * Concrete shapes for every tensor input, planned together. `given` holds the shapes of inputs
 * whose data is already known (files, lists of values): their named and batch-like dims bind the
 * same dims of the other inputs. Returns the shapes and one {@link DimChoice} per non-fixed dim.
 * INPUT_INVALID when a given shape contradicts the model or another given shape.
 */
export function planShapes(
  inputs: readonly ValueInfo[],
  plan: Pick<InputPlan, 'shapes' | 'dims'>,
  given: Record<string, Given> = {},
): { shapes: Record<string, number[]>; choices: DimChoice[] } {
  const bound = new Map<string, { value: number; why: string }>();
  let batch: { value: number; why: string } | null = null;
  const userBatch = Object.entries(plan.dims).find(([n]) => isBatchLike(n));
  if (userBatch) batch = { value: userBatch[1], why: `from --dim ${userBatch[0]}` };

  /** Binds dim `i` of `vi` (not fixed) to `size`: its name, and the batch when batch-like. */
  const bind = (vi: ValueInfo, i: number, size: number, from: string) => {
    const d = (vi.shape as Dim[])[i];
    const why = `from ${from}`;
    if (typeof d === 'string' && !isAnonymousDim(d)) {
      const had =
        bound.get(d) ??
        (plan.dims[d] !== undefined ? { value: plan.dims[d], why: `from --dim ${d}` } : undefined);
      if (had && had.value !== size) {
        throw new AppError(
          'INPUT_INVALID',
          `${from}: dim '${d}' of input '${vi.name}' is ${size}, but ${had.why} it is ${had.value}`,
        );
      }
      bound.set(d, { value: size, why });
    }
    if (batchReason(vi.shape as Dim[], i) !== null) {
      if (batch && batch.value !== size) {
        throw new AppError(
          'INPUT_INVALID',
          `${from}: the batch of input '${vi.name}' is ${size}, but ${batch.why} it is ${batch.value}`,
        );
      }
      batch ??= { value: size, why };
    }
  };

  // 1. Given tensors: their sizes bind names and the batch.
  for (const vi of inputs) {
    const g = given[vi.name];
    if (!g || vi.shape === null) continue;
    if (g.shape.length !== vi.shape.length) {
      throw new AppError(
        'INPUT_INVALID',
        `${g.from}: input '${vi.name}' takes ${vi.shape.length} dims [${vi.shape.map((d) => d ?? '?').join(', ')}], this has ${g.shape.length} [${g.shape.join(', ')}]`,
      );
    }
    vi.shape.forEach((d, i) => {
      const size = g.shape[i] as number;
      if (typeof d === 'number') {
        if (d !== size) {
          throw new AppError(
            'INPUT_INVALID',
            `${g.from}: input '${vi.name}' has ${d} at dim ${i}, this has ${size} [${g.shape.join(', ')}]`,
          );
        }
        return;
      }
      bind(vi, i, size, g.from);
    });
  }
  // --shape values bind too: `--shape state=2x5x128` sets the batch `input` shares.
  for (const vi of inputs) {
    const spec = plan.shapes[vi.name];
    if (!spec || given[vi.name] || vi.shape === null || spec.length !== vi.shape.length) continue;
    spec.forEach((size, i) => {
      if (size !== null && typeof vi.shape?.[i] !== 'number')
        bind(vi, i, size, `--shape ${vi.name}`);
    });
  }

  // 2. Every input: given shapes as they are, the rest dim by dim.
  const shapes: Record<string, number[]> = {};
  const choices: DimChoice[] = [];
  for (const vi of inputs) {
    if (vi.kind !== 'tensor' || vi.shape === null) continue;
    const g = given[vi.name];
    const spec = plan.shapes[vi.name];
    if (spec && spec.length !== vi.shape.length && !g) {
      throw new AppError(
        'INPUT_INVALID',
        `--shape ${vi.name}: the input has ${vi.shape.length} dims [${vi.shape.map((d) => d ?? '?').join(', ')}], the shape gives ${spec.length}`,
      );
    }
    const shape = vi.shape.map((d, i): number => {
      if (g) {
        if (typeof d !== 'number')
          choices.push({
            input: vi.name,
            index: i,
            dim: d,
            value: g.shape[i] as number,
            why: `from ${g.from}`,
          });
        return g.shape[i] as number;
      }
      const fromSpec = spec?.[i];
      if (typeof d === 'number') {
        if (fromSpec !== undefined && fromSpec !== null && fromSpec !== d) {
          throw new AppError(
            'INPUT_INVALID',
            `--shape ${vi.name}: dim ${i} is fixed at ${d} in the model, the shape gives ${fromSpec}`,
          );
        }
        return d;
      }
      const pick = (value: number, why: string) => {
        choices.push({ input: vi.name, index: i, dim: d, value, why });
        return value;
      };
      if (fromSpec !== undefined && fromSpec !== null)
        return pick(fromSpec, `from --shape ${vi.name}`);
      const named = typeof d === 'string' && !isAnonymousDim(d) ? d : null;
      if (named !== null && plan.dims[named] !== undefined)
        return pick(plan.dims[named], `from --dim ${named}`);
      if (named !== null && bound.has(named)) {
        const b = bound.get(named) as { value: number; why: string };
        return pick(b.value, `'${named}' ${b.why}`);
      }
      if (d !== null && plan.dims[d] !== undefined) return pick(plan.dims[d], `from --dim ${d}`);
      const reason = batchReason(vi.shape as Dim[], i);
      const byDefault = (value: number, why: string) => {
        choices.push({ input: vi.name, index: i, dim: d, value, why, byDefault: true });
        return value;
      };
      if (reason !== null) {
        if (batch) return pick(batch.value, `${reason}; batch ${batch.why}`);
        return byDefault(1, `${reason}; batch 1 by default (--dim batch=N to change)`);
      }
      return byDefault(
        DEFAULT_DIM,
        named !== null
          ? `'${named}' has no value; ${DEFAULT_DIM} by default (--dim ${named}=N to change)`
          : `unnamed; ${DEFAULT_DIM} by default (--shape ${vi.name}=… to change)`,
      );
    });
    shapes[vi.name] = shape;
  }
  return { shapes, choices };
}

// ---------------------------------------------------------------------------------------------
// Fills by name

const RATE_NAME =
  /^(sr|fs|rate|sample_?rate|sampling_?rate|sample_?freq(uency)?|sampling_?freq(uency)?)$/i;
const MASK_NAME = /mask/i;
const TYPE_NAME = /(token_type|segment)(_ids?)?$/i;
const POSITION_NAME = /position(_ids?)?$/i;
const ID_NAME = /(^|_)(ids?|tokens?|input_ids|indices)$/i;

/** The rate a rate-like input gets when nothing else is given: the usual speech rate. */
export const DEFAULT_RATE = 16000;

/** How an input is filled when the plan gives it no file or values. */
export type FillRule =
  | { kind: 'constant'; value: number; why: string }
  | { kind: 'range'; lo: number; hi: number; why: string }
  | { kind: 'arange'; why: string }
  | { kind: 'fill'; fill: FillKind; why: string };

const isInt = (t: DType) => /^u?int(8|16|32|64)$/.test(t);
const isNumeric = (t: DType) =>
  isInt(t) || t === 'float32' || t === 'float64' || t === 'float16' || t === 'bfloat16';

/**
 * The fill an input gets by its dtype and name: a rate-like scalar is {@link DEFAULT_RATE}, masks
 * are all ones, token types zeros, position ids 0…n-1, ids random below the vocabulary (`vocab`,
 * when the model's embedding table tells it), other integers random in [0, 10).
 */
export function fillRuleFor(vi: ValueInfo, fill: FillKind, vocab?: number): FillRule {
  const dtype = vi.dtype as DType;
  const name = vi.name;
  const small = vi.shape !== null && vi.shape.length <= 1 && vi.shape.every((d) => d === 1);
  if (RATE_NAME.test(name) && isNumeric(dtype) && (vi.shape?.length === 0 || small)) {
    return {
      kind: 'constant',
      value: DEFAULT_RATE,
      why: `'${name}' reads as a sample rate: ${DEFAULT_RATE} Hz (--value ${name}=N to change)`,
    };
  }
  if (MASK_NAME.test(name) && (isNumeric(dtype) || dtype === 'bool'))
    return { kind: 'constant', value: 1, why: `'${name}' reads as a mask: all ones` };
  if (TYPE_NAME.test(name) && isInt(dtype))
    return { kind: 'constant', value: 0, why: `'${name}' reads as token types: all zeros` };
  if (POSITION_NAME.test(name) && isInt(dtype))
    return { kind: 'arange', why: `'${name}' reads as positions: 0, 1, 2 … along the last dim` };
  if (fill !== 'random') return { kind: 'fill', fill, why: `${fill} (--fill)` };
  if (isInt(dtype)) {
    if (ID_NAME.test(name)) {
      return vocab !== undefined
        ? {
            kind: 'range',
            lo: 0,
            hi: vocab,
            why: `'${name}' reads as ids: random below the ${vocab}-row table it indexes`,
          }
        : {
            kind: 'range',
            lo: 0,
            hi: 100,
            why: `'${name}' reads as ids: random in [0, 100) (vocabulary size not in the model; --value ${name}=… for real ids)`,
          };
    }
    return { kind: 'range', lo: 0, hi: 10, why: 'integers: random in [0, 10)' };
  }
  return {
    kind: 'fill',
    fill: 'random',
    why:
      dtype === 'bool'
        ? 'random 0/1'
        : dtype === 'string'
          ? 'random lowercase words'
          : 'random in [0, 1)',
  };
}

/**
 * The row count of the table each input indexes, when it feeds a Gather (an embedding) whose data
 * is an initializer: ids must stay below it or the run fails.
 */
export function vocabSizes(model: onnx.IModelProto): Record<string, number> {
  const graph = model.graph ?? {};
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const inputs = new Set(realInputs(graph).map((vi) => vi.name ?? ''));
  const out: Record<string, number> = {};
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Gather' || (node.domain ?? '') !== '') continue;
    const [table, idx] = node.input ?? [];
    const t = table ? inits.get(table) : undefined;
    if (!idx || !inputs.has(idx) || !t || (t.dims ?? []).length === 0) continue;
    const rows = toNumber((t.dims ?? [])[0] as IntLike);
    out[idx] = Math.min(out[idx] ?? Infinity, rows);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Writes `values` (strings as the user typed them) into a tensor of `dtype`; INPUT_INVALID naming `what`. */
function tensorFromValues(
  dtype: DType,
  dims: number[],
  values: readonly string[],
  what: string,
): HostTensor {
  const count = elementCount(dims);
  if (values.length !== count && values.length !== 1) {
    throw new AppError(
      'INPUT_INVALID',
      `${what}: ${values.length} values for shape [${dims.join(', ')}] (${count} values)`,
    );
  }
  const data = allocData(dtype, count);
  const at = (i: number) => values[values.length === 1 ? 0 : i] as string;
  const num = (s: string) => {
    const n = s === 'true' ? 1 : s === 'false' ? 0 : Number(s);
    if (!Number.isFinite(n) && !/^[-+]?(inf(inity)?|nan)$/i.test(s))
      throw new AppError('INPUT_INVALID', `${what}: '${s}' is not a number`);
    return Number.isNaN(n) ? (/nan/i.test(s) ? NaN : s.startsWith('-') ? -Infinity : Infinity) : n;
  };
  for (let i = 0; i < count; i++) {
    const s = at(i);
    if (Array.isArray(data)) data[i] = s;
    else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      let b: bigint;
      try {
        b = BigInt(s);
      } catch {
        throw new AppError('INPUT_INVALID', `${what}: '${s}' is not an integer (${dtype})`);
      }
      data[i] = data instanceof BigInt64Array ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
    } else if (dtype === 'float16') (data as Uint16Array)[i] = numberToF16(num(s));
    else if (dtype === 'bfloat16') (data as Uint16Array)[i] = numberToBf16(num(s));
    else if (isInt(dtype) || dtype === 'bool') {
      const n = num(s);
      if (!Number.isInteger(n))
        throw new AppError('INPUT_INVALID', `${what}: '${s}' is not an integer (${dtype})`);
      (data as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>)[i] = n;
    } else if (dtype === 'float32' || dtype === 'float64') {
      (data as Float32Array)[i] = num(s);
    } else {
      throw new AppError(
        'INPUT_INVALID',
        `${what}: values cannot be typed in for ${dtype} inputs; use a .pb file`,
      );
    }
  }
  return { dtype, dims, data };
}

/**
 * The shape a flat list of `n` values takes for input `vi`: the model's fixed dims, --shape and
 * --dim values, batch-like dims at the batch (1 unless given), and the one dim left open sized to
 * fit. INPUT_INVALID (naming `what`) when they cannot fit.
 */
function shapeForCount(
  vi: ValueInfo,
  n: number,
  plan: Pick<InputPlan, 'shapes' | 'dims'>,
  what: string,
): number[] {
  if (vi.shape === null) return [n];
  const spec = plan.shapes[vi.name];
  const open: number[] = [];
  const userBatch = Object.entries(plan.dims).find(([k]) => isBatchLike(k))?.[1];
  const batchDims: number[] = [];
  const dims = vi.shape.map((d, i) => {
    const s = spec?.[i];
    if (s !== undefined && s !== null) return s;
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && plan.dims[d] !== undefined) return plan.dims[d];
    if (batchReason(vi.shape as Dim[], i) !== null) {
      batchDims.push(i);
      return userBatch ?? 1;
    }
    open.push(i);
    return 1;
  });
  // With nothing else open, the values' count sizes the batch (8 values for [?, 4]: batch 2).
  if (open.length === 0 && userBatch === undefined && batchDims.length === 1)
    open.push(batchDims[0] as number);
  const fixed = dims.reduce((a, b) => a * b, 1);
  if (open.length === 1 && fixed > 0 && n % fixed === 0) dims[open[0] as number] = n / fixed;
  else if (!(open.length === 0 && fixed === n)) {
    throw new AppError(
      'INPUT_INVALID',
      `${what}: ${n} values do not fit input '${vi.name}' [${vi.shape.map((d) => d ?? '?').join(', ')}]; give its shape with --shape ${vi.name}=…`,
    );
  }
  return dims;
}

// ---------------------------------------------------------------------------------------------
// Resolving a plan

/** What was fed to one input, for the result record. */
export interface FedInput {
  name: string;
  dtype: DType;
  dims: number[];
  /** Where it came from, for people: "file a.npy", "values 16000", "random in [0, 10), seed 7". */
  source: string;
  /** Conversions and adjustments made (resampled, padded, converted from float64 …). */
  notes: string[];
}

/** A plan resolved against a model: the tensors, what was fed, how the dims were chosen. */
export interface ResolvedInputs {
  tensors: Record<string, HostTensor>;
  fed: FedInput[];
  choices: DimChoice[];
  /** CLI arguments that feed exactly these tensors again (`crucible run MODEL …replay`). */
  replay: string[];
  /** The file each input came from, if any. */
  fileOf: Record<string, string>;
  /** The first picture fed, if any (picture outputs are written beside it). */
  firstPicture: string | null;
}

/** The model facts resolving needs. `proto` (when at hand) lets ids stay below the vocabulary. */
export interface ModelInputs {
  /** The model's file, named in messages. */
  path: string;
  inputs: readonly ValueInfo[];
  proto?: onnx.IModelProto;
  /**
   * The pixel scaling for pictures that do not say theirs: the model's metadata_props default
   * (inspection `pictureScaling`); [0, 1] when absent.
   */
  pixels?: { scaling: PixelScaling; from: string } | null;
}

const NUMERIC_ARRAYS = new Set([
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
]);

/**
 * A tensor converted to `dtype` within its kind — float to float, integer to integer — since NumPy
 * writes float64 and int64 by default. Across kinds (integers for a float input) the file is more
 * likely the wrong one: INPUT_INVALID naming it.
 */
function convertTo(t: HostTensor, dtype: DType, what: string): HostTensor {
  if (t.dtype === dtype) return t;
  const kind = (d: DType) => (isInt(d) ? 'int' : d === 'bool' ? 'bool' : 'float');
  if (
    !NUMERIC_ARRAYS.has(t.dtype) ||
    !(NUMERIC_ARRAYS.has(dtype) || dtype === 'float16' || dtype === 'bfloat16') ||
    kind(t.dtype) !== kind(dtype)
  ) {
    throw new AppError(
      'INPUT_INVALID',
      `${what} holds ${t.dtype} values; the input takes ${dtype}`,
    );
  }
  const count = elementCount(t.dims);
  const src = t.data as Exclude<TensorData, string[]>;
  const vals: string[] = [];
  for (let i = 0; i < count; i++) vals.push(String(src[i]));
  if (isInt(dtype) && !isInt(t.dtype) && t.dtype !== 'bool') {
    const bad = vals.find((v) => !Number.isInteger(Number(v)));
    if (bad !== undefined)
      throw new AppError(
        'INPUT_INVALID',
        `${what} holds ${t.dtype} values such as ${bad}; the input takes ${dtype}`,
      );
  }
  return tensorFromValues(dtype, t.dims, vals, what);
}

/** The input_N.pb files of an ONNX test-data folder (a test_data_set_N folder, or a case folder). */
async function testDataFiles(dir: string): Promise<string[]> {
  const list = async (d: string) =>
    readdir(d).catch((err: unknown) => {
      throw fsError(err, d);
    });
  let names = await list(dir);
  let base = dir;
  if (!names.some((n) => /^input_\d+\.pb$/.test(n))) {
    const set = names.filter((n) => /^test_data_set_\d+$/.test(n)).sort()[0];
    if (!set) {
      throw new AppError(
        'INPUT_INVALID',
        `${dir} is not an ONNX test-data folder: no input_N.pb files and no test_data_set_N folder`,
      );
    }
    base = path.join(dir, set);
    names = await list(base);
  }
  return names
    .filter((n) => /^input_\d+\.pb$/.test(n))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]))
    .map((n) => path.join(base, n));
}

async function readSmallFile(file: string, limit: number): Promise<Buffer> {
  try {
    const st = await stat(file);
    if (st.isDirectory())
      throw new AppError('INPUT_INVALID', `${file} is a folder, not an input file`);
    if (st.size > limit)
      throw new AppError(
        'INPUT_INVALID',
        `${file} is ${st.size} bytes, over the ${limit}-byte limit for this kind of input`,
      );
    return await readFile(file);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw fsError(err, file);
  }
}

/**
 * A picture as input `vi`'s tensor: resized (ipc/image-model.ts resizeRgba) to the size
 * pictureFeedSize gives (the model's fixed sides, else --shape or --dim values for its sides, else
 * the picture's own) and scaled as `pixels` says, else the model's metadata default, else [0, 1].
 * The notes say what was done, the scaling and where it came from included. INPUT_INVALID naming
 * `what` when the input cannot take a picture.
 */
function pictureTensor(
  model: ModelInputs,
  vi: ValueInfo,
  pic: { width: number; height: number; rgba: Uint8Array },
  what: string,
  pixels: PixelScaling | undefined,
  plan: Pick<InputPlan, 'shapes' | 'dims'>,
): { tensor: HostTensor; scaling: PixelScaling; notes: string[] } {
  const problem = pictureInputProblem(vi);
  if (problem !== null) {
    throw new AppError(
      'INPUT_INVALID',
      `${what}: ${path.basename(model.path)} cannot take a picture as '${vi.name}': ${problem}; a picture needs a float32 input [1, 3, height, width]`,
    );
  }
  const { width, height } = pictureFeedSize(vi, pic, plan.dims, plan.shapes[vi.name]);
  const notes: string[] = [];
  let rgba = pic.rgba;
  if (width !== pic.width || height !== pic.height) {
    rgba = resizeRgba(pic, width, height);
    notes.push(`picture resized from ${pic.width}×${pic.height} to ${width}×${height}`);
  }
  const scaling = pixels ?? model.pixels?.scaling ?? 'unit';
  const why =
    pixels !== undefined
      ? 'as asked'
      : model.pixels
        ? `from ${model.pixels.from}`
        : 'the default; the model does not say';
  notes.push(`pixels ${PIXEL_SCALING_LABELS[scaling]} (${why})`);
  return { tensor: rgbaToNchw(rgba, width, height, scaling), scaling, notes };
}

/** A seed per input, so adding or reordering inputs does not change another input's bytes. */
function seedFor(seed: number, name: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function filled(vi: ValueInfo, dims: number[], rule: FillRule, seed: number): HostTensor {
  const dtype = vi.dtype as DType;
  if (rule.kind === 'constant') return tensorFromValues(dtype, dims, [String(rule.value)], vi.name);
  const count = elementCount(dims);
  if (rule.kind === 'arange') {
    const last = dims[dims.length - 1] ?? 1;
    return tensorFromValues(
      dtype,
      dims,
      Array.from({ length: count }, (_, i) => String(last > 0 ? i % last : 0)),
      vi.name,
    );
  }
  if (rule.kind === 'range') {
    const next = mulberry32(seedFor(seed, vi.name));
    const span = Math.max(1, rule.hi - rule.lo);
    const data = allocData(dtype, count) as Exclude<TensorData, string[]>;
    for (let i = 0; i < count; i++) {
      const v = rule.lo + (next() % span);
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v);
      else data[i] = v;
    }
    return { dtype, dims, data };
  }
  return synthesizeInputs([{ ...vi, shape: dims }], {
    fill: rule.fill,
    seed: seedFor(seed, vi.name),
  })[vi.name] as HostTensor;
}

/**
 * Resolves a plan against a model: reads files, types values in, plans every dim together and
 * fills the rest by name and dtype. Errors are INPUT_INVALID / FILE_NOT_FOUND naming the file or
 * flag and the input.
 */
export async function resolveInputs(model: ModelInputs, plan: InputPlan): Promise<ResolvedInputs> {
  const byName = new Map(model.inputs.map((vi) => [vi.name, vi]));
  const sources: Record<string, InputSource> = { ...plan.sources };
  if (plan.testData) {
    const files = await testDataFiles(plan.testData);
    for (const [i, file] of files.entries()) {
      const named = (await readTensorFile(file)).name;
      const vi = byName.get(named) ?? model.inputs[i];
      if (vi && !sources[vi.name]) sources[vi.name] = { kind: 'file', path: file };
    }
  }
  const unknown = [...Object.keys(sources), ...Object.keys(plan.shapes)].filter(
    (n) => !byName.has(n),
  );
  if (unknown.length > 0) {
    throw new AppError(
      'INPUT_INVALID',
      `${path.basename(model.path)} has no input '${unknown[0]}' (inputs: ${model.inputs.map((i) => i.name).join(', ')})`,
    );
  }
  for (const vi of model.inputs) {
    if (vi.kind !== 'tensor' || vi.dtype === null || vi.shape === null) {
      throw new AppError(
        'INPUT_INVALID',
        `input '${vi.name}' is ${vi.kind !== 'tensor' ? `a ${vi.kind}` : vi.dtype === null ? 'a tensor of unknown type' : 'a tensor of unknown shape'}; Crucible can feed only tensors of known type and rank`,
      );
    }
  }
  const vocab = model.proto ? vocabSizes(model.proto) : {};
  const tensors: Record<string, HostTensor> = {};
  const fed = new Map<string, FedInput>();
  const fileOf: Record<string, string> = {};
  const given: Record<string, Given> = {};
  let firstPicture: string | null = null;
  const replay: string[] = [];

  // The rate the model runs at, for audio: a rate-like input's value, else the default.
  const rateInput = model.inputs.find((vi) => RATE_NAME.test(vi.name));
  const rateSource = rateInput ? sources[rateInput.name] : undefined;
  const modelRate = rateInput
    ? rateSource?.kind === 'values' && rateSource.values.length === 1
      ? Number(rateSource.values[0])
      : DEFAULT_RATE
    : null;

  // Data with a shape of its own first: files and lists of values bind dims for the others.
  const deferred: {
    vi: ValueInfo;
    values: string[];
    what: string;
    source: string;
    notes: string[];
  }[] = [];
  for (const vi of model.inputs) {
    const src = sources[vi.name];
    const dtype = vi.dtype as DType;
    if (!src || src.kind === 'fill') continue;
    if (src.kind === 'values') {
      replay.push('--value', `${vi.name}=${src.values.join(',')}`);
      const source = `values ${src.values.length > 8 ? `${src.values.slice(0, 8).join(', ')} … (${src.values.length})` : src.values.join(', ')}`;
      if (src.values.length === 1) {
        deferred.push({ vi, values: src.values, what: `--value ${vi.name}`, source, notes: [] });
        continue;
      }
      const dims = shapeForCount(vi, src.values.length, plan, `--value ${vi.name}`);
      tensors[vi.name] = tensorFromValues(dtype, dims, src.values, `--value ${vi.name}`);
      given[vi.name] = { shape: dims, from: `--value ${vi.name}` };
      fed.set(vi.name, { name: vi.name, dtype, dims, source, notes: [] });
      continue;
    }
    if (src.kind === 'picture') {
      const rgba = Buffer.from(src.rgbaBase64, 'base64');
      if (rgba.length !== src.width * src.height * 4) {
        throw new AppError(
          'INPUT_INVALID',
          `${src.fileName}: a ${src.width}×${src.height} picture needs ${src.width * src.height * 4} RGBA bytes, got ${rgba.length}`,
        );
      }
      const pic = { width: src.width, height: src.height, rgba: new Uint8Array(rgba) };
      const fedPic = pictureTensor(model, vi, pic, src.fileName, src.pixels, plan);
      replay.push(
        '--input',
        `${vi.name}=${src.fileName}`,
        '--pixels',
        `${vi.name}=${fedPic.scaling}`,
      );
      tensors[vi.name] = fedPic.tensor;
      given[vi.name] = { shape: fedPic.tensor.dims, from: src.fileName };
      fed.set(vi.name, {
        name: vi.name,
        dtype: 'float32',
        dims: fedPic.tensor.dims,
        source: `picture ${src.fileName}`,
        notes: fedPic.notes,
      });
      continue;
    }
    const file = src.path;
    replay.push('--input', `${vi.name}=${file}`);
    fileOf[vi.name] = file;
    const ext = path.extname(file).toLowerCase();
    const notes: string[] = [];
    let t: HostTensor;
    if (ext === '.npy' || ext === '.pb') {
      const read = (await readTensorFile(file)).tensor;
      t = convertTo(read, dtype, file);
      if (read.dtype !== dtype) notes.push(`converted from ${read.dtype} to ${dtype}`);
    } else if (ext === '.png') {
      const { readPng } = await import('./png');
      const fedPic = pictureTensor(model, vi, await readPng(file), file, src.pixels, plan);
      if (src.pixels !== undefined) replay.push('--pixels', `${vi.name}=${fedPic.scaling}`);
      t = fedPic.tensor;
      notes.push(...fedPic.notes);
      firstPicture ??= file;
    } else if (ext === '.wav') {
      const shape = vi.shape as Dim[];
      if ((dtype !== 'float32' && dtype !== 'float16') || shape.length < 1 || shape.length > 2) {
        throw new AppError(
          'INPUT_INVALID',
          `${file}: input '${vi.name}' is ${dtype} [${shape.map((d) => d ?? '?').join(', ')}]; a recording feeds a float input of 1 or 2 dims (samples, or batch × samples)`,
        );
      }
      const audio = decodeWav(await readSmallFile(file, MAX_WAV_BYTES), file);
      let samples = audio.samples;
      if (audio.channels > 1) notes.push(`${audio.channels} channels mixed down to mono`);
      if (
        modelRate !== null &&
        Number.isFinite(modelRate) &&
        modelRate > 0 &&
        modelRate !== audio.rate
      ) {
        samples = resample(samples, audio.rate, modelRate);
        notes.push(`resampled from ${audio.rate} Hz to the model's ${modelRate} Hz`);
      } else if (modelRate === null)
        notes.push(`fed at the file's ${audio.rate} Hz (the model does not say its rate)`);
      const last = shape[shape.length - 1];
      const fixedSamples =
        typeof last === 'number' ? last : (plan.shapes[vi.name]?.[shape.length - 1] ?? null);
      if (fixedSamples !== null && fixedSamples !== samples.length) {
        const cut = new Float32Array(fixedSamples);
        cut.set(samples.subarray(0, fixedSamples));
        notes.push(
          samples.length > fixedSamples
            ? `first ${fixedSamples} of ${samples.length} samples`
            : `${samples.length} samples padded with silence to ${fixedSamples}`,
        );
        samples = cut;
      }
      const dims = shape.length === 1 ? [samples.length] : [1, samples.length];
      t = { dtype: 'float32', dims, data: samples };
      if (dtype !== 'float32') t = convertTo(t, dtype, file);
    } else if (ext === '.txt') {
      const text = (await readSmallFile(file, 64 * 2 ** 20)).toString('utf8');
      const values = text.split(/[\s,]+/).filter((s) => s !== '');
      if (values.length === 0)
        throw new AppError('INPUT_INVALID', `${file}: no token ids in the file`);
      const dims = shapeForCount(vi, values.length, plan, file);
      t = tensorFromValues(dtype, dims, values, file);
    } else {
      throw new AppError(
        'INPUT_INVALID',
        `${file}: Crucible reads inputs from .npy, .pb, .png (pictures), .wav (audio) and .txt (token ids)`,
      );
    }
    tensors[vi.name] = t;
    given[vi.name] = { shape: t.dims, from: file };
    fed.set(vi.name, {
      name: vi.name,
      dtype: t.dtype,
      dims: t.dims,
      source: `file ${file}`,
      notes,
    });
  }

  const { shapes, choices } = planShapes(model.inputs, plan, given);
  for (const vi of model.inputs) {
    if (tensors[vi.name]) continue;
    const dims = shapes[vi.name] as number[];
    checkSize(vi, dims);
    const d = deferred.find((x) => x.vi === vi);
    if (d) {
      tensors[vi.name] = tensorFromValues(vi.dtype as DType, dims, d.values, d.what);
      fed.set(vi.name, {
        name: vi.name,
        dtype: vi.dtype as DType,
        dims,
        source: d.source,
        notes: d.notes,
      });
      continue;
    }
    const src = sources[vi.name];
    const rule = fillRuleFor(vi, src?.kind === 'fill' ? src.fill : plan.fill, vocab[vi.name]);
    tensors[vi.name] = filled(vi, dims, rule, plan.seed);
    const seeded = rule.kind === 'range' || (rule.kind === 'fill' && rule.fill === 'random');
    fed.set(vi.name, {
      name: vi.name,
      dtype: vi.dtype as DType,
      dims,
      source: `${rule.why}${seeded ? `, seed ${plan.seed}` : ''}`,
      notes: [],
    });
  }
  // Shapes of everything not read from a file, so the replay does not depend on defaults.
  for (const vi of model.inputs) {
    if (fileOf[vi.name] === undefined && (vi.shape ?? []).some((d) => typeof d !== 'number'))
      replay.push('--shape', `${vi.name}=${(tensors[vi.name] as HostTensor).dims.join('x')}`);
  }
  if (plan.fill !== 'random') replay.push('--fill', plan.fill);
  replay.push('--seed', String(plan.seed));
  return {
    tensors,
    fed: model.inputs.map((vi) => fed.get(vi.name) as FedInput),
    choices,
    replay,
    fileOf,
    firstPicture,
  };
}

function checkSize(vi: ValueInfo, dims: number[]): void {
  const count = dims.reduce((a, b) => a * b, 1); // a float product: only its size matters
  const bytes = vi.dtype === 'string' ? count * 8 : byteLength(vi.dtype as DType, count);
  if (!(bytes <= MAX_INPUT_BYTES)) {
    throw new AppError(
      'INPUT_INVALID',
      `input '${vi.name}' of shape [${dims.join(', ')}] would be over 2 GiB; choose smaller values for its dims`,
    );
  }
}
