/**
 * NumPy .npy bytes ↔ HostTensor (format: numpy/lib/format.py, versions 1.0, 2.0 and 3.0).
 *
 * Reading accepts little- and big-endian data, C and Fortran order, the numeric dtypes, bool,
 * complex, and fixed-width strings (<U unicode, S bytes). Writing produces version 1.0 (2.0 when
 * the header is too long), C order, little-endian; NumPy has no bfloat16, float8 or 4-bit types, so
 * those are refused with UNSUPPORTED rather than written as something numpy would misread.
 */
import type { DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { checkHostTensor, dataFromBytes, elementCount, type HostTensor } from '../tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** NumPy type codes (kind + item size) for each dtype npy can carry. */
const NPY_CODES: Partial<Record<DType, string>> = {
  float16: 'f2',
  float32: 'f4',
  float64: 'f8',
  int8: 'i1',
  int16: 'i2',
  int32: 'i4',
  int64: 'i8',
  uint8: 'u1',
  uint16: 'u2',
  uint32: 'u4',
  uint64: 'u8',
  bool: 'b1',
  complex64: 'c8',
  complex128: 'c16',
};

const BY_CODE = new Map<string, DType>(
  Object.entries(NPY_CODES).map(([dtype, code]) => [code as string, dtype as DType]),
);

function bad(file: string, problem: string): AppError {
  return new AppError('INPUT_INVALID', `${file} is not a valid .npy file: ${problem}`);
}

interface Header {
  descr: string;
  fortran: boolean;
  shape: number[];
}

/** Decodes .npy bytes. `file` names the source in messages. */
export function decodeNpy(bytes: Uint8Array, file: string): HostTensor {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw bad(file, 'it does not start with the \\x93NUMPY magic');
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.byteLength < 12) throw bad(file, 'the header is cut short');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw bad(file, `format version ${major}.${bytes[7]} is unknown`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.byteLength) throw bad(file, 'the header is cut short (truncated?)');
  // Versions 1 and 2 store the header as latin1, version 3 as UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const header = parseHeader(text, file);
  const body = bytes.subarray(dataStart);
  return decodeBody(header, body, file);
}

function decodeBody(h: Header, body: Uint8Array, file: string): HostTensor {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(h.descr);
  if (!m) throw new AppError('UNSUPPORTED', `${file}: numpy dtype '${h.descr}' is not supported`);
  const order = m[1] as string;
  const kind = m[2] as string;
  const size = Number(m[3]);
  const bigEndian = order === '>';
  let count: number;
  try {
    count = elementCount(h.shape);
  } catch {
    throw bad(file, `shape (${h.shape.join(', ')}) has too many elements`);
  }
  const isString = kind === 'U' || kind === 'S';
  const dtype = isString ? 'string' : BY_CODE.get(`${kind}${size}`);
  if (dtype === undefined) {
    throw new AppError('UNSUPPORTED', `${file}: numpy dtype '${h.descr}' is not supported`);
  }
  const itemSize = kind === 'U' ? size * 4 : size;
  const want = count * itemSize;
  if (body.byteLength < want) {
    throw bad(
      file,
      `shape (${h.shape.join(', ')}) needs ${want} data bytes, found ${body.byteLength} (truncated?)`,
    );
  }
  if (body.byteLength > want) {
    throw bad(file, `it has ${body.byteLength - want} bytes after the data`);
  }
  let raw = body;
  if (h.fortran && !isString) raw = fortranToC(raw, h.shape, itemSize);
  if (dtype === 'string') {
    let strings = decodeStrings(raw, count, kind, size, bigEndian);
    if (h.fortran) strings = fortranToCArray(strings, h.shape);
    return { dtype, dims: h.shape, data: strings };
  }
  if (bigEndian && itemSize > 1) {
    const unit = kind === 'c' ? itemSize / 2 : itemSize;
    raw = byteSwap(raw, unit);
  }
  const data = dataFromBytes(dtype, raw, count);
  if (dtype === 'bool') {
    const d = data as Uint8Array;
    for (let i = 0; i < d.length; i++) d[i] = d[i] ? 1 : 0;
  }
  return { dtype, dims: h.shape, data };
}

function decodeStrings(
  raw: Uint8Array,
  count: number,
  kind: string,
  size: number,
  be: boolean,
): string[] {
  const out: string[] = new Array<string>(count);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const utf8 = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (kind === 'U') {
      let s = '';
      for (let c = 0; c < size; c++) {
        const cp = view.getUint32((i * size + c) * 4, !be);
        if (cp === 0) break; // numpy pads with NULs and strips them on read
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      out[i] = s;
    } else {
      let end = i * size + size;
      while (end > i * size && raw[end - 1] === 0) end--;
      out[i] = utf8.decode(raw.subarray(i * size, end));
    }
  }
  return out;
}

