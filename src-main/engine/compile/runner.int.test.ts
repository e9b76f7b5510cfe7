// Compile deadlines against the real compile worker (dist/engine/compile-worker.js, built by the
// test setup): a model whose Loop runs for ever (2^62 iterations of an Add) compiles on CPU, then
// its warm-up run would pin a core for ever. Before the fix nothing stopped it and the compile
// queue stayed blocked behind it; now the warm-up has a timeout, and the job an overall deadline.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../cache/hash';
import { endlessLoopModel } from '../model/test-helpers';
import type { CompileSpec } from './protocol';
import { nodeWorkerSpawner, runCompileWorker } from './runner';

const worker = path.resolve(__dirname, '..', '..', '..', 'dist', 'engine', 'compile-worker.js');
let dir: string;
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-deadline-'));
  model = path.join(dir, 'endless.onnx');
  await writeFile(model, endlessLoopModel());
});

async function spec(extra: Partial<CompileSpec> = {}): Promise<CompileSpec> {
  const outDir = await mkdtemp(path.join(dir, 'job-'));
  return {
    jobId: 'j1',
    modelPath: model,
    modelSha256: await sha256File(model),
    provider: 'cpu',
    options: { dims: {}, dimRanges: {}, cudaGraph: false },
    providerOptions: {},
    outDir,
    epLibrary: null,
    ...extra,
  };
}

/** Settles `p` or fails after `ms`: the bug was a job that never ended. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

describe('compile deadlines', () => {
  it('the warm-up run of a near-endless Loop ends with ENGINE_TIMEOUT after its timeout', async () => {
    const phases: string[] = [];
    const started = Date.now();
    const err = await within(
      runCompileWorker(nodeWorkerSpawner(worker), await spec({ warmupTimeoutMs: 1500 }), {
        onPhase: (p) => phases.push(p),
      }).catch((e: unknown) => e),
      25_000,
    );
    expect(err).toMatchObject({
      code: 'ENGINE_TIMEOUT',
      message: expect.stringMatching(/warm-up run of .*endless\.onnx took longer than 1\.5 s/),
    });
    expect(phases).toContain('warmup');
    console.log(`warm-up timeout: ended after ${Date.now() - started} ms (limit 1500 ms)`);
  }, 30_000);

  it('past the overall deadline the worker is killed and the job says so, naming the phase', async () => {
    const err = await within(
      runCompileWorker(
        nodeWorkerSpawner(worker),
        await spec({ warmupTimeoutMs: 600_000 }),
        {},
        undefined,
        3000,
      ).catch((e: unknown) => e),
      25_000,
    );
    expect(err).toMatchObject({
      code: 'ENGINE_TIMEOUT',
      message: expect.stringMatching(
        /passed its deadline \(3 s\) during warmup: the compile process was stopped/,
      ),
    });
  }, 30_000);
});
