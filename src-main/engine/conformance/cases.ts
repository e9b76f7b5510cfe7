/**
 * ONNX test cases on disk and how one case is run, whatever runs the model.
 *
 * A case is a folder with `model.onnx` and `test_data_set_*` folders of `input_<i>.pb` and
 * `output_<i>.pb` TensorProto files (the layout of ONNX's backend test data). Crucible's engine
 * host and the onnxruntime-node baseline both go through {@link runCase}, so they read, feed and
 * compare every case the same way and differ only in the {@link CaseEngine} that runs the model.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { onnx } from 'onnx-proto';
import type { ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { realInputs, valueInfo } from '../model/graph';
import { readOnnxFile } from '../model/onnx-file';
import { readTensorFile } from '../model/tensor-files';
import type { HostTensor } from '../tensor';
import { compareTensors, DEFAULT_TOLERANCE, type Tolerance } from './compare';
import type { ConformanceCase } from './report';

/** A case folder and the name it is reported under (the folder's name). */
export interface CaseRef {
  name: string;
  dir: string;
}

const MODEL_FILE = 'model.onnx';

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Code-point order, the same on every machine and locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The cases under each DIR, in the order given: a DIR holding model.onnx is one case; any other
 * DIR contributes its subfolders that hold model.onnx, sorted by name. `filter` keeps the cases
 * whose name it matches. FILE_NOT_FOUND for a DIR that does not exist, INPUT_INVALID for one that
 * holds no case at all.
 */
export async function findCases(dirs: readonly string[], filter?: RegExp): Promise<CaseRef[]> {
  const out: CaseRef[] = [];
  for (const given of dirs) {
    const dir = path.resolve(given);
    const st = await stat(dir).catch(() => null);
    if (!st) throw new AppError('FILE_NOT_FOUND', `${given} does not exist`);
    if (!st.isDirectory()) {
      throw new AppError(
        'INPUT_INVALID',
        `${given} is not a folder (give a test case folder or a folder of them)`,
      );
    }
    let found: CaseRef[];
    if (await isFile(path.join(dir, MODEL_FILE))) {
      found = [{ name: path.basename(dir), dir }];
    } else {
      const entries = await readdir(dir, { withFileTypes: true });
      const names = entries
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort(byName);
      found = [];
      for (const name of names) {
        const sub = path.join(dir, name);
        if (await isFile(path.join(sub, MODEL_FILE))) found.push({ name, dir: sub });
      }
      if (found.length === 0) {
        throw new AppError(
          'INPUT_INVALID',
          `${given} holds no ONNX test cases (no ${MODEL_FILE} in it or in its subfolders)`,
        );
      }
    }
    out.push(...(filter ? found.filter((c) => filter.test(c.name)) : found));
  }
  return out;
}

/** A session over one case's model, opened by a {@link CaseEngine}. */
export interface CaseSession {
  /** Runs the model; resolves with every output by name. */
  run(inputs: Record<string, HostTensor>, timeoutMs: number): Promise<Record<string, HostTensor>>;
  /** Frees the session; never throws. */
  release(): Promise<void>;
}

/** What runs the models: Crucible's engine host, or onnxruntime-node's JS API. */
export interface CaseEngine {
  open(modelPath: string, timeoutMs: number): Promise<CaseSession>;
  /** A failure of `open` or `run` in words for the report. */
  explain(err: unknown, step: 'create' | 'run'): string;
}

/** What a case will feed and compare, read from its model and folder. */
export interface CasePlan {
  modelPath: string;
  /** The graph inputs that are not initializers, in order. */
  inputs: ValueInfo[];
  /** The graph outputs, in order. */
  outputs: ValueInfo[];
  /** test_data_set_* folders, in numeric order. */
  dataSets: string[];
}

/** A case that cannot be compared, with the reason. */
export interface CaseSkip {
  skip: string;
}

/**
 * Reads a case's model and lists its data sets. Returns a skip when the case feeds or returns
 * values the comparison cannot hold: sequences, maps and optionals (their .pb files are
 * SequenceProto / MapProto / OptionalProto, and the engine protocol carries tensors only), sparse
 * tensors, or element types Crucible's tensor table does not know.
 */
export async function planCase(ref: CaseRef): Promise<CasePlan | CaseSkip> {
  const modelPath = path.join(ref.dir, MODEL_FILE);
  const file = await readOnnxFile(modelPath);
  const graph: onnx.IGraphProto = file.model.graph ?? {};
  const inputs = realInputs(graph).map(valueInfo);
  const outputs = (graph.output ?? []).map(valueInfo);
  const dataSets = await listNumbered(ref.dir, /^test_data_set_(\d+)$/, true);
  if (dataSets.length === 0)
    return { skip: 'the case has no test_data_set_* folder, so nothing to compare' };
  // Every output is checked, not only those with a file: the run returns all of them.
  for (const [role, list] of [
    ['input', inputs],
    ['output', outputs],
  ] as const) {
    for (const vi of list) {
      const why = notComparable(vi);
      if (why) return { skip: `${role} '${vi.name}' ${why}` };
    }
  }
  return { modelPath, inputs, outputs, dataSets };
}

