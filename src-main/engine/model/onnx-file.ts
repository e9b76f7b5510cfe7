/**
 * Reading an .onnx file into onnx-proto's ModelProto, safely.
 *
 * protobufjs's generated decoders trust every length they read and recurse once per nested message,
 * so a hostile or broken file could make them read another message's bytes, or overflow the stack
 * with subgraphs nested thousands deep. Before decoding, an iterative scan walks the wire format of
 * the messages that can hold graphs (model → graph → node → attribute → graph …), checks every
 * length against its parent, every wire type against onnx.proto, and the nesting depth of graphs.
 * Only a file that passes is handed to onnx-proto. Nothing in this module allocates from a dim.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { AppError } from '../../shared/errors';
import { WIRE, WireError, WireReader } from './wire';
import { readRegularFile } from '../../store/regular-file';

/** The protobuf format's own limit: a message over 2 GiB cannot be parsed by ONNX Runtime either. */
export const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

/**
 * Deepest nesting of graphs (main graph = 1, an If branch inside it = 2 …). Protobuf's C++ parser,
 * which ONNX Runtime uses, stops at 100 nested messages and each graph level costs three
 * (graph → node → attribute), so no model deeper than this can run anyway.
 */
export const MAX_GRAPH_DEPTH = 32;

/** A decoded model and where it came from. */
export interface OnnxFile {
  /** The path as given (resolved). */
  path: string;
  fileName: string;
  /** The folder external data locations are relative to. */
  dir: string;
  sizeBytes: number;
  model: onnx.ModelProto;
}

/** A 64-bit integer as protobufjs hands it over: a Long when `long` loads, else a number. */
export type IntLike = number | string | { low: number; high: number; unsigned: boolean } | null;

/**
 * A protobufjs int64 as a JS number. Exact up to 2^53; beyond that approximate, which is fine for
 * the only large values a model carries (dims, byte counts), since those are never allocated.
 */
export function toNumber(v: IntLike | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  const hi = v.unsigned ? v.high >>> 0 : v.high;
  return hi * 2 ** 32 + (v.low >>> 0);
}

/** A protobufjs int64 as an exact bigint. */
export function toBigInt(v: IntLike | undefined, unsigned = false): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned || v.unsigned ? bits : BigInt.asIntN(64, bits);
}

/**
 * Reads and decodes an .onnx file. FILE_NOT_FOUND when nothing is there; MODEL_INVALID (naming the
 * file and the problem) for a directory, an empty or oversized file, or bytes that are not a model.
 */
export async function readOnnxFile(filePath: string): Promise<OnnxFile> {
  const resolved = path.resolve(filePath);
  let size: number;
  try {
    const st = await stat(resolved);
    if (st.isDirectory()) {
      throw new AppError('MODEL_INVALID', `${resolved} is a folder, not an ONNX model file`);
    }
    size = st.size;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw fsError(err, resolved);
  }
  checkSize(size, resolved);
  // Regular files only, opened so that a FIFO or a device cannot block or stream forever.
  const bytes: Uint8Array = await readRegularFile(resolved, MAX_PROTOBUF_BYTES, (n) =>
    notAModel(resolved, `it is ${n} bytes, over protobuf's 2 GiB limit`),
  );
  return {
    path: resolved,
    fileName: path.basename(resolved),
    dir: path.dirname(resolved),
    sizeBytes: bytes.byteLength,
    model: decodeOnnxModel(bytes, resolved),
  };
}

/** Turns a Node fs error into FILE_NOT_FOUND or IO_ERROR naming the file. */
export function fsError(err: unknown, file: string): AppError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AppError('FILE_NOT_FOUND', `${file} does not exist`);
  }
  if (code === 'EISDIR') return new AppError('MODEL_INVALID', `${file} is a folder, not a file`);
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('IO_ERROR', `could not read ${file}`, message);
}

function checkSize(size: number, name: string): void {
  if (size === 0) throw notAModel(name, 'the file is empty');
  if (size > MAX_PROTOBUF_BYTES) {
    throw notAModel(
      name,
      `it is ${size} bytes, over protobuf's 2 GiB limit (large weights must be stored as external data)`,
    );
  }
}

function notAModel(name: string, problem: string): AppError {
  return new AppError('MODEL_INVALID', `${name} is not an ONNX model: ${problem}`);
}

/**
 * Decodes ModelProto bytes after the safety scan. `name` is used in messages (a path or file name).
 * Throws MODEL_INVALID for anything that is not a well-formed model with a graph.
 */
