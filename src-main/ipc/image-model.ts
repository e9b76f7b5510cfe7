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

/**
 * How picture bytes become an input's values — what the model was trained on, which the file does
 * not say: [0, 1] (the CLI's default and torchvision's ToTensor), ImageNet's mean/std after [0, 1]
 * (most ImageNet classifiers exported from PyTorch), [0, 255] (Caffe-era and many TF exports), or
 * [-1, 1] (Inception/MobileNet-style TF models; ONNX's `Normalized_1_1`).
 */
export const PIXEL_SCALINGS = ['unit', 'imagenet', 'byte', 'signed'] as const;
export type PixelScaling = (typeof PIXEL_SCALINGS)[number];

/** The scalings as people read them. */
export const PIXEL_SCALING_LABELS: Record<PixelScaling, string> = {
  unit: '[0, 1]',
  imagenet: 'ImageNet mean/std',
  byte: '[0, 255]',
  signed: '[-1, 1]',
};

/** ImageNet's per-channel mean and std (RGB, on [0, 1] values), as torchvision normalises. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * Per channel (R, G, B) the `scale` and `offset` with value = byte × scale + offset, for a
 * scaling: one multiply-add per pixel whichever is chosen.
 */
export function pixelAffine(scaling: PixelScaling): { scale: number[]; offset: number[] } {
  switch (scaling) {
    case 'unit':
      return { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0] };
    case 'byte':
      return { scale: [1, 1, 1], offset: [0, 0, 0] };
    case 'signed':
      return { scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1] };
    case 'imagenet':
      return {
        scale: IMAGENET_STD.map((s) => 1 / (255 * s)),
        offset: IMAGENET_MEAN.map((m, i) => -m / (IMAGENET_STD[i] as number)),
      };
  }
}

/**
 * The size a picture is fed at to `input` (float32 [N, 3, H, W]): the model's fixed sides, else
 * the sides of a shape given for the input (`--shape x=1x3x224x224`, null where not given), else
 * `dims` given for its named sides, else the picture's own. The main side resizes to it
 * ({@link resizeRgba}); the page computes the same to draw what went in.
 */
export function pictureFeedSize(
  input: ValueInfo,
  picture: { width: number; height: number },
  dims: Readonly<Record<string, number>> = {},
  shape?: readonly (number | null)[],
): { width: number; height: number } {
  const [, , h, w] = input.shape ?? [];
  const side = (d: typeof h, given: number | null | undefined, own: number) =>
    typeof d === 'number'
      ? d
      : typeof given === 'number'
        ? given
        : typeof d === 'string' && dims[d] !== undefined
          ? dims[d]
          : own;
  return { width: side(w, shape?.[3], picture.width), height: side(h, shape?.[2], picture.height) };
}

/**
 * An RGBA picture resized to `width` × `height`: bilinear on half-pixel centres, no antialiasing
 * (as OpenCV's INTER_LINEAR). The same code on both sides, so the
 * picture the page shows as fed is the one the model got.
 */
export function resizeRgba(
  src: { width: number; height: number; rgba: ArrayLike<number> },
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(src.height - 1, Math.floor(fy));
    const y1 = Math.min(src.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(src.width - 1, Math.floor(fx));
      const x1 = Math.min(src.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const p = (yy: number, xx: number) => src.rgba[(yy * src.width + xx) * 4 + c] as number;
        const top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx;
        const bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx;
        out[(y * width + x) * 4 + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}
