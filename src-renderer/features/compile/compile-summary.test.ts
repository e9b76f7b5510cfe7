import { describe, expect, it } from 'vitest';
import { compileJob } from '../../state/fixtures';
import { jobStatusText, progressFraction, subgraphText } from './compile-summary';

describe('compile job summaries', () => {
  it('counts subgraphs from one for people', () => {
    expect(subgraphText(compileJob({ subgraph: { index: 0, count: 3 } }))).toBe('subgraph 1 of 3');
    expect(subgraphText(compileJob({ subgraph: { index: 3, count: 3 } }))).toBe('subgraph 3 of 3');
    expect(subgraphText(compileJob({ subgraph: null }))).toBeNull();
  });

  it("shows progress only from the main side's real percentage, never from the estimate", () => {
    expect(progressFraction(compileJob({ percent: 25 }))).toBe(0.25);
    expect(
      progressFraction(compileJob({ percent: null, elapsedMs: 3000, estimateMs: 12000 })),
    ).toBeNull();
    expect(progressFraction(compileJob({ state: 'done', percent: 100 }))).toBe(1);
    expect(progressFraction(compileJob({ state: 'done', percent: null }))).toBeNull();
    expect(progressFraction(compileJob({ state: 'queued', percent: null }))).toBeNull();
    expect(progressFraction(compileJob({ state: 'failed', percent: 40 }))).toBeNull();
  });
});

describe('jobStatusText: one line that cannot contradict the state', () => {
  const ms = (v: number) => `${v} ms`;
  const base = {
    id: 'j',
    modelId: 'm',
    provider: 'cpu' as const,
    subgraph: null,
    percent: null,
    estimateMs: null,
    cacheEntryId: null,
    error: null,
  };
  it.each([
    [
      { state: 'queued', phase: 'queued', startedAt: null, elapsedMs: 0 },
      'waiting for the jobs before it',
    ],
    [{ state: 'running', phase: 'queued', startedAt: 1, elapsedMs: 0 }, 'starting'],
    [
      { state: 'running', phase: 'building', startedAt: 1, elapsedMs: 120 },
      'building · elapsed 120 ms',
    ],
    [{ state: 'done', phase: 'done', startedAt: 1, elapsedMs: 900 }, 'compiled in 900 ms'],
    [
      { state: 'failed', phase: 'warmup', startedAt: 1, elapsedMs: 50 },
      'failed while warmup after 50 ms',
    ],
    [
      { state: 'cancelled', phase: 'queued', startedAt: null, elapsedMs: 0 },
      'cancelled before it started',
    ],
  ] as const)('%j → %s', (j, text) => {
    const line = jobStatusText({ ...base, ...j }, ms);
    expect(line).toBe(text);
    expect(line).not.toMatch(/\b0 ms|done done|running.*queued/);
  });
});
