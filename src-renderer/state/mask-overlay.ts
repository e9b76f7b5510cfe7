/**
 * Outputs that are masks of the picture that went in, drawn over it: per-pixel classes (the argmax
 * of C channels, or class indices an integer output holds) in one colour per class, and one-channel
 * maps (saliency, a matte, a probability) as a heat overlay. Pure: the Run area's state feeds it
 * the run's outputs (run:outputs, .npy bytes) and the picture as the model got it.
 */
import type { DType } from '../../src-main/ipc/contract';
import { labelOf } from '../../src-main/ipc/labels';

/** How an output reads as a mask of a `width` × `height` picture. */
export type MaskKind =
  /** [1, C, H, W] float, C ≥ 2: class scores per pixel, shown as the argmax. */
  | { kind: 'classes'; channels: number }
  /** [1, 1, H, W] or [1, H, W] integers: a class index per pixel. */
  | { kind: 'indices' }
  /** [1, 1, H, W] or [1, H, W] float: one value per pixel, shown as heat. */
  | { kind: 'heat' };

const FLOAT: readonly DType[] = ['float32', 'float64', 'float16'];
const INTEGER: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64'];

/**
 * Whether an output of `dtype` and `shape` is a mask at the picture's size, and of which kind.
 * Three or four channels at the picture's size are a picture (an image-to-image model's output),
 * unless the model's labels name that many classes.
 */
export function maskKind(
  dtype: DType,
  shape: readonly number[],
  size: { width: number; height: number },
  labelCount: number | null,
): MaskKind | null {
  const rank3 = shape.length === 3 && shape[0] === 1;
  const rank4 = shape.length === 4 && shape[0] === 1;
  if (!rank3 && !rank4) return null;
  const [h, w] = shape.slice(-2);
  if (h !== size.height || w !== size.width) return null;
  const channels = rank4 ? (shape[1] as number) : 1;
  if (INTEGER.includes(dtype)) return channels === 1 ? { kind: 'indices' } : null;
  if (!FLOAT.includes(dtype)) return null;
  if (channels === 1) return { kind: 'heat' };
  // As many labels as channels, or one fewer (a background class 0): ipc/labels.ts labelOf.
  const named = labelCount === channels || labelCount === channels - 1;
  if ((channels === 3 || channels === 4) && !named) return null;
  return { kind: 'classes', channels };
}

/**
 * The values of a little-endian .npy file (versions 1–3) as numbers, for the dtypes masks come in;
 * float16 is widened. Throws on anything else (the caller shows why).
 */
