/**
 * OrtSession: created from a file (ORT resolves external data beside the model) or from bytes (with
 * an external-data folder when the model needs one), off the JS thread; its inputs and outputs as
 * the contract's ValueInfo; and runs that check inputs first and copy outputs into JS memory.
 *
 * Runs are asynchronous (a koffi worker thread), and may also be synchronous on the JS thread
 * (`runSync`, `runValuesSync`) when no ORT thread can be waiting for the blocked JS thread:
 * - in a process whose env logs to stderr (env.ts, the engine host): ORT never calls into JS at
 *   all, so any session — any provider, ORT's default threads — may run synchronously;
 * - otherwise (a JS logger) only a single-threaded CPU session: ORT then runs every node on the
 *   calling thread, so its logger can only be called on the JS thread, where koffi runs the
 *   callback inline. Whether a session is single-threaded CPU comes from the options it was
 *   created with (SessionOptions records threads, execution mode and providers), never from the
 *   caller.
 *
 * A run's fixed costs matter for tiny models (mlp-tiny's inference is a few µs), so the Run call
 * passes input and output names as pointers into one buffer of NUL-terminated names made when the
 * session is created (koffi would otherwise encode every name on every call), synchronous runs
 * reuse their pointer arrays, and host outputs are read straight from the pointers ORT returns and
 * released there (readTensor), with no handle object in between.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dim, ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { checkHostTensor } from '../tensor';
import type { HostTensor } from '../tensor';
import koffi from '../../native/koffi-setup';
import { asyncCallsInFlight, callAsync, ortBinding, readCString } from './api';
import type { NativeFn, NPtr, Ptr } from './api';
import { ortEnv } from './env';
import { NativeHandle, pinAll, withPinned } from './handle';
import { Allocator } from './memory-info';
import type { RunOptions } from './run-options';
import { SessionOptions, singleThreadedCpuReason } from './session-options';
import type { ThreadingSettings } from './session-options';
import { check, failureError, readStatus } from './status';
import type { OrtFailure } from './status';
import { dtypeOf, onnxValueType, OrtValue, readTensor, valueInfoKind } from './value';

/** Options for creating a session. */
export interface SessionCreateOptions {
  /** Session options (not consumed: the caller still owns and releases them). Default: ORT's. */
  options?: SessionOptions;
}

/** Options for creating a session from bytes. */
export interface SessionFromBytesOptions extends SessionCreateOptions {
  /** Folder where the model's external data files are (session config key
   * session.model_external_initializers_file_folder_path). */
  externalDataDir?: string;
  /** Names the model in error messages. Default "model bytes". */
  label?: string;
}

const EXTERNAL_DATA_DIR_KEY = 'session.model_external_initializers_file_folder_path';

/** A live ORT session. */
export class Session extends NativeHandle {
  /** The model's inputs, in ORT's order. */
  readonly inputs: readonly ValueInfo[];
  /** The model's outputs, in ORT's order. */
  readonly outputs: readonly ValueInfo[];
  /** Where the model came from, for messages. */
  readonly label: string;
  /** The thread settings of the options this session was created with. */
  readonly threading: Readonly<ThreadingSettings>;
  /** Null for a single-threaded CPU session; otherwise why it is not (for messages). */
  readonly notSingleThreadedReason: string | null;
  readonly #inputsByName: Map<string, ValueInfo>;
  readonly #outputNames: Set<string>;
  readonly #allOutputNames: string[];
  // Every input and output name, NUL-terminated, in one off-heap buffer whose memory never moves;
  // referenced here so it lives as long as the session. Run takes name pointers into it.
  readonly #nameBytes: Uint8Array;
  readonly #nameAddress = new Map<string, bigint>();
  readonly #allOutputNamePtrs: BigUint64Array;
  // The last input name order seen and its pointers (callers pass the same record every run).
  #lastInputNames: string[] = [];
  #lastInputNamePtrs: BigUint64Array = new BigUint64Array(new ArrayBuffer(8));
  // Pointer arrays reused by synchronous runs; null while one is using them (a log listener could
  // start another run on this session inside Run).
  #syncArrays: { inputs: BigUint64Array; outputs: BigUint64Array } | null = null;

