/**
 * ONNX TensorProto bytes ↔ HostTensor, exact and bounded: 64-bit integers stay bigints, packed
 * numbers go straight into typed arrays, and the element count a file claims is checked against
 * the bytes it carries before anything is allocated.
 *
 * Reading accepts raw_data and every typed field onnx.proto defines (float_data, int32_data for the
 * small types and the bits of float16/bfloat16/float8, int64_data, double_data, uint64_data,
 * string_data). Writing always uses raw_data (little-endian), or string_data for strings, which is
 * what ONNX's own numpy_helper writes.
 */
import type { DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import {
  DTYPE_INFO,
  allocData,
  byteLength,
  dataFromBytes,
  dtypeFromOnnx,
  elementCount,
  onnxFromDtype,
  checkHostTensor,
  type HostTensor,
  type TensorData,
} from '../tensor';
import { WIRE, WireError, WireReader, WireWriter } from './wire';

/** A tensor read from a TensorProto, with the name the proto carried ('' when none). */
export interface NamedTensor {
  name: string;
  tensor: HostTensor;
}

// TensorProto field numbers (onnx.proto).
const F = {
  dims: 1,
  dataType: 2,
  segment: 3,
  floatData: 4,
  int32Data: 5,
  stringData: 6,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
  uint64Data: 11,
  externalData: 13,
  dataLocation: 14,
} as const;

/** Growable list of numbers read from repeated fields (packed or not). */
class NumList {
  values: number[] = [];
}

function bad(file: string, problem: string): AppError {
  return new AppError('INPUT_INVALID', `${file} is not a valid ONNX tensor file: ${problem}`);
}

/**
 * Decodes TensorProto bytes. `file` names the source in messages. Throws INPUT_INVALID for
 * malformed bytes or data that does not fit the dims, UNSUPPORTED for external or segmented data.
 */
export function decodeTensorProto(bytes: Uint8Array, file: string): NamedTensor {
  try {
    return decodeUnchecked(bytes, file);
  } catch (err) {
    if (err instanceof WireError) throw bad(file, err.problem);
    throw err;
  }
}

function decodeUnchecked(bytes: Uint8Array, file: string): NamedTensor {
  const r = new WireReader(bytes);
  const dims: bigint[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  let external = false;
  const floats = new NumList();
  const int32s = new NumList();
  const doubles = new NumList();
  const int64s: bigint[] = [];
  const uint64s: bigint[] = [];
  const strings: string[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: false });

  while (r.more()) {
    const [field, wire] = r.tag();
    switch (field) {
      case F.dims:
        readVarints(r, wire, dims, true);
        break;
      case F.dataType:
        expectWire(wire, WIRE.VARINT, 'data_type');
        dataType = Number(r.int64());
        break;
      case F.segment:
        throw new AppError('UNSUPPORTED', `${file}: segmented tensors are not supported`);
      case F.floatData:
        readFixed(r, wire, 4, floats, 'float_data');
        break;
      case F.int32Data: {
        const tmp: bigint[] = [];
        readVarints(r, wire, tmp, true);
        for (const v of tmp) int32s.values.push(Number(BigInt.asIntN(32, v)));
        break;
      }
      case F.stringData:
        expectWire(wire, WIRE.LEN, 'string_data');
        strings.push(utf8.decode(r.bytesField()));
        break;
      case F.int64Data:
        readVarints(r, wire, int64s, true);
        break;
      case F.name:
        expectWire(wire, WIRE.LEN, 'name');
        name = r.string();
        break;
      case F.rawData:
        expectWire(wire, WIRE.LEN, 'raw_data');
        raw = r.bytesField();
        break;
      case F.doubleData:
        readFixed(r, wire, 8, doubles, 'double_data');
        break;
      case F.uint64Data:
        readVarints(r, wire, uint64s, false);
        break;
      case F.externalData:
        expectWire(wire, WIRE.LEN, 'external_data');
        r.skip(wire);
        external = true;
        break;
      case F.dataLocation:
        expectWire(wire, WIRE.VARINT, 'data_location');
        if (Number(r.int64()) === 1) external = true;
        break;
      default:
        r.skip(wire);
    }
  }

  if (external) {
    throw new AppError('UNSUPPORTED', `${file}: tensors with external data cannot be read alone`);
  }
  const dtype = dtypeFromOnnx(dataType);
  if (dtype === null) {
    throw bad(file, dataType === 0 ? 'data_type is not set' : `unknown data_type ${dataType}`);
  }
  const dimNums = dims.map((d) => {
    if (d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(file, `invalid dimension ${d}`);
    return Number(d);
  });
  let count: number;
  try {
    count = elementCount(dimNums);
  } catch {
    throw bad(file, `shape [${dimNums.join(', ')}] has too many elements`);
  }
  const data = fillData(file, dtype, count, {
    raw,
    floats: floats.values,
    int32s: int32s.values,
    doubles: doubles.values,
    int64s,
    uint64s,
    strings,
  });
  return { name, tensor: { dtype, dims: dimNums, data } };
}

function expectWire(wire: number, want: number, what: string): void {
  if (wire !== want) throw new WireError(`${what} has the wrong wire type ${wire}`);
}

/** Reads one varint or a packed run of varints. `signed`: int64 semantics, else uint64. */
function readVarints(r: WireReader, wire: number, out: bigint[], signed: boolean): void {
  const one = () => (signed ? r.int64() : r.varintBig());
  if (wire === WIRE.VARINT) {
    out.push(one());
  } else if (wire === WIRE.LEN) {
    const [s, e] = r.lengthDelimited();
    const sub = new WireReader(r.bytes, s, e);
    while (sub.more()) out.push(signed ? sub.int64() : sub.varintBig());
  } else {
    throw new WireError(`a repeated integer field has the wrong wire type ${wire}`);
  }
}

/** Reads one fixed-size float/double or a packed run of them. */
function readFixed(r: WireReader, wire: number, size: 4 | 8, out: NumList, what: string): void {
  const single = size === 4 ? WIRE.I32 : WIRE.I64;
  if (wire === single) {
    out.values.push(size === 4 ? r.float() : r.double());
  } else if (wire === WIRE.LEN) {
    const [s, e] = r.lengthDelimited();
    if ((e - s) % size !== 0) throw new WireError(`${what} is not a whole number of values`);
    const sub = new WireReader(r.bytes, s, e);
    while (sub.more()) out.values.push(size === 4 ? sub.float() : sub.double());
  } else {
    throw new WireError(`${what} has the wrong wire type ${wire}`);
  }
}

interface Fields {
  raw: Uint8Array | null;
  floats: number[];
  int32s: number[];
  doubles: number[];
  int64s: bigint[];
  uint64s: bigint[];
  strings: string[];
}

function fillData(file: string, dtype: DType, count: number, f: Fields): TensorData {
  const mismatch = (have: number, want: number, field: string) =>
    bad(file, `${dtype} tensor of ${count} values needs ${want} ${field}, found ${have}`);

  if (dtype === 'string') {
    if (f.raw !== null && f.raw.byteLength > 0)
      throw bad(file, 'string tensors cannot use raw_data');
    if (f.strings.length !== count) throw mismatch(f.strings.length, count, 'strings');
    return f.strings;
  }
  if (f.raw !== null) {
    const want = byteLength(dtype, count);
    if (f.raw.byteLength !== want) throw mismatch(f.raw.byteLength, want, 'bytes of raw_data');
    const data = dataFromBytes(dtype, f.raw, count);
    if (dtype === 'bool') normalizeBool(data as Uint8Array);
    return data;
  }
  const info = DTYPE_INFO[dtype];
  const slots = info.perValue === 0.5 ? Math.ceil(count / 2) : count * info.perValue;
  const data = allocCount(dtype, count, slots, f, mismatch);
  return data;
}

function allocCount(
  dtype: DType,
  count: number,
  slots: number,
  f: Fields,
  mismatch: (have: number, want: number, field: string) => AppError,
): TensorData {
  const check = (have: number, field: string) => {
    if (have !== slots) throw mismatch(have, slots, field);
  };
  switch (dtype) {
    case 'float32':
    case 'complex64': {
      check(f.floats.length, 'float_data values');
      const d = allocData(dtype, count) as Float32Array;
      d.set(f.floats);
      return d;
    }
    case 'float64':
    case 'complex128': {
      check(f.doubles.length, 'double_data values');
      const d = allocData(dtype, count) as Float64Array;
      d.set(f.doubles);
      return d;
    }
    case 'int64': {
      check(f.int64s.length, 'int64_data values');
      return BigInt64Array.from(f.int64s);
    }
    case 'uint64': {
      check(f.uint64s.length, 'uint64_data values');
      return BigUint64Array.from(f.uint64s);
    }
    case 'uint32': {
      check(f.uint64s.length, 'uint64_data values');
      return Uint32Array.from(f.uint64s, (v) => Number(BigInt.asUintN(32, v)));
    }
    default: {
      // Everything else sits in int32_data: small ints, bool, the bits of float16/bfloat16/float8,
      // and 4-bit types packed two per element (low nibble first).
      check(f.int32s.length, 'int32_data values');
      const d = allocData(dtype, count) as Exclude<
        TensorData,
        string[] | BigInt64Array | BigUint64Array
      >;
      for (let i = 0; i < slots; i++) d[i] = f.int32s[i] as number;
      if (dtype === 'bool') normalizeBool(d as Uint8Array);
      return d;
    }
  }
}

function normalizeBool(d: Uint8Array): void {
  for (let i = 0; i < d.length; i++) d[i] = d[i] ? 1 : 0;
}

/** Encodes a host tensor as TensorProto bytes (raw_data, or string_data for strings). */
export function encodeTensorProto(t: HostTensor, name = ''): Uint8Array {
  checkHostTensor(name || 'tensor', t);
  const w = new WireWriter();
  if (t.dims.length > 0) {
    const packed = new WireWriter();
    for (const d of t.dims) packed.varint(d);
    w.bytesField(F.dims, packed.finish());
  }
  w.tag(F.dataType, WIRE.VARINT);
  w.varint(onnxFromDtype(t.dtype));
  if (name) w.stringField(F.name, name);
  if (Array.isArray(t.data)) {
    for (const s of t.data) w.stringField(F.stringData, s);
  } else {
    // HostTensor data is platform-endian; every platform Node and Electron ship on is little-endian.
    const d = t.data;
    w.bytesField(F.rawData, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return w.finish();
}