export function decodeOnnxModel(bytes: Uint8Array, name: string): onnx.ModelProto {
  checkSize(bytes.byteLength, name);
  try {
    scanModelWire(bytes);
  } catch (err) {
    if (err instanceof WireError) throw notAModel(name, err.problem);
    throw err;
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    // The scan accepts what protobufjs should too; a failure here is still the file's fault.
    const message = err instanceof Error ? err.message : String(err);
    throw notAModel(name, `the protobuf could not be decoded (${message})`);
  }
  if (!model.graph) throw notAModel(name, 'the protobuf has no graph');
  // A file cut exactly between two fields still parses; ONNX Runtime's own checks catch the usual
  // case (the opset list comes last), so make them here too.
  if (toNumber(model.irVersion as IntLike) <= 0) throw notAModel(name, 'it has no IR version');
  if ((model.opsetImport ?? []).length === 0) {
    throw notAModel(name, 'it imports no opset (every ONNX model must; truncated?)');
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// The wire scan
// ---------------------------------------------------------------------------------------------

type Msg = 'model' | 'graph' | 'node' | 'attribute' | 'training' | 'function';

/** Per message: field number → allowed wire types, and the message it holds (if we descend). */
type FieldRule = { wires: readonly number[]; child?: Msg };

const L = WIRE.LEN;
const V = WIRE.VARINT;
const str: FieldRule = { wires: [L] };
const varint: FieldRule = { wires: [V] };

// Field numbers from onnx.proto (the same numbers onnx-proto's decoders switch on).
const RULES: Record<Msg, Record<number, FieldRule>> = {
  model: {
    1: varint, // ir_version
    2: str,
    3: str,
    4: str,
    5: varint, // model_version
    6: str,
    7: { wires: [L], child: 'graph' },
    8: str, // opset_import
    14: str, // metadata_props
    20: { wires: [L], child: 'training' },
    25: { wires: [L], child: 'function' },
  },
  graph: {
    1: { wires: [L], child: 'node' },
    2: str,
    5: str, // initializer
    10: str,
    11: str,
    12: str,
    13: str,
    14: str,
    15: str,
  },
  node: {
    1: str,
    2: str,
    3: str,
    4: str,
    5: { wires: [L], child: 'attribute' },
    6: str,
    7: str,
  },
  attribute: {
    1: str,
    2: { wires: [WIRE.I32] }, // f
    3: varint, // i
    4: str,
    5: str, // t
    6: { wires: [L], child: 'graph' }, // g
    7: { wires: [WIRE.I32, L] }, // floats, packed or not
    8: { wires: [V, L] }, // ints, packed or not
    9: str,
    10: str,
    11: { wires: [L], child: 'graph' }, // graphs
    13: str,
    14: str,
    15: str,
    20: varint, // type
    21: str,
    22: str,
    23: str,
  },
  training: {
    1: { wires: [L], child: 'graph' },
    2: { wires: [L], child: 'graph' },
    3: str,
    4: str,
  },
  function: {
    1: str,
    4: str,
    5: str,
    6: str,
    7: { wires: [L], child: 'node' },
    8: str,
    9: str,
    10: str,
  },
};

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', '', '', '32-bit'];

interface Frame {
  msg: Msg;
  reader: WireReader;
  graphDepth: number;
}

/**
 * Walks the model's wire format without recursion. Throws WireError with the problem. Returns the
 * deepest graph nesting found (1 for a model without subgraphs).
 */
export function scanModelWire(bytes: Uint8Array): number {
  const stack: Frame[] = [{ msg: 'model', reader: new WireReader(bytes), graphDepth: 0 }];
  let deepest = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const r = frame.reader;
    if (!r.more()) {
      stack.pop();
      continue;
    }
    const at = r.pos;
    const [field, wire] = r.tag();
    const rule = RULES[frame.msg][field];
    if (rule === undefined) {
      r.skip(wire); // an unknown or newer field: allowed, bounds-checked
      continue;
    }
    if (!rule.wires.includes(wire)) {
      throw new WireError(
        `field ${field} of a ${frame.msg} at byte ${at} is ${WIRE_NAMES[wire]}, ` +
          `which onnx.proto does not allow there`,
      );
    }
    if (rule.child === undefined) {
      r.skip(wire);
      continue;
    }
    const [start, end] = r.lengthDelimited();
    const graphDepth = rule.child === 'graph' ? frame.graphDepth + 1 : frame.graphDepth;
    if (graphDepth > MAX_GRAPH_DEPTH) {
      throw new WireError(
        `its subgraphs are nested more than ${MAX_GRAPH_DEPTH} deep (ONNX Runtime cannot load that)`,
      );
    }
    deepest = Math.max(deepest, graphDepth);
    stack.push({ msg: rule.child, reader: new WireReader(bytes, start, end), graphDepth });
  }
  return deepest;
}
