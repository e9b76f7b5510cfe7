import { describe, expect, it } from 'vitest';
import { initOrt } from './env';
import type { OrtLogRecord } from './env';
import { RunOptions } from './run-options';
import { Session } from './session';
import { SessionOptions } from './session-options';
import { matmulChainModel } from './test-models';

// Created first in this process, so our logger is ORT's logger.
const env = initOrt({ logLevel: 'verbose' });

describe('the env logger', () => {
  it('delivers VERBOSE lines from session creation and runs, and nothing deadlocks', async () => {
    const lines: OrtLogRecord[] = [];
    const off = env.onLog((r) => lines.push(r));
    try {
      // Session creation and runs execute on koffi worker threads, so every line they log crosses
      // to the JS thread through koffi's relay; with intra/inter-op pools ORT threads log too.
      const so = SessionOptions.create({
        intraOpThreads: 2,
        interOpThreads: 2,
        logLevel: 'verbose',
      });
      const sessions = await Promise.all(
        [0, 1, 2, 3].map(() => Session.fromBytes(matmulChainModel(20, 64), { options: so })),
      );
      so.release();
      const x = { dtype: 'float32' as const, dims: [64, 64], data: new Float32Array(64 * 64) };
      const ro = RunOptions.create({ logLevel: 'verbose', tag: 'verbose-run' });
      await Promise.all(sessions.map((s) => s.run({ X: x }, undefined, ro)));
      ro.release();
      for (const s of sessions) s.release();
    } finally {
      off();
    }
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.some((l) => l.severity === 'verbose')).toBe(true);
    const first = lines[0];
    expect(first).toBeDefined();
    expect(typeof first?.message).toBe('string');
    expect(typeof first?.category).toBe('string');
    expect(typeof first?.codeLocation).toBe('string');
    expect(lines.some((l) => l.codeLocation.length > 0)).toBe(true);
    expect(lines.every((l) => l.tag === null)).toBe(true);
  });

  it("tags a session's lines when its options use the logger", async () => {
    const lines: OrtLogRecord[] = [];
    const off = env.onLog((r) => lines.push(r));
    const so = SessionOptions.create({ logTag: 42, logLevel: 'verbose', logId: 'tagged' });
    const s = await Session.fromBytes(matmulChainModel(2, 4), { options: so });
    so.release();
    s.release();
    off();
    const tagged = lines.filter((l) => l.tag === 42);
    expect(tagged.length).toBeGreaterThan(0);
    expect(tagged.some((l) => l.logid === 'tagged')).toBe(true);
  });

  it('changes the level; a listener that throws does not break ORT', async () => {
    env.setLogLevel('error');
    expect(env.logLevel).toBe('error');
    const lines: OrtLogRecord[] = [];
    const offBad = env.onLog(() => {
      throw new Error('listener bug');
    });
    const off = env.onLog((r) => lines.push(r));
    const s = await Session.fromBytes(matmulChainModel(2, 4));
    s.release();
    off();
    offBad();
    expect(lines.filter((l) => l.severity === 'verbose' || l.severity === 'info')).toEqual([]);
    env.setLogLevel('verbose');
  });

  it('returns the same env on later calls and applies a new level', () => {
    expect(initOrt({ logLevel: 'warning' })).toBe(env);
    expect(env.logLevel).toBe('warning');
    expect(env.version).toBe('1.30.0');
  });
});
