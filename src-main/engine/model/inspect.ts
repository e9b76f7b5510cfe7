/**
 * Model inspection without a session: what the Models view shows and what the run planner needs
 * (inputs, outputs, dims, ops, weights, external data, estimated FLOPs), read from the file alone.
 *
 * External data locations are checked before anything is opened: a location must be a relative
 * path that stays inside the model's folder (no `..` segment, no absolute or drive path, and no
 * symlink that resolves outside). A model that points elsewhere could make the app read any file
 * on the machine, so that is an error (EXTERNAL_DATA_OUTSIDE), never a warning.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { onnx } from 'onnx-proto';
import type { ModelInspection } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { DTYPE_INFO, dtypeFromOnnx } from '../tensor';
import { estimateFlops } from './flops';
import { pictureScalingOf } from './image';
import { findLabels } from './labels';
import { opKey, realInputs, valueInfo, walkGraphs } from './graph';
import { decodeOnnxModel, readOnnxFile, toNumber, type IntLike } from './onnx-file';
import { precisionSummary } from './precision';

/** Options for inspection. */
export interface InspectOptions {
  /** Values for symbolic dims (by name) used for the FLOP estimate. */
  dims?: Record<string, number>;
}

/** Inspects an .onnx file on disk. FILE_NOT_FOUND, MODEL_INVALID or EXTERNAL_DATA_OUTSIDE. */
export async function inspectModel(
  filePath: string,
  options: InspectOptions = {},
): Promise<ModelInspection> {
  const file = await readOnnxFile(filePath);
  return inspectDecoded(file.model, file.fileName, file.dir, file.sizeBytes, options);
}

/**
 * Inspects model bytes already in memory. `dir` is the folder external data is relative to (and
 * whose files are checked for existence); `fileName` names the model in messages.
 */
export async function inspectModelBytes(
  bytes: Uint8Array,
  where: { fileName: string; dir: string },
  options: InspectOptions = {},
): Promise<ModelInspection> {
  const name = path.join(where.dir, where.fileName);
  const model = decodeOnnxModel(bytes, name);
  return inspectDecoded(model, where.fileName, path.resolve(where.dir), bytes.byteLength, options);
}

/** An initializer whose data lives in another file. */
export interface ExternalRef {
  tensor: string;
  location: string;
  /** The resolved path, checked to be inside the model's folder. */
  file: string;
  offset: number;
  /** Bytes the tensor takes there (its `length`, else computed from dims and dtype). */
  bytes: number;
}

/**
 * Checks that every external-data file a model needs is there, inside the model's folder and long
 * enough. Throws EXTERNAL_DATA_OUTSIDE or EXTERNAL_DATA_MISSING naming the model and the file; run
 * it before creating a session, whose own error would be much less clear.
 */
export async function checkExternalData(filePath: string): Promise<ExternalRef[]> {
  const file = await readOnnxFile(filePath);
  const refs = externalRefs(file.model, file.path, file.dir);
  const sizes = new Map<string, number>();
  for (const ref of refs) {
    let size = sizes.get(ref.file);
    if (size === undefined) {
      const found = await fileSize(ref.file);
      if (found === null) {
        throw new AppError(
          'EXTERNAL_DATA_MISSING',
          `${file.path} needs the external data file ${ref.location} (for tensor '${ref.tensor}'), which is not in ${file.dir}`,
        );
      }
      await assertInside(file.path, file.dir, ref);
      size = found;
      sizes.set(ref.file, size);
    }
    if (ref.offset + ref.bytes > size) {
      throw new AppError(
        'EXTERNAL_DATA_MISSING',
        `${file.path}: tensor '${ref.tensor}' needs bytes ${ref.offset}–${ref.offset + ref.bytes} of ${ref.location}, but that file is only ${size} bytes (truncated?)`,
      );
    }
  }
  return refs;
}

