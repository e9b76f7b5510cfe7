/**
 * Pure words and figures for the Compile area: a job's state chip, the subgraph counter, the share
 * done (only where the main side measured it), the cache entries' tones. The status chips' words
 * (shared with the Models area) are in ui/compile-status.ts.
 */
import type { CacheEntry, CompileJob } from '../../../src-main/ipc/contract';
import type { Tone } from '../../ui/chip';

export const STATE_TONE: Record<CompileJob['state'], Tone> = {
  queued: 'neutral',
  running: 'busy',
  done: 'ok',
  failed: 'bad',
  cancelled: 'warn',
};

/** "subgraph 2 of 5" (1-based for people), or null when the provider does not split the graph. */
export function subgraphText(job: CompileJob): string | null {
  if (job.subgraph === null || job.subgraph.count === 0) return null;
  return `subgraph ${Math.min(job.subgraph.index + 1, job.subgraph.count)} of ${job.subgraph.count}`;
}

/**
 * How far along a job is, 0–1, or null when that cannot be told. Only the main side's percentage
 * counts (subgraphs built of a known count): elapsed time against an estimate is shown as two
 * times, never as a bar that would pretend to know.
 */
export function progressFraction(job: CompileJob): number | null {
  if (job.state === 'done') return job.percent === null ? null : 1;
  if (job.state !== 'running' || job.percent === null) return null;
  return Math.min(1, Math.max(0, job.percent / 100));
}

export const ENTRY_TONE: Record<CacheEntry['state'], Tone> = {
  valid: 'ok',
  stale: 'warn',
  corrupt: 'bad',
};

/**
 * The one line under a job's state chip, derived from state, phase and times together so the card
 * can never contradict itself: a queued job says it waits (no phase, no time); a running one its
 * phase ("starting" before the worker reports one) and the time so far; a finished one how long it
 * took (not its phase again: the chip already says done); a failed or cancelled one where it
 * stopped. A time is shown only once the job started and some time passed.
 */
export function jobStatusText(job: CompileJob, formatMs: (ms: number) => string): string {
  const took = job.startedAt !== null && job.elapsedMs > 0 ? formatMs(job.elapsedMs) : null;
  const where = job.phase === 'queued' ? 'before it started' : `while ${job.phase}`;
  switch (job.state) {
    case 'queued':
      return 'waiting for the jobs before it';
    case 'running': {
      const phase = job.phase === 'queued' ? 'starting' : job.phase;
      return took === null ? phase : `${phase} · elapsed ${took}`;
    }
    case 'done':
      return took === null ? 'compiled' : `compiled in ${took}`;
    case 'failed':
      return `failed ${where}${took === null ? '' : ` after ${took}`}`;
    case 'cancelled':
      return `cancelled ${where}`;
  }
}
