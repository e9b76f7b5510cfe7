import { describe, expect, it } from 'vitest';
import { parseBaselineArgs } from './baseline-run';
import { parseCaseArgs } from './case-args';
import { parseConformanceArgs } from '../../cli/commands/conformance';
import { DEFAULT_CASE_TIMEOUT_MS } from './conformance';

describe('parseCaseArgs', () => {
  it('reads folders, --json, --filter and --timeout in any order', () => {
    const a = parseCaseArgs(['a', '--timeout', '2.5', '--json', 'b', '--filter', '^test_add']);
    expect(a.dirs).toEqual(['a', 'b']);
    expect(a.json).toBe(true);
    expect(a.timeoutMs).toBe(2500);
    expect(a.filter?.test('test_add_bcast')).toBe(true);
  });

  it.each([
    [['--json'], 'give at least one test case folder'],
    [['a', '--filter'], '--filter needs a value'],
    [['a', '--filter', '('], "--filter '(' is not a valid regular expression"],
    [['a', '--timeout', '0'], '--timeout needs a positive number of seconds'],
    [['a', '--timeout', 'soon'], '--timeout needs a positive number of seconds'],
    [['a', '--out', 'x'], 'unknown option --out'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseCaseArgs(args)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message }),
    );
  });
});

describe('the two conformance command lines', () => {
  it('crucible conformance adds --provider and --strict, and leaves the timeout to the run', () => {
    const a = parseConformanceArgs(['d', '--provider', 'cuda', '--strict']);
    expect(a).toMatchObject({ dirs: ['d'], provider: 'cuda', strict: true, json: false });
    expect(a.timeoutMs).toBeUndefined();
    expect(parseConformanceArgs(['d'])).toMatchObject({ provider: 'cpu', strict: false });
    expect(() => parseConformanceArgs(['d', '--provider', 'tpu'])).toThrow(
      /unknown provider 'tpu'/,
    );
    expect(() => parseConformanceArgs(['d', '--out', 'x'])).toThrow('unknown option --out');
  });

  it('the baseline adds --out and defaults the timeout', () => {
    expect(parseBaselineArgs(['d', '--out', 'r.json'])).toMatchObject({
      dirs: ['d'],
      out: 'r.json',
      timeoutMs: DEFAULT_CASE_TIMEOUT_MS,
    });
    expect(parseBaselineArgs(['d', '--timeout', '3']).timeoutMs).toBe(3000);
    expect(() => parseBaselineArgs(['d', '--strict'])).toThrow('unknown option --strict');
    expect(() => parseBaselineArgs(['d', '--out'])).toThrow('--out needs a value');
  });
});
