import { describe, expect, it } from 'vitest';
import { compileJob } from '../../state/fixtures';
import { progressFraction, subgraphText } from './compile-summary';

describe('compile job summaries', () => {
  it('counts subgraphs from one for people', () => {
    expect(subgraphText(compileJob({ subgraph: { index: 0, count: 3 } }))).toBe('subgraph 1 of 3');
    expect(subgraphText(compileJob({ subgraph: { index: 3, count: 3 } }))).toBe('subgraph 3 of 3');
    expect(subgraphText(compileJob({ subgraph: null }))).toBeNull();
  });

  it('measures progress by subgraphs, then by the estimate', () => {
    expect(progressFraction(compileJob({ subgraph: { index: 1, count: 4 } }))).toBe(0.25);
    expect(
      progressFraction(compileJob({ subgraph: null, elapsedMs: 3000, estimateMs: 12000 })),
    ).toBe(0.25);
    expect(
      progressFraction(compileJob({ subgraph: null, elapsedMs: 20000, estimateMs: 12000 })),
    ).toBe(1);
    expect(progressFraction(compileJob({ subgraph: null, estimateMs: null }))).toBeNull();
  });

  it('is full when done and unknown when waiting or stopped', () => {
    expect(progressFraction(compileJob({ state: 'done' }))).toBe(1);
    expect(progressFraction(compileJob({ state: 'queued' }))).toBeNull();
    expect(progressFraction(compileJob({ state: 'failed' }))).toBeNull();
  });
});
