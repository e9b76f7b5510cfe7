// The benchmark runner inside the real engine host process (dist/engine/engine-host.js, built by
// the test setup), on the demo models and on a model that fails part-way through.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeChildSpawner } from '../host/engine-client';
import type { BenchProgress } from '../host/protocol';

const root = path.resolve(__dirname, '..', '..', '..');
const hostScript = path.join(root, 'dist', 'engine', 'engine-host.js');
const tiny = path.join(root, 'models', 'mlp-tiny.onnx');

let engine: EngineClient;
let dir: string;
let nextId = 1;

/** Opens a session in the host (as the main side's session owner does) and returns its id. */
async function open(
  modelPath: string,
  more: { dims?: Record<string, number>; graphCapture?: boolean } = {},
): Promise<string> {
  const sessionId = `bench-test-${nextId++}`;
  await engine.request('session.create', { sessionId, modelPath, provider: 'cpu', ...more });
  return sessionId;
}

/**
 * y = Gather(x[1], Cast(Floor(RandomUniform(low 0, high 1.02, seed)))): the index is 1 — out of
 * bounds — in about 2% of runs, so the model fails after some successful runs. ORT's kernel keeps
 * one seeded generator per session, so the failing iteration is the same on every machine.
 */
function failingModel(): Uint8Array {
  const f32 = onnx.TensorProto.DataType.FLOAT;
  const vi = (name: string, elemType: number): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimValue: 1 }] } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'crucible-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'fails_sometimes',
      node: [
        {
          opType: 'RandomUniform',
          output: ['r'],
          attribute: [
            { name: 'shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] },
            { name: 'low', type: onnx.AttributeProto.AttributeType.FLOAT, f: 0 },
            { name: 'high', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1.02 },
            { name: 'seed', type: onnx.AttributeProto.AttributeType.FLOAT, f: 7 },
          ],
        },
        { opType: 'Floor', input: ['r'], output: ['f'] },
        {
          opType: 'Cast',
          input: ['f'],
          output: ['i'],
          attribute: [
            {
              name: 'to',
              type: onnx.AttributeProto.AttributeType.INT,
              i: onnx.TensorProto.DataType.INT64,
            },
          ],
        },
        { opType: 'Gather', input: ['x', 'i'], output: ['y'] },
      ],
      input: [vi('x', f32)],
      output: [vi('y', f32)],
    },
  }).finish();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-test-'));
  engine = new EngineClient(nodeChildSpawner(hostScript), { backoffMs: [10] });
  await engine.start();
});
afterAll(async () => {
  engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe('session.bench in the engine host', () => {
  it('measures a count of plain runs with every figure and reports its phases', async () => {
    const phases: BenchProgress['phase'][] = [];
    const r = await engine.request(
      'session.bench',
      { sessionId: await open(tiny), mode: 'plain', iterations: 200, warmup: 5 },
      { onProgress: (p) => phases.push(p.phase) },
    );
    expect(r.status).toBe('ok');
    expect(r.error).toBeNull();
    expect(r.iterations).toBe(200);
    expect(r.batch).toBe(1);
    expect(r.samplesMs).toHaveLength(200);
    const l = r.latencyMs;
    expect(l).not.toBeNull();
    expect(l!.min).toBeGreaterThan(0);
    expect(l!.min).toBeLessThanOrEqual(l!.p50);
    expect(l!.p50).toBeLessThanOrEqual(l!.p90);
    expect(l!.p90).toBeLessThanOrEqual(l!.p99);
    expect(l!.p99).toBeLessThanOrEqual(l!.max);
    expect(r.throughput).toBeCloseTo((200 * 1000) / r.measureMs, 6);
    expect(r.itemsPerS).toBe(r.throughput);
    expect(r.sessionCreateMs.cold).toBeGreaterThan(0);
    expect(r.sessionCreateMs.warm).toBeGreaterThan(0);
    expect(r.firstInferenceMs).toBeGreaterThan(0);
    expect(phases[0]).toBe('session');
    expect(phases).toContain('warmup');
    expect(phases).toContain('measure');
    expect(phases.at(-1)).toBe('done');
  });

  it('runs IO binding with outputs pre-allocated and reused', async () => {
    const r = await engine.request('session.bench', {
      sessionId: await open(tiny),
      mode: 'iobinding',
      iterations: 100,
      warmup: 2,
      warmCreate: false,
    });
    expect(r.status).toBe('ok');
    expect(r.iterations).toBe(100);
    expect(r.sessionCreateMs.warm).toBeNull();
    expect(r.notes.join('\n')).toMatch(/outputs pre-allocated in CPU memory and reused/);
  });

  it('counts items per second by the batch', async () => {
    const r = await engine.request('session.bench', {
      sessionId: await open(path.join(root, 'models', 'resnet-mini.onnx'), { dims: { batch: 2 } }),
      iterations: 2,
      warmup: 0,
      warmCreate: false,
    });
    expect(r.status).toBe('ok');
    expect(r.batch).toBe(2);
    expect(r.itemsPerS).toBeCloseTo((r.throughput ?? 0) * 2, 9);
  });

  it('times a warm creation for a model with external data too', async () => {
    const r = await engine.request('session.bench', {
      sessionId: await open(path.join(root, 'models', 'with-external-data', 'model.onnx')),
      iterations: 3,
      warmup: 0,
    });
    expect(r.status).toBe('ok');
    expect(r.sessionCreateMs.warm).toBeGreaterThan(0);
  });

  it('says graph mode is unsupported on the CPU instead of running another way', async () => {
    const r = await engine.request('session.bench', {
      sessionId: await open(tiny),
      mode: 'graph',
      iterations: 10,
    });
    expect(r.status).toBe('unsupported');
    expect(r.error?.code).toBe('UNSUPPORTED');
    expect(r.iterations).toBe(0);
    expect(r.sessionCreateMs.cold).toBeNull();
  });

  it('keeps the figures gathered before a model fails mid-run', async () => {
    const file = path.join(dir, 'fails-sometimes.onnx');
    await writeFile(file, failingModel());
    const r = await engine.request('session.bench', {
      sessionId: await open(file),
      iterations: 100_000,
      warmup: 0,
    });
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(/^measure: .*out of data bounds/s);
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.iterations).toBeLessThan(100_000);
    expect(r.latencyMs).not.toBeNull();
    expect(r.samplesMs.length).toBe(Math.min(r.iterations, 2000));
    expect(r.throughput).not.toBeNull();
    expect(r.firstInferenceMs).not.toBeNull();
  });

  it('stops when cancelled and keeps what it measured', async () => {
    const controller = new AbortController();
    const pending = engine.request(
      'session.bench',
      { sessionId: await open(tiny), durationS: 60, warmup: 0, warmCreate: false },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'measure' && p.done > 0) controller.abort();
        },
      },
    );
    const r = await pending;
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('CANCELLED');
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.measureMs).toBeLessThan(60_000);
  });

  it('reuses a kept benchmark until it is released', async () => {
    const sessionId = await open(tiny);
    const args = {
      sessionId,
      iterations: 10,
      warmup: 0,
      warmCreate: false,
      keepAs: 'kept-1',
    };
    const first = await engine.request('session.bench', args);
    const second = await engine.request('session.bench', args);
    expect(first.sessionCreateMs.cold).not.toBeNull();
    expect(second.sessionCreateMs.cold).toBeNull();
    expect(second.notes.join('\n')).toMatch(/reused/);
    expect(await engine.request('session.release', { sessionId: 'kept-1' })).toEqual({
      released: true,
    });
    const third = await engine.request('session.bench', args);
    expect(third.sessionCreateMs.cold).not.toBeNull();
    expect(third.notes.join('\n')).not.toMatch(/reused/);
    // Releasing the session releases what was kept on it too.
    await engine.request('session.release', { sessionId });
    expect(await engine.request('session.release', { sessionId: 'kept-1' })).toEqual({
      released: false,
    });
  });

  it('benchmarks only a session the host holds', async () => {
    await expect(
      engine.request('session.bench', { sessionId: 'no-such-session', iterations: 1 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
