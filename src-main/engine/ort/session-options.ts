/**
 * OrtSessionOptions: graph optimisation, threads, execution mode, optimized-model output, config
 * entries, free dimension overrides, execution providers (by name, or by EP device), logging.
 *
 * The options also record what was set on them that decides which threads ORT uses (threads,
 * execution mode, providers): ORT has no getters for those, and a session must know from its own
 * options, not from a caller's claim, whether it is single-threaded CPU (see
 * {@link singleThreadedCpuReason} and Session.runSync).
 */
import { AppError } from '../../shared/errors';
import { ortBinding } from './api';
import type { NPtr } from './api';
import { logLevelNumber, ortEnv } from './env';
import type { LogLevel } from './env';
import type { EpDevice } from './ep-devices';
import { NativeHandle } from './handle';
import { check, failureError, readStatus, type OrtFailure } from './status';

/** ORT's graph optimisation levels (GraphOptimizationLevel). */
export const GRAPH_OPTIMIZATION_LEVELS = {
  disabled: 0,
  basic: 1,
  extended: 2,
  all: 99,
} as const;
export type GraphOptimizationLevel = keyof typeof GRAPH_OPTIMIZATION_LEVELS;

/** The GraphOptimizationLevel number of a level. */
export function graphOptimizationNumber(level: GraphOptimizationLevel): number {
  const n = GRAPH_OPTIMIZATION_LEVELS[level];
  if (n === undefined) {
    throw new AppError('BAD_REQUEST', `unknown graph optimization level '${String(level)}'`);
  }
  return n;
}

/**
 * ORT's EP selection policies (OrtExecutionProviderDevicePolicy) that Crucible offers for "Auto":
 * prefer a GPU, maximum performance, maximum efficiency.
 */
export const EP_SELECTION_POLICIES = {
  'prefer-gpu': 3,
  'max-performance': 4,
  'max-efficiency': 5,
} as const;
export type EpSelectionPolicy = keyof typeof EP_SELECTION_POLICIES;

/** ORT's execution modes (ExecutionMode): sequential runs nodes one by one on the calling thread. */
export const EXECUTION_MODES = { sequential: 0, parallel: 1 } as const;
export type ExecutionMode = keyof typeof EXECUTION_MODES;

/**
 * What these options set that decides ORT's threads during Run. `null` threads mean "not set"
 * (ORT's default: one intra-op thread per physical core).
 */
export interface ThreadingSettings {
  intraOpThreads: number | null;
  interOpThreads: number | null;
  executionMode: ExecutionMode;
  /** Execution providers appended (by name or through EP devices), in order; empty = CPU only. */
  providers: readonly string[];
}

/**
 * The options for a session that uses no thread but the caller's during Run: CPU provider only,
 * one intra-op thread (ORT then creates no intra-op pool: the calling thread computes), sequential
 * execution (ORT creates no inter-op pool). Per-session threads stay on (the default; the env has
 * no global pools), so nothing else runs ORT code for this session.
 */
export const SINGLE_THREADED_CPU: Readonly<SessionOptionsInit> = Object.freeze({
  intraOpThreads: 1,
  interOpThreads: 1,
  executionMode: 'sequential',
});

/**
 * Null when options with these settings make a single-threaded CPU session (see
 * {@link SINGLE_THREADED_CPU}); otherwise why not, for error messages.
 */
export function singleThreadedCpuReason(t: ThreadingSettings): string | null {
  const why: string[] = [];
  if (t.providers.length > 0) why.push(`execution providers ${t.providers.join(', ')} appended`);
  if (t.intraOpThreads !== 1) {
    why.push(
      t.intraOpThreads === null
        ? "intra-op threads not set (ORT's default pool)"
        : `intra-op threads ${t.intraOpThreads}`,
    );
  }
  if (t.executionMode !== 'sequential') why.push(`${t.executionMode} execution mode`);
  return why.length > 0 ? why.join('; ') : null;
}

/** An execution provider appended by name (SessionOptionsAppendExecutionProvider). */
export interface ProviderByName {
  /** e.g. 'NvTensorRtRtx', 'CUDA', 'WebGPU', 'DML'. */
  name: string;
  options?: Record<string, string>;
}

