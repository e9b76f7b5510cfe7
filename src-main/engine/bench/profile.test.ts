import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initOrt } from '../ort/env';
import { parseOrtProfile, profileSpec, type ProfileEvent } from './profile';

initOrt({ logLevel: 'error' });

const MODELS = path.join(__dirname, '..', '..', '..', 'models');

describe('parseOrtProfile', () => {
  // The shape of ORT's profile: model_run per run, <node>_kernel_time per node per run.
  const run = (ts: number, dur: number): ProfileEvent => ({
    cat: 'Session',
    name: 'model_run',
    ts,
    dur,
  });
  const node = (
    name: string,
    op: string,
    ts: number,
    dur: number,
    provider = 'CPUExecutionProvider',
  ): ProfileEvent => ({
    cat: 'Node',
    name: `${name}_kernel_time`,
    ts,
    dur,
    args: { op_name: op, provider },
  });

  it('leaves the warm-up runs out and gives per-run means by node, provider and op type', () => {
    const events = [
      run(0, 1000),
      node('conv', 'Conv', 10, 900), // warm-up: left out
      run(2000, 500),
      node('conv', 'Conv', 2010, 300),
      node('relu', 'Relu', 2320, 100),
      node('fence', 'Relu', 2330, 5), // fences/other events without the suffix are ignored
      { cat: 'Node', name: 'conv_fence_before', ts: 2005, dur: 1 },
      run(3000, 500),
      node('conv', 'Conv', 3010, 500),
      node('relu', 'Relu', 3320, 100, 'WebGpuExecutionProvider'),
    ];
    const p = parseOrtProfile(events, 1, 0.6, 1);
    expect(p.runs).toBe(2);
    expect(p.ops[0]).toEqual({
      name: 'conv',
      opType: 'Conv',
      provider: 'CPUExecutionProvider',
      ms: 0.4,
    });
    // Beyond the top 1, the rest is one row, so the rows add up to every operator's time.
    expect(p.ops[1]?.name).toBe('(2 other operators)');
    expect(p.ops.reduce((a, o) => a + o.ms, 0)).toBeCloseTo(p.opsMs, 9);
    expect(p.opsMs).toBeCloseTo(0.4 + 0.1 + 0.0025, 9);
    expect(p.byOpType[0]).toEqual({ opType: 'Conv', ms: 0.4 });
  });

  it('fails clearly when no run is left after the warm-up', () => {
    expect(() => parseOrtProfile([run(0, 1)], 1, 1)).toThrow(/no model_run/);
  });
});

describe('profileSpec on the CPU (real ORT profile of a demo model)', () => {
  it('resnet-mini: the listed operators add up to within 10% of the run time ORT measured', async () => {
    const p = await profileSpec(
      { modelPath: path.join(MODELS, 'resnet-mini.onnx'), provider: 'cpu' },
      { warmup: 3, runs: 20 },
    );
    expect(p.runs).toBe(20);
    expect(p.ops.length).toBeGreaterThan(3);

    expect(p.byProvider.map((b) => b.provider)).toEqual(['CPUExecutionProvider']);
    const listed = p.ops.reduce((a, o) => a + o.ms, 0);
    // The kernels fill ORT's run (model_run): what is left is the executor's own work between
    // nodes. The wall time around the call also holds the worker-thread hop and, on a busy
    // machine, waits for a core, so it is reported beside (runMs), not the reference.
    expect(Math.abs(listed - p.ortRunMs) / p.ortRunMs).toBeLessThan(0.1);
    expect(p.runMs).toBeGreaterThanOrEqual(p.ortRunMs * 0.95);
  }, 60_000);
});