function byteSwap(raw: Uint8Array, unit: number): Uint8Array {
  const out = new Uint8Array(raw.byteLength);
  for (let i = 0; i < raw.byteLength; i += unit) {
    for (let b = 0; b < unit; b++) out[i + b] = raw[i + unit - 1 - b] as number;
  }
  return out;
}

/** Visits C-order positions, yielding the Fortran-order index of each. */
function fortranIndices(dims: number[], visit: (cIndex: number, fIndex: number) => void): void {
  const count = dims.reduce((a, b) => a * b, 1);
  const rank = dims.length;
  const fStride = new Array<number>(rank);
  let s = 1;
  for (let k = 0; k < rank; k++) {
    fStride[k] = s;
    s *= dims[k] as number;
  }
  const idx = new Array<number>(rank).fill(0);
  let f = 0;
  for (let c = 0; c < count; c++) {
    visit(c, f);
    // Advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      f += fStride[k] as number;
      if ((idx[k] as number) < (dims[k] as number)) break;
      f -= (idx[k] as number) * (fStride[k] as number);
      idx[k] = 0;
    }
  }
}

function fortranToC(raw: Uint8Array, dims: number[], itemSize: number): Uint8Array {
  if (dims.filter((d) => d > 1).length < 2) return raw;
  const out = new Uint8Array(raw.byteLength);
  fortranIndices(dims, (c, f) => {
    out.set(raw.subarray(f * itemSize, (f + 1) * itemSize), c * itemSize);
  });
  return out;
}

function fortranToCArray(values: string[], dims: number[]): string[] {
  if (dims.filter((d) => d > 1).length < 2) return values;
  const out = new Array<string>(values.length);
  fortranIndices(dims, (c, f) => {
    out[c] = values[f] as string;
  });
  return out;
}

/** Parses the Python dict literal NumPy writes: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
function parseHeader(text: string, file: string): Header {
  let i = 0;
  const fail = (what: string): never => {
    throw bad(file, `the header ${JSON.stringify(text.trim())} is not readable (${what})`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const eat = (ch: string) => {
    ws();
    if (text[i] !== ch) fail(`expected '${ch}' at ${i}`);
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') fail(`expected a string at ${i}`);
    const end = text.indexOf(q as string, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === "'" || ch === '"') return str();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (ch === '(') {
      i++;
      const out: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') {
          i++;
          return out;
        }
        const m = /^(\d+)L?/.exec(text.slice(i, i + 32));
        if (!m) fail(`expected a dimension at ${i}`);
        const n = Number((m as RegExpExecArray)[1]);
        if (!Number.isSafeInteger(n)) fail('a dimension is too large');
        out.push(n);
        i += (m as RegExpExecArray)[0].length;
        ws();
        if (text[i] === ',') i++;
      }
    }
    if (ch === '[') {
      throw new AppError('UNSUPPORTED', `${file}: structured numpy dtypes are not supported`);
    }
    return fail(`unexpected ${JSON.stringify(ch ?? 'end')} at ${i}`);
  };

  const fields: Record<string, unknown> = {};
  eat('{');
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const key = str();
    eat(':');
    fields[key] = value();
    ws();
    if (text[i] === ',') i++;
  }
  const { descr, fortran_order: fortran, shape } = fields;
  if (typeof descr !== 'string') fail("no 'descr'");
  if (typeof fortran !== 'boolean') fail("no 'fortran_order'");
  if (!Array.isArray(shape)) fail("no 'shape'");
  return { descr: descr as string, fortran: fortran as boolean, shape: shape as number[] };
}

/**
 * Encodes a host tensor as .npy bytes. UNSUPPORTED for dtypes NumPy cannot hold (bfloat16, float8,
 * 4-bit types). Strings are written as fixed-width little-endian unicode (<U).
 */
export function encodeNpy(t: HostTensor): Uint8Array {
  checkHostTensor('tensor', t);
  let descr: string;
  let body: Uint8Array;
  if (Array.isArray(t.data)) {
    const cps = t.data.map((s) => Array.from(s, (ch) => ch.codePointAt(0) as number));
    const width = Math.max(1, ...cps.map((c) => c.length));
    descr = `<U${width}`;
    body = new Uint8Array(cps.length * width * 4);
    const view = new DataView(body.buffer);
    cps.forEach((c, i) => c.forEach((cp, j) => view.setUint32((i * width + j) * 4, cp, true)));
  } else {
    const code = NPY_CODES[t.dtype];
    if (code === undefined) {
      throw new AppError(
        'UNSUPPORTED',
        `NumPy has no ${t.dtype} type: save this tensor as .pb (ONNX TensorProto) instead`,
      );
    }
    descr = `${code.endsWith('1') ? '|' : '<'}${code}`;
    const d = t.data;
    body = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const v1 = dict.length + 1 + 10 <= 0xffff;
  const prefix = v1 ? 10 : 12;
  // Pad with spaces so the data starts on a 64-byte boundary, as NumPy does; end with a newline.
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const out = new Uint8Array(total + body.byteLength);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), prefix);
  out.set(body, total);
  return out;
}
