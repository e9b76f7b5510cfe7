/**
 * The one way an ONNX Runtime session is opened in Crucible's engine processes: the engine host's
 * `session.create`, the benchmark runner's creation timings and the compile steps all come here.
 *
 * One spec says everything that decides a session: the model file, the provider (or "auto": ORT's
 * EP selection policy picks), the free dimensions, provider options, graph optimisation, an
 * optimized model to save, config entries, graph capture. Every session keeps ORT's default
 * threads; whether its runs may go synchronously is said by the run path (engine/session/run-path.ts),
 * from the process's env. The provider is attached the way ORT expects it for each kind:
 *
 * - CPU: nothing appended.
 * - built-in providers by name (WebGPU, DirectML): SessionOptionsAppendExecutionProvider.
 * - CUDA: ORT's CUDA V2 options (create / update / append / release); a build without CUDA answers
 *   PROVIDER_UNAVAILABLE "CUDA is not in this ONNX Runtime build".
 * - plugin EPs (TensorRT-RTX): their EP device, through SessionOptionsAppendExecutionProvider_V2.
 * - auto: SessionOptionsSetEpSelectionPolicy; the EP ORT picked is read back from the session.
 */
import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import {
  Session,
  SessionOptions,
  type EpSelectionPolicy,
  type GraphOptimizationLevel,
  type SessionOptionsInit,
} from '../ort';
import { enableProfiling } from '../ort/profiling';
import { appendProvider, attachFor } from '../providers/attach';
import { PROVIDERS } from '../providers/catalog';
import { GRAPH_CAPTURE, graphCaptureProblem } from './capabilities';
import { runPathOf, type RunPath } from './run-path';

/** A provider to open a session on, or 'auto' (ORT's EP selection policy picks). */
export type OpenProvider = ProviderId | 'auto';

/** Everything that decides a session. */
export interface OpenSpec {
  modelPath: string;
  provider: OpenProvider;
  /** The policy for provider 'auto' (default prefer-gpu). */
  policy?: EpSelectionPolicy;
  /** Values for symbolic dims (free dimension overrides). */
  dims?: Record<string, number>;
  /** Provider options (strings, ORT's rule), over the catalog's explicit ones. */
  providerOptions?: Record<string, string>;
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Where ORT saves the optimized model while creating the session. */
  optimizedModelPath?: string;
  /** Session config entries. */
  config?: Record<string, string>;
  /** CUDA graphs (CUDA, TensorRT-RTX) or WebGPU graph capture; refused for other providers. */
  graphCapture?: boolean;
  /** Route the session's log lines to the env's listeners with this tag (compile placement). */
  logTag?: number;
  /** ORT profiling on: the session writes a Chrome-trace file starting with this prefix. */
  profilePrefix?: string;
  /** The name the TensorRT-RTX plugin was registered under in this process, if it was. */
  epName?: string | null;
}

/** A session opened from a spec, with what was decided and measured on the way. */
export interface OpenedSession {
  session: Session;
  spec: OpenSpec;
  /** Wall time of CreateSession. */
  createMs: number;
  runPath: RunPath;
  /** The execution provider ORT placed the inputs on (what "auto" picked), by ORT's name. */
  ep: string;
}

/** Session options for a spec (the caller releases them). */
export function sessionOptionsFor(spec: OpenSpec): SessionOptions {
  const graph = spec.graphCapture ? captureSettings(spec.provider) : undefined;
  const init: SessionOptionsInit = {
    freeDimensions: spec.dims ?? {},
    graphOptimizationLevel: spec.graphOptimizationLevel,
    optimizedModelPath: spec.optimizedModelPath,
    config: { ...graph?.config, ...spec.config },
    ...(spec.logTag !== undefined ? { logLevel: 'verbose' as const, logTag: spec.logTag } : {}),
  };
  const so = SessionOptions.create(init);
  try {
    if (spec.profilePrefix !== undefined) enableProfiling(so, spec.profilePrefix);
    if (spec.provider === 'auto') {
      so.setEpSelectionPolicy(spec.policy ?? 'prefer-gpu');
    } else if (spec.provider !== 'cpu') {
      appendProvider(so, attachFor(spec.provider, spec.epName ?? null), {
        ...PROVIDERS[spec.provider].explicitOptions,
        ...graph?.providerOptions,
        ...spec.providerOptions,
      });
    }
    return so;
  } catch (err) {
    so.release();
    throw err;
  }
}

function captureSettings(provider: OpenProvider) {
  const problem = graphCaptureProblem(provider);
  if (problem) throw new AppError('UNSUPPORTED', problem);
  return GRAPH_CAPTURE[provider as ProviderId];
}

/**
 * Opens a session: builds the options, creates the session off the JS thread, times it, reads
 * back the EP ORT used and says its run path.
 */
export async function openSession(spec: OpenSpec): Promise<OpenedSession> {
  const so = sessionOptionsFor(spec);
  try {
    const t0 = performance.now();
    const session = await Session.create(spec.modelPath, { options: so });
    const createMs = performance.now() - t0;
    const runPath = runPathOf(session);
    return { session, spec, createMs, runPath, ep: epOf(session, spec.provider) };
  } finally {
    so.release();
  }
}

/** The EP ORT placed the first input on; the requested provider's name when ORT cannot say. */
function epOf(session: Session, provider: OpenProvider): string {
  const fallback = provider === 'auto' ? 'unknown' : PROVIDERS[provider].ortName;
  try {
    return session.epNamesForInputs().find((n): n is string => !!n) ?? fallback;
  } catch {
    return fallback;
  }
}
