/**
 * onnxruntime-node (CPU) as the oracle of the model tests: host tensors across, one run of a
 * model file or its bytes, numbered temp model paths. Test-only: nothing outside *.test.ts
 * imports this.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { HostTensor } from '../tensor';

export function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
}

export function fromOrt(t: ort.Tensor): HostTensor {
  return { dtype: t.type as HostTensor['dtype'], dims: [...t.dims], data: t.data as never };
}

/** One run of a model (a file, or its encoded bytes) in a throwaway session. */
export async function runOrt(
  model: string | Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  // Two overloads (a path, bytes): a union fits neither, so each is called by its own.
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model)
      : await ort.InferenceSession.create(model);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Paths for temp models in a fresh folder, numbered so names never collide: `3-name.onnx`. */
export function tempModels(prefix: string): (name: string) => string {
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  let seq = 0;
  return (name) => path.join(dir, `${seq++}-${name}.onnx`);
}
