import { describe, expect, it } from 'vitest';
import {
  comparisonLines,
  diffReports,
  failureTable,
  makeReport,
  oneLine,
  summaryLine,
  type ConformanceCase,
} from './report';

const c = (
  name: string,
  status: ConformanceCase['status'],
  reason: string | null = null,
): ConformanceCase => ({
  name,
  dir: `/cases/${name}`,
  status,
  reason,
  ms: 1,
});

describe('reports', () => {
  it('counts cases and writes the summary line', () => {
    const r = makeReport('crucible', 'cpu', '1.30.0', [
      c('a', 'passed'),
      c('b', 'failed', 'x'),
      c('d', 'skipped', 'y'),
      c('e', 'passed'),
    ]);
    expect([r.passed, r.failed, r.skipped]).toEqual([2, 1, 1]);
    expect(summaryLine(r)).toBe('2 passed, 1 failed, 1 skipped');
  });

  it('lists failures, then skips, with their reasons', () => {
    const r = makeReport('crucible', 'cpu', null, [
      c('a', 'passed'),
      c('bb', 'failed', 'wrong\nvalue'),
      c('c', 'skipped', 'a sequence'),
    ]);
    expect(failureTable(r)).toEqual([
      'failed (1):',
      '  bb    wrong value',
      'skipped (1):',
      '  c     a sequence',
    ]);
  });

  it('finds the cases whose outcome differs, and cases only one report has', () => {
    const a = makeReport('crucible', 'cpu', '1.30.0', [
      c('same', 'passed'),
      c('bf16', 'passed'),
      c('only-a', 'failed', 'boom'),
    ]);
    const b = makeReport('onnxruntime-node', 'cpu', '1.30.0', [
      c('same', 'passed'),
      c('bf16', 'failed', 'Unsupported data type: 16'),
      c('only-b', 'passed'),
    ]);
    expect(
      diffReports(a, b).map((d) => [d.name, d.a?.status ?? null, d.b?.status ?? null]),
    ).toEqual([
      ['bf16', 'passed', 'failed'],
      ['only-a', 'failed', null],
      ['only-b', null, 'passed'],
    ]);
    expect(comparisonLines(a, b)).toEqual([
      'A crucible (cpu, ORT 1.30.0): 2 passed, 1 failed, 0 skipped',
      'B onnxruntime-node (cpu, ORT 1.30.0): 2 passed, 1 failed, 0 skipped',
      '3 cases differ',
      'bf16',
      '  A passed',
      '  B failed: Unsupported data type: 16',
      'only-a',
      '  A failed: boom',
      '  B not run',
      'only-b',
      '  A not run',
      '  B passed',
    ]);
  });

  it('cuts long reasons to one line', () => {
    expect(oneLine('a\n  b', 10)).toBe('a b');
    expect(oneLine('abcdefghijkl', 5)).toBe('abcd…');
  });
});
