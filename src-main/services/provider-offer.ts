/**
 * The offer after a run: a valid compiled session on another provider whose measured first run
 * (timed when it was compiled) beat this run. The provider the user picked is what runs; a faster
 * one is only offered ("Compiled for WebGPU: … — use it"), and the user's choice is kept in
 * Settings (`preferredProviders`), where it is listed and can be forgotten.
 */
import type { ProviderId, RunResult } from '../ipc/contract';
import type { CompiledArtifact } from '../engine/cache/view';
import { PROVIDER_LABELS } from '../ipc/providers';

/**
 * How much faster the compiled first run must be to be offered: each side is one run, so smaller
 * gaps are within run-to-run noise and would make the offer flicker between runs.
 */
export const OFFER_MIN_SPEEDUP = 1.25;

/** What an offer is (RunResult.offer). */
export type RunOffer = NonNullable<RunResult['offer']>;

/**
 * The best compiled alternative to a run on `ran` that took `runMs`, among `compiled` (valid
 * entries for this model and dims), on providers available here; null when none is clearly faster.
 * A compiled first run includes what a first run pays, so the speed-up offered is, if anything,
 * an understatement.
 */
export function offerFor(
  ran: ProviderId,
  runMs: number,
  compiled: readonly CompiledArtifact[],
  available: (p: ProviderId) => boolean,
): RunOffer | null {
  let best: CompiledArtifact | null = null;
  for (const a of compiled) {
    const first = a.warmupRunMs;
    if (a.provider === ran || first == null || first <= 0 || !available(a.provider)) continue;
    if (runMs / first < OFFER_MIN_SPEEDUP) continue;
    if (!best || first < (best.warmupRunMs as number)) best = a;
  }
  if (!best) return null;
  const first = best.warmupRunMs as number;
  const speedup = runMs / first;
  return {
    provider: best.provider,
    entryId: best.entryId,
    speedup,
    message: `Compiled for ${PROVIDER_LABELS[best.provider]}: its first run took ${ms(first)}, ${speedup.toFixed(1)}× faster than this run on ${PROVIDER_LABELS[ran]}`,
  };
}

function ms(v: number): string {
  return `${v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2)} ms`;
}
