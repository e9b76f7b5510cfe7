/**
 * Pure words and figures for a compile job: its state chip, the subgraph counter, the share done.
 */
import type { CompileJob } from '../../../src-main/ipc/contract';
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
 * How far along a job is, 0–1, or null when that cannot be told. Subgraph counts are the truer
 * measure; the time estimate is the fallback. A finished job is 1.
 */
export function progressFraction(job: CompileJob): number | null {
  if (job.state === 'done') return 1;
  if (job.state !== 'running') return null;
  if (job.subgraph !== null && job.subgraph.count > 0) {
    return Math.min(1, job.subgraph.index / job.subgraph.count);
  }
  if (job.estimateMs !== null && job.estimateMs > 0)
    return Math.min(1, job.elapsedMs / job.estimateMs);
  return null;
}
