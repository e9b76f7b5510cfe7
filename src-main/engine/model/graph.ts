/**
 * Small readers over onnx-proto's decoded graph: value infos in the contract's terms, op keys,
 * attributes, and an iterative walk over a graph and all its subgraphs.
 */
import type { onnx } from 'onnx-proto';
import type { Dim, ValueInfo } from '../../ipc/contract';
import { dtypeFromOnnx } from '../tensor';
import { toNumber, type IntLike } from './onnx-file';

/** Op key used in histograms and FLOP tables: `Conv`, or `com.microsoft:FusedConv` off ai.onnx. */
export function opKey(node: onnx.INodeProto): string {
  const domain = node.domain ?? '';
  const op = node.opType ?? '';
  return domain === '' || domain === 'ai.onnx' ? op : `${domain}:${op}`;
}

/** One dim of a TensorShapeProto: number, symbolic name, or null when neither is set. */
function dimOf(d: onnx.TensorShapeProto.IDimension): Dim {
  const which = (d as { value?: string }).value;
  if (which === 'dimValue') {
    const v = toNumber(d.dimValue as IntLike);
    // Some exporters write -1 for "unknown"; the contract says null for that.
    return v >= 0 ? v : null;
  }
  if (which === 'dimParam') return d.dimParam ? d.dimParam : null;
  return null;
}

/** A ValueInfoProto in the contract's terms. */
export function valueInfo(vi: onnx.IValueInfoProto): ValueInfo {
  const name = vi.name ?? '';
  const type = vi.type;
  const which = (type as { value?: string } | null | undefined)?.value;
  if (!type || which === undefined) return { name, kind: 'unknown', dtype: null, shape: null };
  if (which === 'tensorType' || which === 'sparseTensorType') {
    const t = (which === 'tensorType' ? type.tensorType : type.sparseTensorType) ?? {};
    const dtype = dtypeFromOnnx(t.elemType ?? 0);
    const shape = t.shape ? (t.shape.dim ?? []).map(dimOf) : null;
    return { name, kind: which === 'tensorType' ? 'tensor' : 'sparse_tensor', dtype, shape };
  }
  const kind =
    which === 'sequenceType'
      ? 'sequence'
      : which === 'mapType'
        ? 'map'
        : which === 'optionalType'
          ? 'optional'
          : 'unknown';
  return { name, kind, dtype: null, shape: null };
}

/** The graph inputs that are real inputs (not initializers, which old exporters list too). */
export function realInputs(graph: onnx.IGraphProto): onnx.IValueInfoProto[] {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  return (graph.input ?? []).filter((vi) => !inits.has(vi.name ?? ''));
}

/** An attribute by name, or undefined. */
export function attr(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** An integer attribute, or the fallback. */
export function attrInt(node: onnx.INodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a && a.i !== undefined && a.i !== null ? toNumber(a.i as IntLike) : fallback;
}

/** An integer-list attribute, or null when absent. */
export function attrInts(node: onnx.INodeProto, name: string): number[] | null {
  const a = attr(node, name);
  return a ? (a.ints ?? []).map((v) => toNumber(v as IntLike)) : null;
}

/** A float-list attribute, or null when absent. */
export function attrFloats(node: onnx.INodeProto, name: string): number[] | null {
  const a = attr(node, name);
  return a ? [...(a.floats ?? [])] : null;
}

/** A string attribute (bytes as UTF-8), or the fallback. */
export function attrString(node: onnx.INodeProto, name: string, fallback: string): string {
  const a = attr(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

/** The subgraphs a node holds (If branches, Loop/Scan bodies, any graph attribute). */
export function subgraphs(node: onnx.INodeProto): onnx.IGraphProto[] {
  const out: onnx.IGraphProto[] = [];
  for (const a of node.attribute ?? []) {
    if (a.g) out.push(a.g);
    for (const g of a.graphs ?? []) out.push(g);
  }
  return out;
}

/**
 * Visits a graph and every subgraph under it, without recursion (the file scan already bounds the
 * depth, but a walk over a deep tree should not depend on the stack either). `depth` is 0 for the
 * root graph.
 */
export function walkGraphs(
  root: onnx.IGraphProto,
  visit: (graph: onnx.IGraphProto, depth: number) => void,
): void {
  const stack: [onnx.IGraphProto, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [graph, depth] = stack.pop() as [onnx.IGraphProto, number];
    visit(graph, depth);
    for (const node of graph.node ?? []) {
      for (const g of subgraphs(node)) stack.push([g, depth + 1]);
    }
  }
}

/** Every name in the model (values, nodes, in subgraphs too), so new ones never collide. */
function allNames(model: onnx.IModelProto): Set<string> {
  const names = new Set<string>();
  const stack: onnx.IGraphProto[] = model.graph ? [model.graph] : [];
  while (stack.length > 0) {
    const g = stack.pop() as onnx.IGraphProto;
    for (const vi of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
      names.add(vi.name ?? '');
    }
    for (const t of g.initializer ?? []) names.add(t.name ?? '');
    for (const node of g.node ?? []) {
      if (node.name) names.add(node.name);
      for (const n of [...(node.input ?? []), ...(node.output ?? [])]) names.add(n);
      stack.push(...subgraphs(node));
    }
  }
  return names;
}

/**
 * A maker of names new to `model`: `base`, else `base_1`, `base_2`…, each remembered so no two
 * it makes collide either.
 */
export function nameMinter(model: onnx.IModelProto): (base: string) => string {
  const names = allNames(model);
  return (base: string) => {
    let name = base;
    for (let n = 1; names.has(name); n++) name = `${base}_${n}`;
    names.add(name);
    return name;
  };
}
