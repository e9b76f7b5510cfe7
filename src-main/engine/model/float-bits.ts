/**
 * Conversions between JS numbers and the small float formats ONNX stores as raw bits (float16,
 * bfloat16, the four float8 kinds, float4e2m1) plus 4-bit integer unpacking. Pure integer and
 * Float32Array arithmetic, so the same input gives the same bits on every platform.
 */
import type { HostTensor } from '../tensor';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float16 bits → number. */
export function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man === 0 ? sign * Infinity : NaN;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** number → float16 bits, rounding to nearest even (overflow → ±Infinity, NaN kept). */
export function numberToF16(v: number): number {
  f32[0] = v;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const man = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal in float16 (or zero): shift the full mantissa, then round to nearest even.
    if (e < -10) return sign;
    const full = man | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = full >> shift;
    const rest = full & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (man >> 13);
  const rest = man & 0x1fff;
  // Rounding may carry into the exponent, which is the right answer (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return h;
}

/** bfloat16 bits → number. */
export function bf16ToNumber(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0] as number;
}

/** number → bfloat16 bits, rounding to nearest even (NaN kept quiet). */
export function numberToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0] as number;
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}

type MiniKind = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'float4e2m1';

const MINI: Record<MiniKind, { e: number; m: number; bias: number }> = {
  float8e4m3fn: { e: 4, m: 3, bias: 7 },
  float8e4m3fnuz: { e: 4, m: 3, bias: 8 },
  float8e5m2: { e: 5, m: 2, bias: 15 },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16 },
  float4e2m1: { e: 2, m: 1, bias: 1 },
};

function decodeMini(kind: MiniKind, code: number): number {
  const { e, m, bias } = MINI[kind];
  const bits = 1 + e + m;
  const signBit = 1 << (bits - 1);
  const exp = (code >> m) & ((1 << e) - 1);
  const man = code & ((1 << m) - 1);
  const sign = code & signBit ? -1 : 1;
  if (kind.endsWith('fnuz') && code === signBit) return NaN; // fnuz: "negative zero" is NaN
  if (kind === 'float8e4m3fn' && exp === 15 && man === 7) return NaN;
  if (kind === 'float8e5m2' && exp === 31) return man === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * (man / (1 << m)) * 2 ** (1 - bias);
  return sign * (1 + man / (1 << m)) * 2 ** (exp - bias);
}

const MINI_TABLES = new Map<MiniKind, Float64Array>();

/** The value of every code of a float8 / float4 kind (256 or 16 entries). */
export function miniFloatTable(kind: MiniKind): Float64Array {
  let t = MINI_TABLES.get(kind);
  if (!t) {
    const n = kind === 'float4e2m1' ? 16 : 256;
    t = new Float64Array(n);
    for (let c = 0; c < n; c++) t[c] = decodeMini(kind, c);
    MINI_TABLES.set(kind, t);
  }
  return t;
}

/**
 * The tensor's values as JS numbers, whatever the dtype (complex: the real parts and imaginary
 * parts interleaved, as stored; 64-bit integers rounded past 2^53; strings: null).
 */
export function numericValues(t: HostTensor, limit = Infinity): Float64Array | null {
  const d = t.data;
  if (Array.isArray(d)) return null;
  const count = Math.min(limit, valueSlots(t));
  const out = new Float64Array(count);
  switch (t.dtype) {
    case 'float16':
      for (let i = 0; i < count; i++) out[i] = f16ToNumber(d[i] as number);
      return out;
    case 'bfloat16':
      for (let i = 0; i < count; i++) out[i] = bf16ToNumber(d[i] as number);
      return out;
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz': {
      const table = miniFloatTable(t.dtype);
      for (let i = 0; i < count; i++) out[i] = table[d[i] as number] as number;
      return out;
    }
    case 'float4e2m1': {
      const table = miniFloatTable('float4e2m1');
      for (let i = 0; i < count; i++) out[i] = table[nibble(d as Uint8Array, i)] as number;
      return out;
    }
    case 'int4':
      for (let i = 0; i < count; i++) out[i] = (nibble(d as Uint8Array, i) << 28) >> 28;
      return out;
    case 'uint4':
      for (let i = 0; i < count; i++) out[i] = nibble(d as Uint8Array, i);
      return out;
    default:
      for (let i = 0; i < count; i++) out[i] = Number(d[i]);
      return out;
  }
}

/** How many numbers numericValues() yields for a tensor: values, or 2 per value for complex. */
function valueSlots(t: HostTensor): number {
  const d = t.data;
  if (t.dtype === 'int4' || t.dtype === 'uint4' || t.dtype === 'float4e2m1') {
    let n = 1;
    for (const x of t.dims) n *= x;
    return n;
  }
  return d.length;
}

/** The i-th 4-bit value of packed data (low nibble first, as ONNX packs). */
export function nibble(d: Uint8Array, i: number): number {
  const byte = d[i >> 1] as number;
  return i & 1 ? byte >> 4 : byte & 0x0f;
}