function notComparable(vi: ValueInfo): string | null {
  switch (vi.kind) {
    case 'tensor':
      return vi.dtype === null ? 'has an element type Crucible does not know' : null;
    case 'sequence':
    case 'map':
    case 'optional':
      return `is ${vi.kind === 'optional' ? 'an' : 'a'} ${vi.kind}: Crucible's engine protocol and this comparison carry tensors only, so ${vi.kind} values are not fed or compared yet`;
    case 'sparse_tensor':
      return 'is a sparse tensor: the engine protocol carries dense tensors only';
    case 'unknown':
      return 'has no type in the model, so its test data cannot be read';
  }
}

/** Entries of `dir` whose name matches `re` (group 1 = index), sorted by that index. */
async function listNumbered(dir: string, re: RegExp, folders: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => (folders ? e.isDirectory() : e.isFile()) && re.test(e.name))
    .map((e) => ({ name: e.name, i: Number(re.exec(e.name)?.[1]) }))
    .sort((a, b) => a.i - b.i)
    .map((e) => path.join(dir, e.name));
}

/** One data set's feeds and expected outputs. */
export interface DataSet {
  inputs: Record<string, HostTensor>;
  expected: { name: string; tensor: HostTensor }[];
}

/**
 * Reads a data set. `input_<i>.pb` feeds the input its TensorProto names when that is one of the
 * model's inputs, else the i-th graph input that is not an initializer (as ONNX's backend runner
 * does); `output_<i>.pb` is the i-th graph output. Throws INPUT_INVALID when a file matches no input
 * or output.
 */
export async function readDataSet(plan: CasePlan, setDir: string): Promise<DataSet> {
  const inputFiles = await listNumbered(setDir, /^input_(\d+)\.pb$/, false);
  const outputFiles = await listNumbered(setDir, /^output_(\d+)\.pb$/, false);
  const known = new Set(plan.inputs.map((vi) => vi.name));
  const inputs: Record<string, HostTensor> = {};
  for (const [i, f] of inputFiles.entries()) {
    const { name, tensor } = await readTensorFile(f);
    const target = name && known.has(name) ? name : plan.inputs[i]?.name;
    const declared = plan.inputs.find((vi) => vi.name === target);
    if (target === undefined || !declared) {
      throw new AppError(
        'INPUT_INVALID',
        `${path.basename(f)} matches no input: the model has ${plan.inputs.length} inputs that are not initializers`,
      );
    }
    inputs[target] = asDeclared(tensor, declared);
  }
  const expected: DataSet['expected'] = [];
  for (const [i, f] of outputFiles.entries()) {
    const out = plan.outputs[i];
    if (!out) {
      throw new AppError(
        'INPUT_INVALID',
        `${path.basename(f)} matches no output: the model has ${plan.outputs.length} outputs`,
      );
    }
    expected.push({ name: out.name, tensor: asDeclared((await readTensorFile(f)).tensor, out) });
  }
  return { inputs, expected };
}

/**
 * numpy has no bfloat16, so ONNX's test data before 1.13 stores bfloat16 values as uint16 tensors
 * holding the same bits. Where the model declares bfloat16 and the file says uint16, the bits are
 * taken as bfloat16; any other dtype difference is left for the comparison to report.
 */
export function asDeclared(t: HostTensor, declared: ValueInfo): HostTensor {
  return declared.dtype === 'bfloat16' && t.dtype === 'uint16' ? { ...t, dtype: 'bfloat16' } : t;
}

/** Options for {@link runCase}. */
export interface RunCaseOptions {
  /** The whole case (session, every data set, release) must finish within this. */
  timeoutMs: number;
  tolerance?: Tolerance;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one case: opens a session, runs every data set, compares every output, releases the
 * session. Never throws: every problem becomes the case's failure reason.
 */
export async function runCase(
  ref: CaseRef,
  engine: CaseEngine,
  opts: RunCaseOptions,
): Promise<ConformanceCase> {
  const started = performance.now();
  const deadline = started + opts.timeoutMs;
  const left = () => Math.max(1, Math.round(deadline - performance.now()));
  const done = (status: ConformanceCase['status'], reason: string | null): ConformanceCase => ({
    name: ref.name,
    dir: ref.dir,
    status,
    reason,
    ms: Math.round((performance.now() - started) * 10) / 10,
  });

  let plan: CasePlan | CaseSkip;
  try {
    plan = await planCase(ref);
  } catch (err) {
    return done('failed', `could not read the case: ${message(err)}`);
  }
  if ('skip' in plan) return done('skipped', plan.skip);

  let session: CaseSession;
  try {
    session = await engine.open(plan.modelPath, left());
  } catch (err) {
    return done('failed', engine.explain(err, 'create'));
  }
  try {
    for (const setDir of plan.dataSets) {
      const setName = path.basename(setDir);
      let data: DataSet;
      try {
        data = await readDataSet(plan, setDir);
      } catch (err) {
        return done('failed', `${setName}: could not read the test data: ${message(err)}`);
      }
      let got: Record<string, HostTensor>;
      try {
        got = await session.run(data.inputs, left());
      } catch (err) {
        return done('failed', `${setName}: ${engine.explain(err, 'run')}`);
      }
      for (const { name, tensor } of data.expected) {
        const actual = got[name];
        if (!actual)
          return done('failed', `${setName}: output '${name}' is missing from the results`);
        const mismatch = compareTensors(tensor, actual, opts.tolerance ?? DEFAULT_TOLERANCE);
        if (mismatch) return done('failed', `${setName}: output '${name}': ${mismatch.message}`);
      }
    }
    return done('passed', null);
  } finally {
    await session.release();
  }
}
