import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchResult } from '../ipc/contract';
import { readResult, trustLines } from './bench-trust';

function result(id: string, over: Partial<BenchResult> = {}): BenchResult {
  return {
    id,
    modelId: 'm',
    modelName: 'resnet-mini.onnx',
    provider: 'webgpu',
    mode: 'iobinding',
    at: 0,
    status: 'ok',
    error: null,
    iterations: 3,
    batch: 1,
    latencyMs: null,
    throughput: 1000,
    itemsPerS: 1000,
    sessionCreateMs: { cold: 10, warm: 5, writeOptimized: 2 },
    firstInferenceMs: 1,
    power: null,
    tflops: null,
    samplesMs: [1, 2, 3],
    ...over,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-trust-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('readResult', () => {
  it('reads a --json result, or one result of an export named by #ID', async () => {
    const single = path.join(dir, 'a.json');
    await writeFile(single, JSON.stringify({ ...result('a'), model: '/x.onnx', notes: [] }));
    expect((await readResult(single)).id).toBe('a');
    const exported = path.join(dir, 'history.json');
    await writeFile(exported, JSON.stringify({ version: 1, results: [result('x'), result('y')] }));
    expect((await readResult(`${exported}#y`)).id).toBe('y');
    await expect(readResult(exported)).rejects.toThrow(
      /holds 2 results; name one as history\.json#ID \(x, y\)/,
    );
    await expect(readResult(`${exported}#z`)).rejects.toThrow(/holds 2 results/);
  });

  it('names the file and the problem when it is not a result', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"hello": 1}');
    await expect(readResult(bad)).rejects.toThrow(/bad\.json is not a benchmark result or export/);
    await expect(readResult(path.join(dir, 'missing.json'))).rejects.toThrow(
      /cannot read .*missing\.json/,
    );
  });
});

describe('trustLines', () => {
  it('prints the verdict, the energy, the split and the write time', () => {
    const lines = trustLines(
      result('a', {
        verdict: {
          state: 'throttled',
          reasons: ['GPU 0 reported sw_power_cap while measuring'],
          percentile: 'p90',
        },
        energy: {
          attributed: true,
          method: 'nvml-energy-counter',
          gpuIndex: 0,
          idleW: 90,
          activeW: 300,
          netW: 210,
          joulesPerInference: 0.21,
          note: "NVML's total-energy counter over the measure phase, minus the idle baseline (90.0 W) measured just before the run",
        },
        split: {
          h2dMs: 0.5,
          computeMs: 2,
          d2hMs: 0.25,
          h2dBytes: 602112,
          d2hBytes: 400,
          runs: 50,
          notes: [],
        },
      }),
    ).join('\n');
    expect(lines).toMatch(/verdict {3}throttled \(GPU 0 reported sw_power_cap while measuring\)/);
    expect(lines).toMatch(/energy {4}210\.000 mJ\/inference \(210\.0 W above idle 90\.0 W\)/);
    expect(lines).toMatch(
      /split {5}H2D 0\.5000 ms \(602112 bytes\) {2}compute 2\.000 ms {2}D2H 0\.2500 ms \(400 bytes\); medians of 50/,
    );
    expect(lines).toMatch(/writing ORT's optimized model 2\.000 ms/);
  });
});
