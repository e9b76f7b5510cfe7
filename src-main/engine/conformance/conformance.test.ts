// The runner over an in-memory engine host that speaks the real protocol: it computes Abs itself,
// and can die or hang on the cases named so, which shows the run's isolation without native code.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, type HostProcess, type SpawnHost } from '../host/engine-client';
import { PROTOCOL_VERSION, type FromHost, type ToHost } from '../host/protocol';
import type { HostTensor } from '../tensor';
import { ENGINE_CRASHED_REASON, runConformance } from './conformance';

const NODE_CASES = '/usr/share/libonnx-testdata/data/node';

/** A fake host: sessions over Abs models; a model under a folder ending `_crash` kills it, `_hang` never answers runs. */
function fakeHosts(): { spawn: SpawnHost; spawned: () => number } {
  let spawned = 0;
  const spawn: SpawnHost = () => {
    spawned++;
    const messageListeners: ((m: FromHost) => void)[] = [];
    const exitListeners: ((i: { code: number | null; signal: string | null }) => void)[] = [];
    const sessions = new Map<string, string>();
    let dead = false;
    const emit = (m: FromHost) =>
      setImmediate(() => !dead && messageListeners.forEach((l) => l(m)));
    const die = (signal: string) => {
      if (dead) return;
      dead = true;
      setImmediate(() => exitListeners.forEach((l) => l({ code: null, signal })));
    };
    emit({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      ortVersion: 'fake-1',
      libraryPath: '/fake',
      providers: [],
      pid: 1,
    });
    const proc: HostProcess = {
      send(msg: ToHost) {
        if (dead || msg.type !== 'request') return;
        const args = msg.args as {
          sessionId: string;
          modelPath?: string;
          inputs?: Record<string, HostTensor>;
        };
        if (msg.op === 'session.create') {
          if (path.dirname(args.modelPath ?? '').endsWith('_crash')) return die('SIGABRT');
          sessions.set(args.sessionId, args.modelPath ?? '');
          emit({
            type: 'response',
            id: msg.id,
            ok: true,
            value: {
              sessionId: args.sessionId,
              inputs: [],
              outputs: [],
              createMs: 0,
              provider: 'CPUExecutionProvider',
            },
          });
        } else if (msg.op === 'session.run') {
          if (path.dirname(sessions.get(args.sessionId) ?? '').endsWith('_hang')) return;
          const x = args.inputs?.x as HostTensor;
          const y: HostTensor = {
            dtype: x.dtype,
            dims: x.dims,
            data: (x.data as Float32Array).map(Math.abs),
          };
          emit({ type: 'response', id: msg.id, ok: true, value: { runMs: 0, tensors: { y } } });
        } else if (msg.op === 'session.release') {
          emit({
            type: 'response',
            id: msg.id,
            ok: true,
            value: { released: sessions.delete(args.sessionId) },
          });
        }
      },
      onMessage: (l) => void messageListeners.push(l),
      onExit: (l) => void exitListeners.push(l),
      kill: () => die('SIGKILL'),
    };
    return proc;
  };
  return { spawn, spawned: () => spawned };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-conformance-'));
  for (const name of ['test_abs', 'test_abs_crash', 'test_abs_hang', 'test_abs_zz_after']) {
    await cp(path.join(NODE_CASES, 'test_abs'), path.join(dir, name), { recursive: true });
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runConformance over an in-memory engine host', () => {
  it('fails a case whose host dies and a case that hangs, and goes on with the next on a new host', async () => {
    const hosts = fakeHosts();
    const engine = new EngineClient(hosts.spawn, { backoffMs: [1] });
    const seen: string[] = [];
    try {
      const report = await runConformance([dir], {
        provider: 'cpu',
        engine,
        perCaseTimeoutMs: 500,
        onCase: (c) => seen.push(c.name),
      });
      expect(report.cases.map((c) => [c.name, c.status])).toEqual([
        ['test_abs', 'passed'],
        ['test_abs_crash', 'failed'],
        ['test_abs_hang', 'failed'],
        ['test_abs_zz_after', 'passed'],
      ]);
      expect(report.cases[1]?.reason).toMatch(
        new RegExp(`^${ENGINE_CRASHED_REASON}: .*SIGABRT.* during session.create`),
      );
      expect(report.cases[2]?.reason).toMatch(
        /^test_data_set_0: timed out: session.run did not finish within/,
      );
      expect(report).toMatchObject({
        engine: 'crucible',
        provider: 'cpu',
        ortVersion: 'fake-1',
        passed: 2,
        failed: 2,
        skipped: 0,
      });
      expect(seen).toEqual(report.cases.map((c) => c.name));
      expect(hosts.spawned()).toBe(2);
    } finally {
      engine.close();
    }
  });

  it('runs one case folder given directly, and filters by name', async () => {
    const engine = new EngineClient(fakeHosts().spawn);
    try {
      const one = await runConformance([path.join(dir, 'test_abs')], { provider: 'cpu', engine });
      expect(one.cases.map((c) => c.name)).toEqual(['test_abs']);
      const filtered = await runConformance([dir], { provider: 'cpu', engine, filter: /zz/ });
      expect(filtered.cases.map((c) => [c.name, c.status])).toEqual([
        ['test_abs_zz_after', 'passed'],
      ]);
    } finally {
      engine.close();
    }
  });

  it('refuses a folder that holds no cases, naming it', async () => {
    const engine = new EngineClient(fakeHosts().spawn);
    try {
      await expect(
        runConformance([os.tmpdir() + '/no-such-dir-here'], { provider: 'cpu', engine }),
      ).rejects.toThrow(/does not exist/);
      await expect(
        runConformance([path.join(dir, 'test_abs', 'test_data_set_0')], {
          provider: 'cpu',
          engine,
        }),
      ).rejects.toThrow(/holds no ONNX test cases/);
    } finally {
      engine.close();
    }
  });
});
