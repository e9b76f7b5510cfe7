/**
 * Pictures as tensors, without a session: which input and output of a model carry a picture, and
 * the conversions RGBA bytes ⇄ NCHW float32 in [0, 1]. Both the app's image runs
 * (services/image-run.ts) and the CLI's PNG input/output (cli/run.ts) use these, so a picture
 * becomes exactly the same tensor whichever way it arrives.
 */
import type { ModelInspection, ValueInfo } from '../../ipc/contract';
import type { onnx } from 'onnx-proto';
import {
  IMAGENET_MEAN,
  IMAGENET_STD,
  imageModelProblem,
  isPictureOutput,
  pixelAffine,
  pictureInputProblem,
  pictureSizeProblem,
  type PixelScaling,
} from '../../ipc/image-model';
import { AppError } from '../../shared/errors';
import type { HostTensor } from '../tensor';

/** The largest side of a picture Crucible reads or makes (the contract's ImageSchema says the same). */
export const MAX_PICTURE_SIDE = 8192;

// The detection itself is environment-neutral (the renderer uses it too): ipc/image-model.ts.
// input-sources.ts takes pictureInputProblem from here.
export { pictureInputProblem };

/** Which input and output of a model carry the picture. */
export interface ImagePorts {
  input: string;
  output: string;
}

/**
 * Checks that a model (called `modelName` in messages) is image-like — one float32 input
 * [1, 3, H, W] and a picture output — and that a picture of `width` × `height` fits it. Throws
 * INPUT_INVALID naming the model and the shapes it has otherwise.
 */
export function imagePortsOf(
  modelName: string,
  insp: ModelInspection,
  width?: number,
  height?: number,
): ImagePorts {
  const notImage = (why: string) =>
    new AppError(
      'INPUT_INVALID',
      `${modelName} is not an image model: ${why}; a picture needs one float32 input [1, 3, height, width]`,
    );
  const problem = imageModelProblem(insp);
  const input = insp.inputs[0] as ValueInfo;
  // A model whose one input takes pictures says which pictures first, whatever its outputs (a
  // classifier's input is a picture too): the size is what the user can act on at once. When the
  // outputs are no picture either, the same message says so, so fixing the size is not a dead end.
  if (
    width !== undefined &&
    height !== undefined &&
    insp.inputs.length === 1 &&
    pictureInputProblem(input) === null
  ) {
    const misfit = pictureSizeProblem(input, width, height);
    if (misfit !== null) {
      const besides = problem === null ? '' : `; besides, it is not an image model: ${problem}`;
      throw new AppError('INPUT_INVALID', `${modelName} ${misfit}${besides}`);
    }
  }
  if (problem !== null) throw notImage(problem);
  const output = insp.outputs.find(isPictureOutput) as ValueInfo;
  return { input: input.name, output: output.name };
}

/**
 * RGBA bytes (alpha dropped) → NCHW float32 [1, 3, height, width], scaled as `scaling` says
 * ([0, 1] unless told: ipc/image-model.ts PIXEL_SCALINGS).
 */
export function rgbaToNchw(
  rgba: Uint8Array,
  width: number,
  height: number,
  scaling: PixelScaling = 'unit',
): HostTensor {
  const plane = width * height;
  if (rgba.length !== plane * 4) {
    throw new AppError(
      'INPUT_INVALID',
      `a ${width}×${height} picture needs ${plane * 4} RGBA bytes, got ${rgba.length}`,
    );
  }
  const data = new Float32Array(plane * 3);
  const { scale, offset } = pixelAffine(scaling);
  for (let c = 0; c < 3; c++) {
    const k = scale[c] as number;
    const b = offset[c] as number;
    // [0, 1] divides as before (v / 255), so the CLI's default tensors keep their exact bits.
    if (scaling === 'unit')
      for (let i = 0; i < plane; i++) data[c * plane + i] = (rgba[i * 4 + c] as number) / 255;
    else for (let i = 0; i < plane; i++) data[c * plane + i] = (rgba[i * 4 + c] as number) * k + b;
  }
  return { dtype: 'float32', dims: [1, 3, height, width], data };
}

/** True when a tensor is a picture nchwToRgba can convert: float32 [1, 1|3|4, H, W]. */
export function isPictureTensor(t: HostTensor): boolean {
  const [n, c] = t.dims;
  return (
    t.dtype === 'float32' &&
    t.dims.length === 4 &&
    n === 1 &&
    c !== undefined &&
    [1, 3, 4].includes(c)
  );
}

/**
 * NCHW float32 [1, C, H, W] (C = 1 grey, 3 RGB, 4 RGBA) → RGBA bytes. Values are clamped to
 * [0, 1] and rounded; NaN becomes 0, so a broken model shows black rather than failing.
 */