export function npyValues(
  bytes: Uint8Array | Uint8ClampedArray,
  dtype: DType,
): Float64Array | Float32Array | Int32Array {
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new Error('not a .npy file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] as number;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const body = bytes.slice(start);
  switch (dtype) {
    case 'float32':
      return new Float32Array(body.buffer, 0, body.byteLength / 4);
    case 'float64':
      return new Float64Array(body.buffer, 0, body.byteLength / 8);
    case 'int32':
      return new Int32Array(body.buffer, 0, body.byteLength / 4);
    case 'float16': {
      const halves = new Uint16Array(body.buffer, 0, body.byteLength / 2);
      return Float32Array.from(halves, halfToNumber);
    }
    case 'int64': {
      // Class indices: small, so a 32-bit view of the low words is exact.
      const words = new Int32Array(body.buffer, 0, body.byteLength / 4);
      return Int32Array.from({ length: words.length / 2 }, (_, i) => words[i * 2] as number);
    }
    case 'uint8':
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'uint32': {
      const Ctor = {
        uint8: Uint8Array,
        int8: Int8Array,
        int16: Int16Array,
        uint16: Uint16Array,
        uint32: Uint32Array,
      }[dtype];
      const size = Ctor.BYTES_PER_ELEMENT;
      return Int32Array.from(new Ctor(body.buffer, 0, body.byteLength / size));
    }
    default:
      throw new Error(`masks of ${dtype} are not drawn`);
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * The colour of class `i`: Pascal VOC's colour map (the index's bits spread over R, G and B;
 * class 0, its background, black), which segmentation tools share and keeps 256 classes apart.
 */
export function classColour(i: number): [number, number, number] {
  // Pascal VOC's colour map: bits of the index spread over the channels.
  let r = 0;
  let g = 0;
  let b = 0;
  let c = i;
  for (let j = 0; j < 8; j++) {
    r |= ((c >> 0) & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b];
}

/** A heat colour for `t` in [0, 1]: dark red through orange to pale yellow. */
export function heatColour(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t));
  return [
    Math.round(255 * Math.min(1, 0.35 + 1.3 * v)),
    Math.round(255 * Math.min(1, Math.max(0, 1.6 * v - 0.35))),
    Math.round(255 * Math.max(0, 2.2 * v - 1.4)),
  ];
}

/** One class found in a mask: its index, label, colour and share of the pixels. */
export interface MaskClass {
  index: number;
  label: string | null;
  colour: [number, number, number];
  share: number;
}

/** An output drawn over the picture, with what a legend needs. */
export interface MaskOverlay {
  output: string;
  kind: MaskKind['kind'];
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  /** Classes present, most pixels first (class masks). */
  classes: MaskClass[];
  /** The value range mapped onto the heat colours (heat maps). */
  range: { min: number; max: number } | null;
}

/** How much of the class colour (or of the heat colour at full heat) covers the picture. */
export const OVERLAY_ALPHA = 0.55;

/**
 * The output `values` (laid out as `kind` says, at `base`'s size) over the picture `base` (RGBA):
 * class colours blended at OVERLAY_ALPHA, or heat blended in proportion to the value.
 * A heat map in [0, 1] is shown as it is; any other range is stretched from its min to its max
 * (the legend says which). NaN pixels stay uncovered.
 */
export function drawMaskOverlay(
  output: string,
  mask: MaskKind,
  values: ArrayLike<number>,
  base: { width: number; height: number; rgba: ArrayLike<number> },
  labels: readonly string[] | null,
): MaskOverlay {
  const { width, height } = base;
  const plane = width * height;
  const rgba = new Uint8ClampedArray(plane * 4);
  const blend = (p: number, colour: readonly number[], a: number) => {
    for (let c = 0; c < 3; c++) {
      rgba[p * 4 + c] = (base.rgba[p * 4 + c] as number) * (1 - a) + (colour[c] as number) * a;
    }
    rgba[p * 4 + 3] = 255;
  };
  if (mask.kind === 'heat') {
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < plane; p++) {
      const v = values[p] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const range = min >= 0 && max <= 1 ? { min: 0, max: 1 } : { min, max };
    const span = range.max - range.min || 1;
    for (let p = 0; p < plane; p++) {
      const v = values[p] as number;
      const t = Number.isNaN(v) ? 0 : (v - range.min) / span;
      blend(p, heatColour(t), OVERLAY_ALPHA * Math.min(1, Math.max(0, t)));
    }
    return { output, kind: 'heat', width, height, rgba, classes: [], range };
  }
  const channels = mask.kind === 'classes' ? mask.channels : null;
  const counts = new Map<number, number>();
  for (let p = 0; p < plane; p++) {
    let cls: number;
    if (channels === null) cls = values[p] as number;
    else {
      cls = -1;
      let best = -Infinity;
      for (let c = 0; c < channels; c++) {
        const v = values[c * plane + p] as number;
        if (v > best) {
          best = v;
          cls = c;
        }
      }
    }
    counts.set(cls, (counts.get(cls) ?? 0) + 1);
    if (cls >= 0) blend(p, classColour(cls), OVERLAY_ALPHA);
    else blend(p, [0, 0, 0], 0);
  }
  // Class indices say nothing of the class count: the labels', when there are labels.
  const classCount = channels ?? labels?.length ?? Math.max(0, ...counts.keys()) + 1;
  const classes = [...counts.entries()]
    .filter(([i]) => i >= 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([index, n]) => ({
      index,
      label: labels ? labelOf(labels, classCount, index) : null,
      colour: classColour(index),
      share: n / plane,
    }));
  return { output, kind: mask.kind, width, height, rgba, classes, range: null };
}
