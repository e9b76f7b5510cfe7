/**
 * The run path of a session: a small model on the CPU provider gets a single-threaded session and
 * runs synchronously on the JS thread (no koffi worker-thread hop, which costs more than the whole
 * inference of such a model); everything else keeps ORT's default threads and asynchronous runs.
 * Decided when the session is opened (engine/session/open-session.ts), because the threads are
 * session options; used by the engine host's runs and the benchmark runner alike.
 */
import { stat } from 'node:fs/promises';
import type { ModelInspection, ProviderId } from '../../ipc/contract';
import { inspectModel } from '../model/inspect';

/**
 * Estimated FLOPs (engine/model/flops.ts) at or under which a CPU model runs single-threaded and
 * synchronously. Measured on this project's 2-core build machine (p50, MLPs x[1,n] → Gemm n×n →
 * Relu → Gemm n×n): at 262,144 FLOPs (n = 256) single-threaded sync 23 µs vs ORT's default threads
 * through the async hop 49 µs; at 1 MFLOP 54 vs 82 µs; at 4 MFLOPs 186 µs vs 105 µs for
 * multi-threaded onnxruntime-node. Kept at the lower point so that machines with many cores, where
 * threads help sooner, still never lose: one core's compute there (~10 µs) is below what the hop
 * and a thread-pool dispatch cost.
 */
export const SYNC_RUN_MAX_FLOPS = 262_144;

/**
 * Synchronous runs whose median is slower than this (ms) mean the estimate missed work it does not
 * count (large element-wise ops, data movement): later runs go asynchronous again, so the engine
 * host's event loop is never held for long. See {@link SyncRunGuard}.
 */
export const SYNC_RUN_MAX_MS = 1;

/**
 * Watches a session's synchronous run times and says when to stop running synchronously: when
 * the median of the last {@link SyncRunGuard.WINDOW} runs (the first run left out: ORT allocates
 * and plans then, about 1 ms even for mlp-tiny here) is over {@link SYNC_RUN_MAX_MS}. A median,
 * so a run preempted by another process (p99 over 1 ms on a busy 2-core machine) changes nothing.
 */
export class SyncRunGuard {
  static readonly WINDOW = 7;
  #seen = 0;
  readonly #last: number[] = [];

  /** Records one synchronous run's time; false when runs should go asynchronous from now on. */
  record(ms: number): boolean {
    if (this.#seen++ === 0) return true;
    this.#last.push(ms);
    if (this.#last.length > SyncRunGuard.WINDOW) this.#last.shift();
    if (this.#last.length < Math.ceil(SyncRunGuard.WINDOW / 2)) return true;
    const sorted = [...this.#last].sort((a, b) => a - b);
    return (sorted[Math.floor(sorted.length / 2)] as number) <= SYNC_RUN_MAX_MS;
  }
}

/** Model files larger than this are never candidates (and are not parsed just to decide). */
const SYNC_RUN_MAX_FILE_BYTES = 16 * 1024 * 1024;

// Loops and scans run a data-dependent number of times. An If runs one of its branches, and the
// FLOP estimate counts the larger one (engine/model/flops.ts), so its work is known.
const CONTROL_FLOW_OPS = ['Loop', 'Scan'];

/** Which way a session runs, and why (for notes and logs). */
export interface RunPath {
  /** Single-threaded session (CPU only, one intra-op thread, sequential), synchronous runs. */
  sync: boolean;
  reason: string;
}

/** Formats the run path for a figures note. */
export function runPathNote(runPath: RunPath): string {
  return runPath.sync
    ? `single-threaded, synchronous run: ${runPath.reason}`
    : `ORT's default threads, asynchronous run: ${runPath.reason}`;
}

/**
 * The policy from an inspection: sync only for the CPU provider, a known FLOPs estimate that left
 * nothing out (no Loop or Scan, every Conv/MatMul/Gemm shape known, If nodes at their larger
 * branch) and at most {@link SYNC_RUN_MAX_FLOPS}.
 */
export function runPathFor(
  provider: ProviderId,
  inspection: Pick<ModelInspection, 'flops' | 'ops' | 'externalData'> | null,
): RunPath {
  if (provider !== 'cpu') {
    return { sync: false, reason: `the ${provider} provider runs on its own threads or device` };
  }
  if (!inspection) return { sync: false, reason: 'the model is too large to be a tiny one' };
  if (inspection.externalData.length > 0) {
    return { sync: false, reason: 'the model has external data (large weights)' };
  }
  const flow = CONTROL_FLOW_OPS.filter((op) => (inspection.ops[op] ?? 0) > 0);
  if (flow.length > 0) {
    return { sync: false, reason: `control flow (${flow.join(', ')}) makes its work unknown` };
  }
  const total = inspection.flops.total;
  // flops.ts says "left out" in its note when some Conv/MatMul/Gemm could not be counted.
  if (total === null || /left out/.test(inspection.flops.note)) {
    return { sync: false, reason: 'its FLOPs estimate is incomplete' };
  }
  const fmt = (n: number) => n.toLocaleString('en-US');
  if (total > SYNC_RUN_MAX_FLOPS) {
    return {
      sync: false,
      reason: `estimated ${fmt(total)} FLOPs > ${fmt(SYNC_RUN_MAX_FLOPS)}, threads pay off`,
    };
  }
  return {
    sync: true,
    reason: `estimated ${fmt(total)} FLOPs <= ${fmt(SYNC_RUN_MAX_FLOPS)} on the CPU provider; ORT uses no other thread, so its logger can only call back on this thread (no deadlock)`,
  };
}

/** {@link runPathFor} for a model file: inspects it only when it is small enough to qualify. */
export async function chooseRunPath(
  modelPath: string,
  provider: ProviderId,
  dims: Record<string, number> = {},
): Promise<RunPath> {
  if (provider !== 'cpu') return runPathFor(provider, null);
  const size = (await stat(modelPath)).size;
  if (size > SYNC_RUN_MAX_FILE_BYTES) return runPathFor(provider, null);
  return runPathFor(provider, await inspectModel(modelPath, { dims }));
}
