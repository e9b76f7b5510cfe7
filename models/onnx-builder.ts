/**
 * A small ONNX graph builder over onnx-proto's generated protobufjs classes: just enough to write
 * the demo models by hand. Tensor bytes are written little-endian through DataView (ONNX's raw_data
 * is little-endian whatever the host), so the encoded files are identical on every machine.
 */
import { onnx } from 'onnx-proto';

/** The only element types the demo models use. */
export type ElemType = 'float32' | 'int64';

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

/** A dimension of a graph input or output: a size, or a symbolic name. */
export type DimSpec = number | string;

/** An attribute value; the builder picks INT/INTS/FLOAT/FLOATS/STRING from the JS type. */
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

/** Where an initializer's bytes go when the model keeps its weights outside the .onnx file. */
export interface ExternalSink {
  /** Path written into the model, relative to the model's folder. */
  location: string;
  /** Appends `bytes` and returns their offset. */
  append(bytes: Uint8Array): number;
}

/** Little-endian bytes of a float32 array. */
export function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  return out;
}

/** Little-endian bytes of an int64 array given as JS numbers (all small here). */
export function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') {
    return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for floats`);
    return { name, type: T.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: value.floats };
}

function valueInfo(name: string, elem: ElemType, dims: readonly DimSpec[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/** Builds one graph: initializers, nodes with generated unique names, inputs and outputs. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly opCounts = new Map<string, number>();
  /** Number of float32 weights, for the corpus and the README. */
  parameterCount = 0;

  /**
   * @param external when set, every float32 initializer's bytes go to this sink instead of the
   *   model file (TensorProto data_location = EXTERNAL).
   */
  constructor(private readonly external?: ExternalSink) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.names.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elem: ElemType, dims: readonly DimSpec[]): string {
    this.inputs.push(valueInfo(this.claim(name), elem, dims));
    return name;
  }

  /** Declares a graph output; `name` must be produced by a node (see {@link node}'s `out`). */
  output(name: string, elem: ElemType, dims: readonly DimSpec[]): void {
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** Adds a float32 initializer and returns its name. */
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) {
      throw new Error(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
    }
    this.parameterCount += count;
    const bytes = float32Bytes(values);
    const tensor: onnx.ITensorProto = {
      name: this.claim(name),
      dims: [...dims],
      dataType: ELEM.float32,
    };
    if (this.external) {
      const offset = this.external.append(bytes);
      tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      tensor.externalData = [
        { key: 'location', value: this.external.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.length) },
      ];
    } else {
      tensor.rawData = bytes;
    }
    this.initializers.push(tensor);
    return name;
  }

  /** Adds a float32 constant that is not a weight: always inline, not counted as a parameter. */
  constant(name: string, dims: readonly number[], values: readonly number[]): string {
    this.initializers.push({
      name: this.claim(name),
      dims: [...dims],
      dataType: ELEM.float32,
      rawData: float32Bytes(Float32Array.from(values)),
    });
    return name;
  }

  /** Adds an int64 initializer (shapes, pads); always inline, shape tensors must be readable early. */
  int64(name: string, values: readonly number[]): string {
    this.initializers.push({
      name: this.claim(name),
      dims: [values.length],
      dataType: ELEM.int64,
      rawData: int64Bytes(values),
    });
    return name;
  }

  /**
   * Adds a node. Its output is named `out` when given (graph outputs), else `<prefix>_<op><n>`;
   * returns the output name. '' in `inputs` marks an omitted optional input.
   */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, AttrValue> = {},
    out?: string,
  ): string {
    const n = (this.opCounts.get(op) ?? 0) + 1;
    this.opCounts.set(op, n);
    const nodeName = `${op.toLowerCase()}_${n}`;
    const output = this.claim(out ?? `${nodeName}_out`);
    this.nodes.push({
      name: nodeName,
      opType: op,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Encodes the finished graph as an ONNX model (IR version 8, default domain at `opset`). */
  encode(graphName: string, docString: string, opset = 17): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      producerName: 'crucible-models',
      producerVersion: '1',
      docString,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
  }
}
