/**
 * The protobuf wire format, at the level this folder needs: a bounds-checked reader that fails with
 * a sentence a person can read (never reads past its end, never recurses), and a small writer.
 *
 * Used to pre-scan .onnx files before onnx-proto decodes them (protobufjs's generated decoders trust
 * lengths and recurse without limit) and to read and write TensorProto .pb files exactly (64-bit
 * integers as bigint, packed numbers straight into typed arrays).
 */

/** A malformed protobuf. `problem` completes "…/x.onnx is not an ONNX model: <problem>". */
export class WireError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'WireError';
  }
}

/** Protobuf wire types that ONNX files use (groups, 3 and 4, are rejected as malformed). */
export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

const TRUNCATED = 'the protobuf ends in the middle of a field (truncated?)';

/** A cursor over protobuf bytes between `pos` and `end`. */
export class WireReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.byteLength,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True while fields remain. */
  more(): boolean {
    return this.pos < this.end;
  }

  /** A varint as a bigint (exact for all 64 bits). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(TRUNCATED);
      const b = this.bytes[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError(`a number at byte ${this.pos} is longer than 10 bytes`);
  }

  /** A varint as a number; values past 2^53 (never lengths, tags or enums in a valid file) throw. */
  varint(): number {
    // Fast path: up to 4 bytes (28 bits) fit plain bit arithmetic.
    let result = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw new WireError(TRUNCATED);
      const b = this.bytes[this.pos++] as number;
      result |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return result >>> 0;
    }
    this.pos -= 4;
    const big = this.varintBig();
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new WireError(`a length or count at byte ${this.pos} is impossibly large`);
    }
    return Number(big);
  }

  /** A signed 64-bit varint as a bigint (int64 fields). */
  int64(): bigint {
    return BigInt.asIntN(64, this.varintBig());
  }

  /** A field tag: [field number, wire type]. */
  tag(): [number, number] {
    const at = this.pos;
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wire = t & 7;
    if (field === 0) throw new WireError(`field number 0 at byte ${at} (not a protobuf?)`);
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) {
      throw new WireError(`invalid wire type ${wire} at byte ${at} (not a protobuf?)`);
    }
    return [field, wire];
  }

  /** The [start, end) of a length-delimited field's payload; moves past it. */
  lengthDelimited(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw new WireError(TRUNCATED);
    this.pos = start + len;
    return [start, start + len];
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytesField(): Uint8Array {
    const [s, e] = this.lengthDelimited();
    return this.bytes.subarray(s, e);
  }

  /** A length-delimited field as UTF-8 text. */
  string(): string {
    return new TextDecoder().decode(this.bytesField());
  }

  /** Little-endian 32-bit float. */
  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Little-endian 64-bit float. */
  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Skips one field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.VARINT:
        this.varintBig();
        return;
      case WIRE.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE.LEN:
        this.lengthDelimited();
        return;
      case WIRE.I32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`invalid wire type ${wire}`);
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new WireError(TRUNCATED);
  }
}

/** Appends protobuf fields to a growing buffer. */
export class WireWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  /** The bytes written so far (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** A field tag. */
  tag(field: number, wire: number): void {
    this.varint(BigInt(field * 8 + wire));
  }

  /** An unsigned varint (negative int64 values are passed as their two's complement). */
  varint(v: bigint | number): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  /** A length-delimited field: tag, length, bytes. */
  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE.LEN);
    this.varint(bytes.byteLength);
    this.reserve(bytes.byteLength);
    this.buf.set(bytes, this.len);
    this.len += bytes.byteLength;
  }

  /** A UTF-8 string field. */
  stringField(field: number, s: string): void {
    this.bytesField(field, new TextEncoder().encode(s));
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.byteLength) return;
    let size = this.buf.byteLength * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
