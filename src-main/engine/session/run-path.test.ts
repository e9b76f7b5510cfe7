// The run-path guard: runs start asynchronous and go synchronous only while measured fast; and
// what the run path says in a process whose env logs to JS (this test process).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initOrt } from '../ort/env';
import { Session } from '../ort/session';
import { SessionOptions, SINGLE_THREADED_CPU } from '../ort/session-options';
import {
  runPathNote,
  runPathOf,
  SYNC_RUN_LONGEST_MS,
  SYNC_RUN_MAX_MS,
  SyncRunGuard,
} from './run-path';

initOrt({ logLevel: 'error' });

const root = path.resolve(__dirname, '..', '..', '..');
const tiny = path.join(root, 'models', 'mlp-tiny.onnx');

describe('SyncRunGuard', () => {
  /** The guard's answer after each recorded time. */
  const feed = (times: number[], g = new SyncRunGuard()) => times.map((t) => g.record(t));
  const fast = SYNC_RUN_MAX_MS / 10;
  const slow = SYNC_RUN_MAX_MS * 3;

  it('starts asynchronous: nothing is known before runs were measured', () => {
    expect(new SyncRunGuard().sync).toBe(false);
  });

  it('goes synchronous once the median of the measured runs is within the bound', () => {
    // The first run is left out (ORT plans and allocates then); four more make a median.
    expect(feed([50, fast, fast, fast, fast])).toEqual([false, false, false, false, true]);
  });

  it('never goes synchronous for a model measured slow', () => {
    expect(feed(Array<number>(30).fill(slow)).some(Boolean)).toBe(false);
  });

  it('ignores a few preempted runs', () => {
    const g = new SyncRunGuard();
    feed([1, fast, fast, fast, fast], g);
    expect(g.sync).toBe(true);
    expect(feed([fast, 5, fast, fast, 5, fast, fast, fast], g).every(Boolean)).toBe(true);
  });

  it('goes back to asynchronous once synchronous runs are slow (median), and can come back', () => {
    const g = new SyncRunGuard();
    feed([1, fast, fast, fast, fast], g);
    expect(feed([slow, slow, slow, slow], g)).toEqual([true, true, true, false]);
    expect(g.switches).toBe(2);
    // Asynchronous runs measured fast again (e.g. smaller inputs): synchronous again.
    expect(feed([fast, fast, fast, fast], g)).toEqual([false, false, false, true]);
  });

  it('goes back at once after one synchronous run over the longest bound', () => {
    const g = new SyncRunGuard();
    feed([1, fast, fast, fast, fast], g);
    expect(feed([fast, SYNC_RUN_LONGEST_MS + 1], g)).toEqual([true, false]);
  });
});

describe('runPathOf in a process whose env logs to JS', () => {
  async function open(options?: SessionOptions): Promise<Session> {
    try {
      return await Session.create(tiny, options ? { options } : {});
    } finally {
      options?.release();
    }
  }

  it("keeps a session with ORT's default threads asynchronous (a sync run could deadlock)", async () => {
    const s = await open();
    try {
      const p = runPathOf(s);
      expect(p.sync).toBe(false);
      expect(runPathNote(p)).toMatch(/^asynchronous runs: ORT logs to JS in this process/);
    } finally {
      s.release();
    }
  });

  it('lets a single-threaded CPU session run synchronously while measured fast', async () => {
    const s = await open(SessionOptions.create({ ...SINGLE_THREADED_CPU }));
    try {
      const p = runPathOf(s);
      expect(p.sync).toBe(true);
      expect(runPathNote(p)).toMatch(/^synchronous runs while measured fast: a single-threaded/);
    } finally {
      s.release();
    }
  });
});