  private constructor(ptr: bigint, label: string, threading: ThreadingSettings) {
    // Released off the JS thread: ReleaseSession joins the session's thread pools, and a pool
    // thread that logs on its way out calls our logger, which koffi runs on the JS thread — a
    // synchronous release would wait for that thread while it waits for us (seen as a rare hang
    // with VERBOSE logging in env.test.ts and in the compile worker).
    super('OrtSession', ptr, (p) => {
      callAsync(ortBinding().api.ReleaseSession, p).catch((err: unknown) =>
        console.error(`crucible: releasing an ORT session failed: ${(err as Error).message}`),
      );
    });
    this.label = label;
    this.threading = Object.freeze(threading);
    this.notSingleThreadedReason = singleThreadedCpuReason(threading);
    try {
      this.inputs = readValueInfos(ptr, 'input');
      this.outputs = readValueInfos(ptr, 'output');
    } catch (err) {
      this.release();
      throw err;
    }
    this.#inputsByName = new Map(this.inputs.map((i) => [i.name, i]));
    this.#outputNames = new Set(this.outputs.map((o) => o.name));
    this.#allOutputNames = this.outputs.map((o) => o.name);
    const encoder = new TextEncoder();
    const encoded = [...this.inputs, ...this.outputs].map((v) => encoder.encode(`${v.name}\0`));
    this.#nameBytes = new Uint8Array(
      new ArrayBuffer(
        Math.max(
          1,
          encoded.reduce((n, e) => n + e.length, 0),
        ),
      ),
    );
    const base = koffi.address(this.#nameBytes);
    let at = 0;
    [...this.inputs, ...this.outputs].forEach((v, i) => {
      const bytes = encoded[i] as Uint8Array;
      this.#nameBytes.set(bytes, at);
      if (!this.#nameAddress.has(v.name)) this.#nameAddress.set(v.name, base + BigInt(at));
      at += bytes.length;
    });
    this.#allOutputNamePtrs = this.#namePtrs(this.#allOutputNames);
  }

  #namePtrs(names: readonly string[]): BigUint64Array {
    const ptrs = new BigUint64Array(new ArrayBuffer(Math.max(8, names.length * 8)));
    names.forEach((n, i) => (ptrs[i] = this.#nameAddress.get(n) as bigint));
    return ptrs;
  }

  /**
   * True when the session was created with options that make ORT use no thread but the caller's
   * during Run (CPU provider only, one intra-op thread, sequential execution).
   */
  get singleThreadedCpu(): boolean {
    return this.notSingleThreadedReason === null;
  }

  /**
   * True when a synchronous run is safe right now: always when the env logs to stderr (no ORT
   * thread ever calls into JS); with the JS logger, when the session is single-threaded CPU and no
   * asynchronous native call of this process is in flight (so no other thread of ours is inside
   * ORT, holding a lock that the run could need while waiting for the blocked JS thread).
   */
  get canRunSync(): boolean {
    if (ortEnv().logSink === 'stderr') return true;
    return this.notSingleThreadedReason === null && asyncCallsInFlight() === 0;
  }

  /**
   * Throws unless a synchronous run cannot deadlock: the env logs to stderr, or the session is
   * {@link singleThreadedCpu}.
   */
  assertCanRunSync(what: string): void {
    if (ortEnv().logSink === 'stderr' || this.notSingleThreadedReason === null) return;
    throw new Error(
      `${what} of ${this.label}: with ORT logging to JS, a synchronous run needs a single-threaded CPU session (CPU provider only, intraOpThreads 1, sequential execution), but this one has ${this.notSingleThreadedReason}; use the asynchronous run, or an env that logs to stderr`,
    );
  }

  /**
   * SessionGetEpDeviceForInputs: the EP name of the device each input is expected on (ORT's own
   * answer of where the session runs, e.g. what an EP selection policy picked); null for an input
   * ORT places on no EP device.
   */
  epNamesForInputs(): (string | null)[] {
    const { api } = ortBinding();
    const n = this.inputs.length;
    if (n === 0) return [];
    const out = new BigUint64Array(n);
    check(
      api.SessionGetEpDeviceForInputs(this.ptr, out, n),
      `reading the EP devices of ${this.label}'s inputs`,
    );
    return [...out].map((p) => (p === 0n ? null : api.EpDevice_EpName(p)));
  }

  /** CreateSession from a model file, on a worker thread. */
  static async create(modelPath: string, opts: SessionCreateOptions = {}): Promise<Session> {
    const env = ortEnv();
    const file = path.resolve(modelPath);
    if (!fs.existsSync(file)) {
      throw new AppError('FILE_NOT_FOUND', `model file not found: ${file}`);
    }
    return withOptions(opts.options, async (so) => {
      const out: [NPtr] = [null];
      const status = await callAsync(ortBinding().api.CreateSession, env.ptr, file, so.ptr, out);
      check(status, `loading model ${file}`);
      return new Session(out[0] ?? 0n, file, so.threading);
    });
  }

  /** CreateSessionFromArray from model bytes, on a worker thread. */
  static async fromBytes(bytes: Uint8Array, opts: SessionFromBytesOptions = {}): Promise<Session> {
    const env = ortEnv();
    const label = opts.label ?? 'model bytes';
    let options = opts.options;
    let owned: SessionOptions | null = null;
    if (opts.externalDataDir !== undefined) {
      // A copy, so the caller's options are not changed behind its back.
      owned = options ? options.clone() : SessionOptions.create();
      owned.addConfigEntry(EXTERNAL_DATA_DIR_KEY, path.resolve(opts.externalDataDir));
      options = owned;
    }
    try {
      return await withOptions(options, async (so) => {
        const out: [NPtr] = [null];
        const status = await callAsync(
          ortBinding().api.CreateSessionFromArray,
          env.ptr,
          bytes,
          bytes.byteLength,
          so.ptr,
          out,
        );
        check(status, `loading ${label}`);
        return new Session(out[0] ?? 0n, label, so.threading);
      });
    } finally {
      owned?.release();
    }
  }

  /**
   * Runs the model on host tensors and returns the outputs in JS memory. Inputs are checked first
   * (INPUT_INVALID names the input, what the model expects and what it got). `outputNames` defaults
   * to every output. Terminating `runOptions` ends the run with CANCELLED.
   */
  async run(
    feeds: Record<string, HostTensor>,
    outputNames?: readonly string[],
    runOptions?: RunOptions,
  ): Promise<Record<string, HostTensor>> {
    this.checkInputs(feeds);
    const values = valuesOf(feeds);
    try {
      const call = this.#runCall(values, outputNames, false);
      const status = await this.#runAsync(call, runOptions);
      return this.#hostResult(call, status, runOptions);
    } finally {
      for (const v of Object.values(values)) v.release();
    }
  }

  /**
   * {@link run} synchronously on the JS thread: no worker-thread hop (about 40 µs here), for small
   * models where that hop costs as much as the inference. Throws an Error unless
   * {@link assertCanRunSync} passes; callers should also check {@link canRunSync}.
   */
  runSync(
    feeds: Record<string, HostTensor>,
    outputNames?: readonly string[],
    runOptions?: RunOptions,
  ): Record<string, HostTensor> {
    this.assertCanRunSync('runSync');
    this.checkInputs(feeds);
    const values = valuesOf(feeds);
    try {
      const call = this.#runCall(values, outputNames, true);
      try {
        return this.#hostResult(call, this.#runOnThisThread(call, runOptions), runOptions);
      } finally {
        this.#syncDone(call);
      }
    } finally {
      for (const v of Object.values(values)) v.release();
    }
  }

  /**
   * Runs on OrtValues (e.g. device tensors) and returns owned output values; the caller releases
   * them. Input values are not checked here beyond their names.
   */
  async runValues(
    inputs: Record<string, OrtValue>,
    outputNames?: readonly string[],
    runOptions?: RunOptions,
  ): Promise<Record<string, OrtValue>> {
    const call = this.#runCall(inputs, outputNames, false);
    return this.#runResult(call, await this.#runAsync(call, runOptions), runOptions);
  }

  /**
   * {@link runValues} synchronously on the JS thread. Throws an Error unless
   * {@link assertCanRunSync} passes (see the file comment for why that makes it deadlock-free).
   */
  runValuesSync(
    inputs: Record<string, OrtValue>,
    outputNames?: readonly string[],
    runOptions?: RunOptions,
  ): Record<string, OrtValue> {
    this.assertCanRunSync('runValuesSync');
    const call = this.#runCall(inputs, outputNames, true);
    try {
      return this.#runResult(call, this.#runOnThisThread(call, runOptions), runOptions);
    } finally {
      this.#syncDone(call);
    }
  }

  /** OrtApi::Run's arguments for `call`, the same for the worker-thread and the JS-thread run. */
  #runArgs(call: RunCall, runOptions?: RunOptions): Parameters<RunWithNamePtrs> {
    return [
      this.ptr,
      runOptions ? runOptions.ptr : null,
      call.inputNamePtrs,
      call.inputPtrs,
      call.values.length,
      call.outputNamePtrs,
      call.names.length,
      call.outPtrs,
    ];
  }

  /** Run on a koffi worker thread, everything it uses pinned. */
  #runAsync(call: RunCall, runOptions?: RunOptions): Promise<NPtr> {
    return withPinned([this, runOptions, ...call.values], () =>
      callAsync(runFn(), ...this.#runArgs(call, runOptions)),
    );
  }

  /** Run on the JS thread (callers checked assertCanRunSync). */
  #runOnThisThread(call: RunCall, runOptions?: RunOptions): NPtr {
    // Pinned anyway: a log listener runs JS inside the call and could release a handle.
    const pinned = pinAll([this, runOptions, ...call.values]);
    try {
      return runFn()(...this.#runArgs(call, runOptions));
    } finally {
      for (const h of pinned) h.unpin();
    }
  }

  /**
   * The Run arguments. `sync`: the call runs on this thread and returns before anything else can
   * use the session's reusable pointer arrays, so it takes them (give them back: {@link #syncDone}).
   */
  #runCall(
    inputs: Record<string, OrtValue>,
    outputNames: readonly string[] | undefined,
    sync: boolean,
  ): RunCall {
    let names = this.#allOutputNames;
    let outputNamePtrs = this.#allOutputNamePtrs;
    if (outputNames) {
      names = [...outputNames];
      for (const n of names) {
        if (!this.#outputNames.has(n)) {
          throw new AppError(
            'INPUT_INVALID',
            `unknown output '${n}'; the model's outputs are: ${[...this.#outputNames].join(', ')}`,
          );
        }
      }
      outputNamePtrs = this.#namePtrs(names);
    }
    const inputNames = Object.keys(inputs);
    if (!sameNames(inputNames, this.#lastInputNames)) {
      for (const n of inputNames) {
        if (!this.#inputsByName.has(n)) throw unknownInput(n, this.inputs);
      }
      this.#lastInputNamePtrs = this.#namePtrs(inputNames);
      this.#lastInputNames = inputNames;
    }
    const values = inputNames.map((n) => inputs[n] as OrtValue);
    let arrays = sync ? this.#syncArrays : null;
    if (!arrays || arrays.inputs.length < values.length || arrays.outputs.length < names.length) {
      arrays = {
        inputs: new BigUint64Array(new ArrayBuffer(Math.max(8, values.length * 8))),
        outputs: new BigUint64Array(new ArrayBuffer(Math.max(8, names.length * 8))),
      };
    }
    if (sync) this.#syncArrays = null;
    values.forEach((v, i) => (arrays.inputs[i] = v.ptr));
    // ORT takes a non-NULL entry as a pre-allocated output value: a reused array must be cleared.
    arrays.outputs.fill(0n);
    return {
      names,
      outputNamePtrs,
      inputNamePtrs: this.#lastInputNamePtrs,
      values,
      inputPtrs: arrays.inputs,
      outPtrs: arrays.outputs,
      reusable: sync ? arrays : null,
    };
  }

  /** Gives a synchronous call's pointer arrays back for the next one. */
  #syncDone(call: RunCall): void {
    if (call.reusable) this.#syncArrays = call.reusable;
  }

  #runResult(call: RunCall, status: NPtr, runOptions?: RunOptions): Record<string, OrtValue> {
    const outputs: Record<string, OrtValue> = {};
    for (let i = 0; i < call.names.length; i++) {
      const p = call.outPtrs[i];
      if (p) outputs[call.names[i] as string] = OrtValue.adopt(p);
    }
    const failure = readStatus(status);
    if (failure) {
      for (const v of Object.values(outputs)) v.release();
      throw this.#runError(failure, runOptions);
    }
    return outputs;
  }

