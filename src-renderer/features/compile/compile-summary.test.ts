import { describe, expect, it } from 'vitest';
import { compileJob } from '../../state/fixtures';
import { progressFraction, subgraphText } from './compile-summary';

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
