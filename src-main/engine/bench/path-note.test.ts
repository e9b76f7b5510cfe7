// The note that tells how a benchmark's runs went (synchronous or not), in order: a run that went
// synchronous and later back must not read as two notes that contradict each other.
import { describe, expect, it } from 'vitest';
import { pathNote } from './runner';

describe('pathNote', () => {
  it('says nothing when the way of running never changed', () => {
    expect(pathNote({ startSync: false, runs: 300, changes: [] })).toBeNull();
  });

  it('tells each change in order with the run it took effect at', () => {
    expect(
      pathNote({
        startSync: false,
        runs: 1051,
        changes: [
          { run: 6, sync: true },
          { run: 412, sync: false },
        ],
      }),
    ).toBe(
      'runs began asynchronous; synchronous from run 6 (measured median at most 1 ms); ' +
        'asynchronous from run 412 (synchronous runs took over 1 ms (median), or one took over 20 ms)' +
        " — of 1051 runs, counted from this benchmark's first (warm-up and measured together)",
    );
  });
});