  /**
   * The outputs copied into JS memory straight from the pointers ORT returned: no handle object,
   * no finalizer registration. Every non-NULL output is released exactly once, here, whether the
   * run failed, a read failed (OUTPUT_NOT_TENSOR) or all went well.
   */
  #hostResult(call: RunCall, status: NPtr, runOptions?: RunOptions): Record<string, HostTensor> {
    const n = call.names.length;
    try {
      const failure = readStatus(status);
      if (failure) throw this.#runError(failure, runOptions);
      const result: Record<string, HostTensor> = {};
      for (let i = 0; i < n; i++) {
        const p = call.outPtrs[i];
        const name = call.names[i] as string;
        if (p) result[name] = readTensor(p, name);
      }
      return result;
    } finally {
      const { api } = ortBinding();
      for (let i = 0; i < n; i++) {
        const p = call.outPtrs[i];
        if (!p) continue;
        call.outPtrs[i] = 0n;
        api.ReleaseValue(p);
      }
    }
  }

  #runError(failure: OrtFailure, runOptions?: RunOptions): AppError {
    if (runOptions?.terminated) {
      return failureError(failure, `run of ${this.label} was cancelled`, 'CANCELLED');
    }
    return failureError(failure, `running ${this.label}`);
  }

  /** Checks host tensors against the model's inputs; throws INPUT_INVALID naming the input. */
  checkInputs(feeds: Record<string, HostTensor>): void {
    for (const name of Object.keys(feeds)) {
      if (!this.#inputsByName.has(name)) throw unknownInput(name, this.inputs);
    }
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!t) {
        throw new AppError('INPUT_INVALID', `missing input '${info.name}' (${describe(info)})`);
      }
      if (info.kind !== 'tensor') {
        throw new AppError(
          'INPUT_INVALID',
          `input '${info.name}' is a ${info.kind}; Crucible feeds tensors only`,
        );
      }
      if (info.dtype !== null && t.dtype !== info.dtype) {
        throw new AppError(
          'INPUT_INVALID',
          `input '${info.name}': expected ${info.dtype}, got ${t.dtype}`,
        );
      }
      if (info.shape !== null) {
        if (t.dims.length !== info.shape.length) {
          throw new AppError(
            'INPUT_INVALID',
            `input '${info.name}': expected rank ${info.shape.length} ${shapeText(info.shape)}, got rank ${t.dims.length} [${t.dims.join(', ')}]`,
          );
        }
        info.shape.forEach((d, i) => {
          if (typeof d === 'number' && d >= 0 && t.dims[i] !== d) {
            throw new AppError(
              'INPUT_INVALID',
              `input '${info.name}': dimension ${i} must be ${d} (expected ${shapeText(info.shape ?? [])}), got [${t.dims.join(', ')}]`,
            );
          }
        });
      }
      checkHostTensor(info.name, t);
    }
  }
}