/** Everything {@link SessionOptions.create} can set at once. */
export interface SessionOptionsInit {
  graphOptimizationLevel?: GraphOptimizationLevel;
  intraOpThreads?: number;
  interOpThreads?: number;
  executionMode?: ExecutionMode;
  /** Where ORT writes the optimized model (SetOptimizedModelFilePath). */
  optimizedModelPath?: string;
  /** Session config entries, e.g. { 'session.disable_model_compile': '1' }. */
  config?: Record<string, string>;
  /** Free dimension overrides by symbolic name, e.g. { batch: 1 }. */
  freeDimensions?: Record<string, number>;
  /** Providers by name, in priority order (CPU is always the last fallback). */
  providers?: ProviderByName[];
  logLevel?: LogLevel;
  logId?: string;
  /** Route this session's log lines to the env listeners with this tag (SetUserLoggingFunction). */
  logTag?: number;
}

/** An OrtSessionOptions handle. */
export class SessionOptions extends NativeHandle {
  #threading: ThreadingSettings;

  private constructor(ptr: bigint, threading?: ThreadingSettings) {
    super('OrtSessionOptions', ptr, (p) => ortBinding().api.ReleaseSessionOptions(p));
    this.#threading = threading ?? {
      intraOpThreads: null,
      interOpThreads: null,
      executionMode: 'sequential',
      providers: [],
    };
  }

  /** What was set on these options that decides ORT's threads (a copy). */
  get threading(): ThreadingSettings {
    return { ...this.#threading, providers: [...this.#threading.providers] };
  }

  /** Creates session options and applies `init`. */
  static create(init: SessionOptionsInit = {}): SessionOptions {
    ortEnv();
    const out: [NPtr] = [null];
    check(ortBinding().api.CreateSessionOptions(out), 'creating session options');
    const so = new SessionOptions(out[0] ?? 0n);
    try {
      so.apply(init);
    } catch (err) {
      so.release();
      throw err;
    }
    return so;
  }

  /** A copy of these options (CloneSessionOptions). */
  clone(): SessionOptions {
    const out: [NPtr] = [null];
    check(ortBinding().api.CloneSessionOptions(this.ptr, out), 'copying session options');
    return new SessionOptions(out[0] ?? 0n, this.threading);
  }

  /** Applies several settings; see {@link SessionOptionsInit}. */
  apply(init: SessionOptionsInit): this {
    if (init.graphOptimizationLevel !== undefined) {
      this.setGraphOptimizationLevel(init.graphOptimizationLevel);
    }
    if (init.intraOpThreads !== undefined) this.setIntraOpThreads(init.intraOpThreads);
    if (init.interOpThreads !== undefined) this.setInterOpThreads(init.interOpThreads);
    if (init.executionMode !== undefined) this.setExecutionMode(init.executionMode);
    if (init.optimizedModelPath !== undefined) {
      this.setOptimizedModelFilePath(init.optimizedModelPath);
    }
    for (const [k, v] of Object.entries(init.config ?? {})) this.addConfigEntry(k, v);
    for (const [k, v] of Object.entries(init.freeDimensions ?? {})) {
      this.addFreeDimensionOverride(k, v);
    }
    for (const p of init.providers ?? []) this.appendExecutionProvider(p.name, p.options);
    if (init.logLevel !== undefined) this.setLogLevel(init.logLevel);
    if (init.logId !== undefined) this.setLogId(init.logId);
    if (init.logTag !== undefined) this.useLogger(init.logTag);
    return this;
  }

  /** SetSessionGraphOptimizationLevel. */
  setGraphOptimizationLevel(level: GraphOptimizationLevel): this {
    check(
      ortBinding().api.SetSessionGraphOptimizationLevel(this.ptr, graphOptimizationNumber(level)),
      `setting graph optimization level ${level}`,
    );
    return this;
  }

  /** SetIntraOpNumThreads (0 = ORT's default). */
  setIntraOpThreads(n: number): this {
    checkThreads('intraOpThreads', n);
    check(ortBinding().api.SetIntraOpNumThreads(this.ptr, n), `setting intra-op threads to ${n}`);
    this.#threading.intraOpThreads = n === 0 ? null : n;
    return this;
  }

  /** SetInterOpNumThreads (0 = ORT's default). */
  setInterOpThreads(n: number): this {
    checkThreads('interOpThreads', n);
    check(ortBinding().api.SetInterOpNumThreads(this.ptr, n), `setting inter-op threads to ${n}`);
    this.#threading.interOpThreads = n === 0 ? null : n;
    return this;
  }

  /** SetSessionExecutionMode: 'parallel' gives the session an inter-op thread pool. */
  setExecutionMode(mode: ExecutionMode): this {
    const n = EXECUTION_MODES[mode];
    if (n === undefined)
      throw new AppError('BAD_REQUEST', `unknown execution mode '${String(mode)}'`);
    check(ortBinding().api.SetSessionExecutionMode(this.ptr, n), `setting ${mode} execution mode`);
    this.#threading.executionMode = mode;
    return this;
  }

  /** SetOptimizedModelFilePath: ORT saves the optimized graph there when the session is created. */
  setOptimizedModelFilePath(file: string): this {
    check(
      ortBinding().api.SetOptimizedModelFilePath(this.ptr, file),
      `setting the optimized model path ${file}`,
    );
    return this;
  }

  /** AddSessionConfigEntry. */
  addConfigEntry(key: string, value: string): this {
    check(
      ortBinding().api.AddSessionConfigEntry(this.ptr, key, value),
      `setting session config ${key}=${value}`,
    );
    return this;
  }

  /** AddFreeDimensionOverrideByName: fixes a symbolic dimension (e.g. batch = 1). */
  addFreeDimensionOverride(name: string, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new AppError('BAD_REQUEST', `free dimension '${name}' must be a whole number >= 0`);
    }
    check(
      ortBinding().api.AddFreeDimensionOverrideByName(this.ptr, name, BigInt(value)),
      `overriding free dimension ${name}=${value}`,
    );
    return this;
  }

  /**
   * SessionOptionsAppendExecutionProvider: a provider by name with string options. Fails with
   * PROVIDER_UNAVAILABLE when this ORT build does not have it.
   */
  appendExecutionProvider(name: string, options: Record<string, string> = {}): this {
    const keys = Object.keys(options);
    const values = keys.map((k) => options[k] ?? '');
    check(
      ortBinding().api.SessionOptionsAppendExecutionProvider(
        this.ptr,
        name,
        keys,
        values,
        keys.length,
      ),
      `adding execution provider ${name}`,
      'PROVIDER_UNAVAILABLE',
    );
    this.#threading.providers = [...this.#threading.providers, name];
    return this;
  }

  /**
   * SessionOptionsAppendExecutionProvider_V2: a provider through its EP devices (all of one EP),
   * e.g. a registered plugin EP library.
   */
  appendEpDevices(devices: readonly EpDevice[], options: Record<string, string> = {}): this {
    if (devices.length === 0) throw new AppError('BAD_REQUEST', 'no EP devices to append');
    const keys = Object.keys(options);
    const values = keys.map((k) => options[k] ?? '');
    const ptrs = new BigUint64Array(devices.map((d) => d.ptr));
    const names = [...new Set(devices.map((d) => d.epName))].join(', ');
    check(
      ortBinding().api.SessionOptionsAppendExecutionProvider_V2(
        this.ptr,
        ortEnv().ptr,
        ptrs,
        ptrs.length,
        keys,
        values,
        keys.length,
      ),
      `adding execution provider ${names}`,
      'PROVIDER_UNAVAILABLE',
    );
    this.#threading.providers = [...this.#threading.providers, names];
    return this;
  }

  /**
   * The CUDA provider through ORT's CUDA V2 options (CreateCUDAProviderOptions,
   * UpdateCUDAProviderOptions, SessionOptionsAppendExecutionProvider_CUDA_V2,
   * ReleaseCUDAProviderOptions): ORT takes CUDA this way, not by name through the generic append
   * (which answers "Unknown provider name 'CUDA'"). An ORT build without CUDA fails the first call;
   * that becomes PROVIDER_UNAVAILABLE "CUDA is not in this ONNX Runtime build" with ORT's message
   * as the detail.
   */
  appendCuda(options: Record<string, string> = {}): this {
    const { api } = ortBinding();
    const out: [NPtr] = [null];
    const created = readStatus(api.CreateCUDAProviderOptions(out));
    if (created) throw cudaUnavailable('CreateCUDAProviderOptions', created);
    const cuda = out[0] ?? 0n;
    try {
      const keys = Object.keys(options);
      const values = keys.map((k) => options[k] ?? '');
      // ORT loads its provider bridge here: a build without CUDA fails on this call (measured
      // with onnxruntime-node 1.30: "Failed to load library .../libonnxruntime_providers_shared.so").
      const updated = readStatus(api.UpdateCUDAProviderOptions(cuda, keys, values, keys.length));
      if (updated?.ortCode === 'ORT_INVALID_ARGUMENT') {
        throw failureError(
          updated,
          `setting CUDA provider options ${keys.join(', ')}`,
          'BAD_REQUEST',
        );
      }
      if (updated) throw cudaUnavailable('UpdateCUDAProviderOptions', updated);
      const appended = readStatus(
        api.SessionOptionsAppendExecutionProvider_CUDA_V2(this.ptr, cuda),
      );
      if (appended)
        throw cudaUnavailable('SessionOptionsAppendExecutionProvider_CUDA_V2', appended);
    } finally {
      api.ReleaseCUDAProviderOptions(cuda);
    }
    this.#threading.providers = [...this.#threading.providers, 'CUDAExecutionProvider'];
    return this;
  }

  /**
   * SessionOptionsSetEpSelectionPolicy: ORT picks the execution provider among the env's EP
   * devices by policy (no provider appended by the caller). Read back which one it picked with
   * Session.epDevicesForInputs().
   */
  setEpSelectionPolicy(policy: EpSelectionPolicy): this {
    const n = EP_SELECTION_POLICIES[policy];
    if (n === undefined) {
      throw new AppError('BAD_REQUEST', `unknown EP selection policy '${String(policy)}'`);
    }
    check(
      ortBinding().api.SessionOptionsSetEpSelectionPolicy(this.ptr, n),
      `setting the EP selection policy ${policy}`,
      'PROVIDER_UNAVAILABLE',
    );
    // ORT may pick a GPU provider with its own threads: never single-threaded CPU by construction.
    this.#threading.providers = [...this.#threading.providers, `policy:${policy}`];
    return this;
  }

  /** SetSessionLogSeverityLevel. */
  setLogLevel(level: LogLevel): this {
    check(
      ortBinding().api.SetSessionLogSeverityLevel(this.ptr, logLevelNumber(level)),
      `setting the session log level to ${level}`,
    );
    return this;
  }

  /** SetSessionLogId. */
  setLogId(logId: string): this {
    check(ortBinding().api.SetSessionLogId(this.ptr, logId), `setting the session log id`);
    return this;
  }

  /**
   * SetUserLoggingFunction: this session logs through the env's JS listeners with `tag` in each
   * record, so one listener can tell sessions (or compile jobs) apart.
   */
  useLogger(tag: number): this {
    if (!Number.isSafeInteger(tag) || tag <= 0) {
      throw new AppError('BAD_REQUEST', `log tag must be a whole number > 0, got ${tag}`);
    }
    const env = ortEnv();
    // With the stderr sink there is no JS logger, on purpose: a JS callback would bring back the
    // deadlock that sink rules out for synchronous runs (env.ts).
    if (env.loggerPtr === null) {
      throw new AppError(
        'UNSUPPORTED',
        "a session logger (log tag) needs the env's JS log sink; this process's env logs to stderr",
      );
    }
    check(
      ortBinding().api.SetUserLoggingFunction(this.ptr, env.loggerPtr, BigInt(tag)),
      'setting the session logger',
    );
    return this;
  }
}

function checkThreads(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new AppError('BAD_REQUEST', `${what} must be a whole number >= 0, got ${n}`);
  }
}

/**
 * The error for a CUDA V2 call that failed: CUDA cannot be attached with this ORT library. The
 * message says so in one line (with the library ORT could not load, when that was why); ORT's own
 * message is the detail.
 */
function cudaUnavailable(call: string, failure: OrtFailure): AppError {
  const lib = /Failed to load library (\S+)/.exec(failure.message)?.[1];
  const why = lib ? `: ORT could not load ${lib.split(/[\\/]/).pop() ?? lib}` : '';
  return new AppError(
    'PROVIDER_UNAVAILABLE',
    `CUDA is not in this ONNX Runtime build${why}`,
    `${call}: ${failure.ortCode}: ${failure.message}`,
  );
}