async function fileSize(p: string): Promise<number | null> {
  try {
    const st = await stat(p);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** Rejects an existing file that a symlink (on the way) resolves to outside the model's folder. */
async function assertInside(model: string, dir: string, ref: ExternalRef): Promise<void> {
  const [realDir, realFile] = await Promise.all([realpath(dir), realpath(ref.file)]);
  if (!isInside(realDir, realFile))
    throw outside(model, ref.tensor, ref.location, 'a link that leads out of the model folder');
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function outside(model: string, tensor: string, location: string, why: string): AppError {
  return new AppError(
    'EXTERNAL_DATA_OUTSIDE',
    `${model}: tensor '${tensor}' keeps its data at ${JSON.stringify(location)}, ${why}; external data must stay inside the model's folder`,
  );
}

/**
 * Resolves an external-data location against the model's folder, or throws EXTERNAL_DATA_OUTSIDE.
 * Both separators count on every OS, so a Windows-style `..\\x` is caught on Linux too.
 */
export function resolveLocation(
  model: string,
  dir: string,
  tensor: string,
  location: string,
): string {
  if (location === '' || location.includes('\0'))
    throw outside(model, tensor, location, 'which is not a file name');
  if (
    path.posix.isAbsolute(location) ||
    path.win32.isAbsolute(location) ||
    /^[a-zA-Z]:/.test(location)
  ) {
    throw outside(model, tensor, location, 'an absolute path');
  }
  const parts = location.split(/[\\/]+/);
  if (parts.includes('..'))
    throw outside(model, tensor, location, 'a path that leaves the model folder');
  const resolved = path.resolve(dir, ...parts.filter((p) => p !== '' && p !== '.'));
  if (!isInside(path.resolve(dir), resolved))
    throw outside(model, tensor, location, 'outside the model folder');
  return resolved;
}

function tensorBytes(t: onnx.ITensorProto): number {
  let count = 1;
  for (const d of t.dims ?? []) count *= toNumber(d as IntLike);
  const dtype = dtypeFromOnnx(t.dataType ?? 0);
  if (dtype === null) return 0;
  if (dtype === 'string') return (t.stringData ?? []).reduce((s, b) => s + b.byteLength, 0);
  const bits = DTYPE_INFO[dtype].bits;
  return bits === 4 ? Math.ceil(count / 2) : (count * bits) / 8;
}

/**
 * The values a Constant node holds when they are weights: float or 8-bit (quantized) tensors.
 * Integer constants of 16 bits and more are shapes, axes and indices, not parameters.
 */
export function constantWeight(node: onnx.INodeProto): { count: number; bytes: number } | null {
  for (const a of node.attribute ?? []) {
    const t = a.name === 'value' ? a.t : a.name === 'sparse_value' ? a.sparseTensor?.values : null;
    if (!t) {
      if (a.name === 'value_floats')
        return { count: a.floats?.length ?? 0, bytes: 4 * (a.floats?.length ?? 0) };
      continue;
    }
    const dtype = dtypeFromOnnx(t.dataType ?? 0);
    if (dtype === null || !/^(float|bfloat|u?int8$|u?int4$)/.test(dtype)) return null;
    let count = 1;
    for (const d of t.dims ?? []) count *= toNumber(d as IntLike);
    return { count, bytes: tensorBytes(t) };
  }
  return null;
}

/** Every initializer (main graph and subgraphs) whose data is external, with checked locations. */
export function externalRefs(
  model: onnx.IModelProto,
  modelPath: string,
  dir: string,
): ExternalRef[] {
  const refs: ExternalRef[] = [];
  walkGraphs(model.graph ?? {}, (g) => {
    for (const t of g.initializer ?? []) {
      if (t.dataLocation !== 1) continue;
      const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
      const location = kv.get('location') ?? '';
      const tensor = t.name ?? '';
      const file = resolveLocation(modelPath, dir, tensor, location);
      const offset = Number(kv.get('offset') ?? 0);
      const length = kv.get('length');
      refs.push({
        tensor,
        location,
        file,
        offset: Number.isFinite(offset) ? offset : 0,
        bytes:
          length !== undefined && Number.isFinite(Number(length)) ? Number(length) : tensorBytes(t),
      });
    }
  });
  return refs;
}

async function inspectDecoded(
  model: onnx.ModelProto,
  fileName: string,
  dir: string,
  sizeBytes: number,
  options: InspectOptions,
): Promise<ModelInspection> {
  const graph = model.graph as onnx.IGraphProto;
  const modelPath = path.join(dir, fileName);

  let nodeCount = 0;
  const ops: Record<string, number> = {};
  let initializerCount = 0;
  let parameterCount = 0;
  let parameterBytes = 0;
  walkGraphs(graph, (g) => {
    for (const node of g.node ?? []) {
      nodeCount++;
      const key = opKey(node);
      ops[key] = (ops[key] ?? 0) + 1;
      // Weights some exporters keep in Constant nodes instead of initializers (OCR and VAD models).
      const w = key === 'Constant' ? constantWeight(node) : null;
      if (w) {
        parameterCount += w.count;
        parameterBytes += w.bytes;
      }
    }
    for (const t of g.initializer ?? []) {
      initializerCount++;
      let count = 1;
      for (const d of t.dims ?? []) count *= toNumber(d as IntLike);
      parameterCount += count;
      parameterBytes += tensorBytes(t);
    }
  });

  // One entry per external file, with the bytes of all tensors kept in it.
  const external = new Map<string, { first: ExternalRef; bytes: number }>();
  for (const ref of externalRefs(model, modelPath, dir)) {
    const e = external.get(ref.file);
    if (e) e.bytes += ref.bytes;
    else external.set(ref.file, { first: ref, bytes: ref.bytes });
  }
  const externalData: ModelInspection['externalData'] = [];
  for (const { first, bytes } of external.values()) {
    const exists = (await fileSize(first.file)) !== null;
    if (exists) await assertInside(modelPath, dir, first);
    externalData.push({ location: first.location, bytes, exists });
  }

  const inputs = realInputs(graph).map(valueInfo);
  const dynamicDims = [
    ...new Set(
      inputs.flatMap((vi) => (vi.shape ?? []).filter((d): d is string => typeof d === 'string')),
    ),
  ];

  return {
    fileName,
    sizeBytes,
    irVersion:
      model.irVersion === undefined || model.irVersion === null
        ? null
        : toNumber(model.irVersion as IntLike) || null,
    opsets: (model.opsetImport ?? []).map((o) => ({
      domain: o.domain || 'ai.onnx',
      version: toNumber(o.version as IntLike),
    })),
    producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
    graphName: graph.name ?? '',
    inputs,
    outputs: (graph.output ?? []).map(valueInfo),
    dynamicDims,
    nodeCount,
    ops,
    initializerCount,
    parameterCount,
    parameterBytes,
    externalData,
    flops: estimateFlops(model, options.dims ?? {}),
    precision: precisionSummary(model, options.dims ?? {}),
    labels: await findLabels(model, dir, fileName),
    pictureScaling: pictureScalingOf(model),
  };
}
