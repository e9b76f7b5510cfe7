/**
 * Which models take a picture, from their inspection alone: one float32 input [1 or a symbolic
 * batch, 3, height, width] and a float32 output that can be a picture. Environment-neutral, so the
 * renderer (whether to show the picture panel) and the main side (engine/model/image.ts, which
 * also says why not) decide with the same code.
 */
import type { ModelInspection, ValueInfo } from './contract';

/**
 * Why `input` cannot take a picture, or null when it can: a picture needs a float32 tensor
 * [1 or a symbolic batch, 3, height, width].
 */
export function pictureInputProblem(input: ValueInfo): string | null {
  const shape = input.shape;
  if (input.kind !== 'tensor' || input.dtype !== 'float32' || shape === null || shape.length !== 4)
    return `its input ${input.name} is ${describeValue(input)}`;
  const [n, c] = shape;
  if ((typeof n === 'number' && n !== 1) || c !== 3)
    return `its input ${input.name} is ${describeValue(input)}`;
  return null;
}

/** Why a `width` × `height` picture does not fit `input`'s fixed sides, or null when it fits. */
export function pictureSizeProblem(input: ValueInfo, width: number, height: number): string | null {
  const [, , h, w] = input.shape ?? [];
  if ((typeof h === 'number' && h !== height) || (typeof w === 'number' && w !== width)) {
    return `takes pictures of ${String(w)}×${String(h)} pixels; this one is ${width}×${height}`;
  }
  return null;
}

/** True when an output can be a picture: float32 [1, 1|3|4, height, width] (or of unknown shape). */
export function isPictureOutput(o: ValueInfo): boolean {
  return (
    o.kind === 'tensor' &&
    o.dtype === 'float32' &&
    (o.shape === null ||
      (o.shape.length === 4 && (typeof o.shape[1] !== 'number' || [1, 3, 4].includes(o.shape[1]))))
  );
}

/** Why a model is not an image model (in words for a message), or null when it is one. */
export function imageModelProblem(insp: ModelInspection): string | null {
  if (insp.inputs.length !== 1) {
    return `it has ${insp.inputs.length} inputs (${insp.inputs.map((i) => i.name).join(', ')})`;
  }
  const problem = pictureInputProblem(insp.inputs[0] as ValueInfo);
  if (problem !== null) return problem;
  if (!insp.outputs.some(isPictureOutput)) {
    return `no output is a float32 picture [1, 1|3|4, height, width] (${insp.outputs.map(describeValue).join('; ')})`;
  }
  return null;
}

/** True for a model the user can drop a picture on (see {@link imageModelProblem}). */
export function isImageModel(insp: ModelInspection | null | undefined): boolean {
  return insp != null && imageModelProblem(insp) === null;
}

/** A value's type and shape as people read it: `float32 [1, 3, ?, ?]`. */
export function describeValue(v: ValueInfo): string {
  if (v.kind !== 'tensor') return `a ${v.kind}`;
  const dims =
    v.shape === null ? 'of unknown shape' : `[${v.shape.map((d) => d ?? '?').join(', ')}]`;
  return `${v.dtype ?? 'unknown type'} ${dims}`;
}