/** One Run call's arguments, as koffi takes them. */
interface RunCall {
  /** Output names, in the order of outPtrs. */
  names: readonly string[];
  outputNamePtrs: BigUint64Array;
  inputNamePtrs: BigUint64Array;
  values: OrtValue[];
  inputPtrs: BigUint64Array;
  outPtrs: BigUint64Array;
  /** The session's reusable arrays this synchronous call took; null for fresh ones. */
  reusable: { inputs: BigUint64Array; outputs: BigUint64Array } | null;
}

/**
 * Run with its name arrays as pointer arrays: koffi passes a typed array given for a pointer
 * parameter as its memory (here: `const char *` entries pointing into the session's name buffer).
 */
type RunWithNamePtrs = NativeFn<
  [Ptr, NPtr, BigUint64Array, BigUint64Array, number, BigUint64Array, number, BigUint64Array],
  NPtr
>;

function runFn(): RunWithNamePtrs {
  return ortBinding().api.Run as unknown as RunWithNamePtrs;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function valuesOf(feeds: Record<string, HostTensor>): Record<string, OrtValue> {
  const values: Record<string, OrtValue> = {};
  try {
    for (const [name, t] of Object.entries(feeds)) values[name] = OrtValue.fromHost(t, name);
  } catch (err) {
    for (const v of Object.values(values)) v.release();
    throw err;
  }
  return values;
}

async function withOptions<T>(
  options: SessionOptions | undefined,
  fn: (so: SessionOptions) => Promise<T>,
): Promise<T> {
  const so = options ?? SessionOptions.create();
  try {
    return await withPinned([so], () => fn(so));
  } finally {
    if (!options) so.release();
  }
}

function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function describe(info: ValueInfo): string {
  if (info.kind !== 'tensor') return info.kind;
  return `${info.dtype ?? 'any type'} ${info.shape ? shapeText(info.shape) : '(any shape)'}`;
}

function unknownInput(name: string, inputs: readonly ValueInfo[]): AppError {
  const list = inputs.map((i) => `${i.name} (${describe(i)})`).join(', ');
  return new AppError('INPUT_INVALID', `unknown input '${name}'; the model's inputs are: ${list}`);
}

function readValueInfos(session: Ptr, which: 'input' | 'output'): ValueInfo[] {
  const { api } = ortBinding();
  const allocator = Allocator.default();
  const count: [number] = [0];
  const getCount = which === 'input' ? api.SessionGetInputCount : api.SessionGetOutputCount;
  const getName = which === 'input' ? api.SessionGetInputName : api.SessionGetOutputName;
  const getType = which === 'input' ? api.SessionGetInputTypeInfo : api.SessionGetOutputTypeInfo;
  check(getCount(session, count), `counting the model's ${which}s`);
  const infos: ValueInfo[] = [];
  for (let i = 0; i < count[0]; i++) {
    const nameOut: [NPtr] = [null];
    check(getName(session, i, allocator.ptr, nameOut), `reading ${which} ${i}'s name`);
    let name: string;
    try {
      name = readCString(nameOut[0]) ?? '';
    } finally {
      if (nameOut[0]) allocator.free(nameOut[0]);
    }
    const typeOut: [NPtr] = [null];
    check(getType(session, i, typeOut), `reading ${which} '${name}''s type`);
    const typeInfo = typeOut[0];
    if (!typeInfo) throw new Error(`no type info for ${which} '${name}'`);
    try {
      infos.push(readTypeInfo(typeInfo, name));
    } finally {
      api.ReleaseTypeInfo(typeInfo);
    }
  }
  return infos;
}

function readTypeInfo(typeInfo: Ptr, name: string): ValueInfo {
  const { api } = ortBinding();
  const what = `reading the type of '${name}'`;
  const onnxType: [number] = [0];
  check(api.GetOnnxTypeFromTypeInfo(typeInfo, onnxType), what);
  const kind = valueInfoKind(onnxValueType(onnxType[0]));
  if (kind !== 'tensor') return { name, kind, dtype: null, shape: null };
  const tensorOut: [NPtr] = [null];
  check(api.CastTypeInfoToTensorInfo(typeInfo, tensorOut), what);
  const info = tensorOut[0]; // owned by typeInfo
  if (!info) return { name, kind, dtype: null, shape: null };
  const elem: [number] = [0];
  check(api.GetTensorElementType(info, elem), what);
  // Element type 0 (UNDEFINED) means the model leaves it open.
  const dtype = elem[0] === 0 ? null : dtypeOf(elem[0], `'${name}'`);
  if (!api.TensorTypeAndShape_HasShape(info)) return { name, kind, dtype, shape: null };
  const rank: [number] = [0];
  check(api.GetDimensionsCount(info, rank), what);
  const dims = new BigInt64Array(rank[0]);
  const symbolic = new BigUint64Array(rank[0]);
  if (rank[0] > 0) {
    check(api.GetDimensions(info, dims, rank[0]), what);
    check(api.GetSymbolicDimensions(info, symbolic, rank[0]), what);
  }
  const shape: Dim[] = Array.from(dims, (d, i) => {
    if (d >= 0n) return Number(d);
    const sym = readCString(symbolic[i] || null);
    return sym ? sym : null;
  });
  return { name, kind, dtype, shape };
}
