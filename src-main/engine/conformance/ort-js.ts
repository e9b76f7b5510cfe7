/**
 * The onnxruntime-node JS API as a {@link CaseEngine}: the baseline Crucible's own engine is
 * measured against. Host tensors become `ort.Tensor`s and back; dtypes that API has no tensor
 * type for fail the case with that reason, since that is the API's real limit.
 *
 * Loaded only inside the baseline's worker process: onnxruntime-node is imported when a worker
 * starts, never by the rest of the app.
 */
import type * as Ort from 'onnxruntime-node';
import type { DType } from '../../ipc/contract';
import { numberToF16 } from '../model/float-bits';
import type { HostTensor } from '../tensor';
import type { CaseEngine } from './cases';

type OrtModule = typeof Ort;

/**
 * Dtypes onnxruntime-node's Tensor can hold: onnxruntime-common's Tensor.Type, which the
 * `satisfies` keeps this list equal to (a type added or dropped there fails the build here). Not
 * derived from DTYPES: it is the JS API's limit, a subset, and a dtype new to Crucible must not
 * pass as one the baseline can feed.
 */
const ORT_JS_TYPE_KEYS = {
  float32: true,
  uint8: true,
  int8: true,
  uint16: true,
  int16: true,
  int32: true,
  int64: true,
  string: true,
  bool: true,
  float16: true,
  float64: true,
  uint32: true,
  uint64: true,
  uint4: true,
  int4: true,
} as const satisfies Record<Ort.Tensor.Type, true>;
// Typed as DType so that a Tensor.Type Crucible has no name for fails the build too.
const ORT_JS_TYPES: ReadonlySet<DType> = new Set<DType>(
  Object.keys(ORT_JS_TYPE_KEYS) as (keyof typeof ORT_JS_TYPE_KEYS)[],
);

/** A host tensor as an ort.Tensor (same memory layout; 4-bit types stay packed, as ORT wants). */
export function toOrtTensor(ort: OrtModule, name: string, t: HostTensor): Ort.Tensor {
  if (!ORT_JS_TYPES.has(t.dtype)) {
    throw new Error(
      `input '${name}' is ${t.dtype}, which onnxruntime-node's JS API has no tensor type for`,
    );
  }
  return new ort.Tensor(t.dtype as Ort.Tensor.Type, t.data as never, t.dims);
}

/** An ort.Tensor as a host tensor, copied into JS-owned arrays. */
export function fromOrtTensor(name: string, t: Ort.Tensor): HostTensor {
  const dims = [...t.dims];
  const dtype = t.type as DType;
  if (!ORT_JS_TYPES.has(dtype))
    throw new Error(`output '${name}' has type ${t.type}, which the baseline cannot read`);
  const data = t.data as unknown;
  if (dtype === 'string') return { dtype, dims, data: [...(data as string[])] };
  if (dtype === 'float16' && !(data instanceof Uint16Array)) {
    // Where Float16Array exists, ORT hands float16 back as one: re-encode the values as bits.
    const values = data as ArrayLike<number>;
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) bits[i] = numberToF16(values[i] as number);
    return { dtype, dims, data: bits };
  }
  if (dtype === 'int4') {
    const packed = data as Int8Array | Uint8Array;
    return {
      dtype,
      dims,
      data: new Uint8Array(
        packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength),
      ),
    };
  }
  return { dtype, dims, data: (data as Exclude<HostTensor['data'], string[]>).slice() };
}

/** A {@link CaseEngine} over onnxruntime-node's InferenceSession on the CPU. */
export function ortJsCaseEngine(ort: OrtModule): CaseEngine {
  return {
    async open(modelPath) {
      const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
      return {
        async run(inputs) {
          const feeds: Record<string, Ort.Tensor> = {};
          for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrtTensor(ort, name, t);
          const results = await session.run(feeds);
          const out: Record<string, HostTensor> = {};
          for (const [name, value] of Object.entries(results))
            out[name] = fromOrtTensor(name, value);
          return out;
        },
        async release() {
          await session.release().catch(() => undefined);
        },
      };
    },
    explain(err, step) {
      const what = step === 'create' ? 'InferenceSession.create' : 'session.run';
      return `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    },
  };
}