export function nchwToRgba(
  t: HostTensor,
  outputName: string,
): { width: number; height: number; rgba: Uint8Array } {
  if (!isPictureTensor(t)) {
    throw new AppError(
      'INPUT_INVALID',
      `output ${outputName} is ${t.dtype} [${t.dims.join(', ')}], not a picture [1, 1|3|4, height, width]`,
    );
  }
  const [, c, height, width] = t.dims as [number, number, number, number];
  if (width < 1 || height < 1 || width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE) {
    throw new AppError(
      'INPUT_INVALID',
      `the result picture would be ${width}×${height} pixels; the most Crucible shows is ${MAX_PICTURE_SIDE} a side (try a smaller picture)`,
    );
  }
  const data = t.data as Float32Array;
  const plane = width * height;
  const rgba = new Uint8Array(plane * 4);
  const byte = (v: number) => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0);
  for (let i = 0; i < plane; i++) {
    const r = byte(data[i] as number);
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = c === 1 ? r : byte(data[plane + i] as number);
    rgba[i * 4 + 2] = c === 1 ? r : byte(data[2 * plane + i] as number);
    rgba[i * 4 + 3] = c === 4 ? byte(data[3 * plane + i] as number) : 255;
  }
  return { width, height, rgba };
}

/** A scaling the model's metadata asks for, and where it says so. */
export interface MetadataScaling {
  scaling: PixelScaling;
  from: string;
}

/** ONNX's image metadata (docs/MetadataProps.md): `Image.NominalPixelRange` values. */
const NOMINAL_RANGES: Record<string, PixelScaling> = {
  nominalrange_0_255: 'byte',
  normalized_0_1: 'unit',
  normalized_1_1: 'signed',
};

/** Mean/std key pairs exporters write (Hugging Face's preprocessor names among them). */
const MEAN_STD_KEYS: [string, string][] = [
  ['mean', 'std'],
  ['image_mean', 'image_std'],
  ['norm_mean', 'norm_std'],
];

/** Three numbers from a metadata value: a JSON list, or numbers separated by commas or spaces. */
function threeNumbers(text: string): number[] | null {
  const nums = text
    .replace(/[[\]()]/g, ' ')
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map(Number);
  return nums.length === 3 && nums.every(Number.isFinite) ? nums : null;
}

/**
 * The scaling a model's metadata_props ask for, or null when they say nothing Crucible can map:
 * ONNX's `Image.NominalPixelRange` (NominalRange_0_255, Normalized_0_1, Normalized_1_1; keys and
 * values case-insensitive), or a mean/std pair (`mean`/`std`, `image_mean`/`image_std`,
 * `norm_mean`/`norm_std`) equal to ImageNet's or 0.5/0.5, on [0, 1] or [0, 255] values.
 */
export function pictureScalingOf(model: onnx.IModelProto): MetadataScaling | null {
  const props = new Map(
    (model.metadataProps ?? []).map((p) => [(p.key ?? '').toLowerCase(), p.value ?? '']),
  );
  const range = props.get('image.nominalpixelrange');
  const mapped = range === undefined ? undefined : NOMINAL_RANGES[range.trim().toLowerCase()];
  if (mapped !== undefined) {
    return {
      scaling: mapped,
      from: `the model's metadata_props 'Image.NominalPixelRange' (${range})`,
    };
  }
  for (const [mk, sk] of MEAN_STD_KEYS) {
    const mean = threeNumbers(props.get(mk) ?? '');
    const std = threeNumbers(props.get(sk) ?? '');
    if (mean === null || std === null) continue;
    // On [0, 255] values (mmlab's 123.675, …) when any number is past 1.
    const unit = [...mean, ...std].some((v) => v > 1) ? 255 : 1;
    const near = (a: number[], b: readonly number[], tol: number) =>
      a.every((v, i) => Math.abs(v / unit - (b[i] as number)) <= tol);
    // mean 0 / std 1 is left alone: it cannot tell [0, 1] from [0, 255].
    const scaling: PixelScaling | null =
      near(mean, IMAGENET_MEAN, 0.002) && near(std, IMAGENET_STD, 0.002)
        ? 'imagenet'
        : near(mean, [0.5, 0.5, 0.5], 0.002) && near(std, [0.5, 0.5, 0.5], 0.002)
          ? 'signed'
          : null;
    if (scaling !== null) {
      return {
        scaling,
        from: `the model's metadata_props '${mk}'/'${sk}' (${props.get(mk)} / ${props.get(sk)})`,
      };
    }
  }
  return null;
}
