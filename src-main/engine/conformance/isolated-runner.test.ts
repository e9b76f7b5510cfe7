// Worker isolation with real child processes: a small worker script that passes every case, dies
// on the case named 'crash' and never answers the case named 'hang'.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWorkerSpawner, runIsolated, type WorkerHandle } from './isolated-runner';

const WORKER = `
process.on('message', (m) => {
  if (m.type !== 'case') return;
  if (m.ref.name === 'crash') process.kill(process.pid, 'SIGKILL');
  if (m.ref.name === 'hang') return;
  process.send({ type: 'result', case: { name: m.ref.name, dir: m.ref.dir, status: 'passed', reason: null, ms: 0 } });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', ortVersion: 'fixture' });
`;

let dir: string;
let script: string;
let broken: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-isolated-'));
  script = path.join(dir, 'worker.cjs');
  broken = path.join(dir, 'broken.cjs');
  await writeFile(script, WORKER);
  await writeFile(broken, 'process.exit(3);\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const refs = (...names: string[]) => names.map((name) => ({ name, dir: `/cases/${name}` }));

describe('runIsolated', () => {
  it('fails a case whose worker dies or hangs, and runs the next one in a new worker', async () => {
    let spawned = 0;
    const spawn = nodeWorkerSpawner(script, []);
    const counted = (): WorkerHandle => {
      spawned++;
      return spawn();
    };
    const { cases, ortVersion } = await runIsolated(refs('a', 'crash', 'b', 'hang', 'c'), {
      spawn: counted,
      timeoutMs: 1500,
      crashedWhat: 'onnxruntime-node',
    });
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ['a', 'passed'],
      ['crash', 'failed'],
      ['b', 'passed'],
      ['hang', 'failed'],
      ['c', 'passed'],
    ]);
    expect(cases[1]?.reason).toBe('onnxruntime-node crashed on this case (signal SIGKILL)');
    expect(cases[3]?.reason).toBe('timed out after 1.5 s; the worker was killed');
    expect(ortVersion).toBe('fixture');
    expect(spawned).toBe(3);
  });

  it('fails every case, and still goes through all of them, when the worker cannot start', async () => {
    const seen: string[] = [];
    const { cases } = await runIsolated(refs('a', 'b'), {
      spawn: nodeWorkerSpawner(broken, []),
      timeoutMs: 1000,
      crashedWhat: 'onnxruntime-node',
      onCase: (c) => seen.push(c.name),
    });
    expect(cases.map((c) => c.reason)).toEqual([
      'the onnxruntime-node worker exited before it was ready (exit code 3)',
      'the onnxruntime-node worker exited before it was ready (exit code 3)',
    ]);
    expect(seen).toEqual(['a', 'b']);
  });
});
