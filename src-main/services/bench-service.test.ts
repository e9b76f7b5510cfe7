import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload, GpuSnapshot, ModelEntry } from '../ipc/contract';
import type { BenchFigures } from '../engine/bench/runner';
import {
  BenchService,
  benchCsv,
  CSV_COLUMNS,
  tflopsFigures,
  type BenchEngine,
} from './bench-service';
import { EventBus } from './events';
import type { GpuSource } from './services';
import { SessionOwner, type OwnerEngine } from './sessions';

function figures(over: Partial<BenchFigures> = {}): BenchFigures {
  return {
    status: 'ok',
    error: null,
    iterations: 100,
    batch: 2,
    latencyMs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4, max: 5, std: 0.5 },
    throughput: 500,
    itemsPerS: 1000,
    sessionCreateMs: { cold: 20, warm: 5 },
    firstInferenceMs: 9,
    samplesMs: [1, 2, 3],
    measureMs: 200,
    measureStartedAt: 0,
    notes: [],
    ...over,
  };
}

function snapshot(watts: number | null): GpuSnapshot {
  return {
    source: 'nvml',
    reason: null,
    driverVersion: '580.1',
    cudaDriverVersion: '13.0',
    sampledAt: 0,
    gpus: [{ powerDrawW: watts } as GpuSnapshot['gpus'][number]],
  };
}

/** A GPU that reads the given watts, one per watch tick, delivered when measuring starts. */
function gpuReading(watts: number[] | null): GpuSource & { watching: number } {
  const src = {
    watching: 0,
    snapshot: async () =>
      watts ? snapshot(watts[0] ?? 0) : { ...snapshot(null), source: 'none' as const, gpus: [] },
    watch: (_hz: number, listener: (s: GpuSnapshot) => void) => {
      src.watching++;
      for (const w of watts ?? []) listener(snapshot(w));
      return () => {
        src.watching--;
      };
    },
    close: () => undefined,
  };
  return src;
}

/** The engine host's answer to session.bench, with the phases the real host reports. */
function engineAnswering(f: BenchFigures): BenchEngine & { args: unknown[] } {
  const args: unknown[] = [];
  return {
    args,
    async request(_op, a, options) {
      args.push(a);
      for (const phase of ['session', 'warmup', 'measure', 'done'] as const) {
        options?.onProgress?.({ phase, done: 0, total: null });
      }
      return f;
    },
  };
}

const model: ModelEntry = {
  id: 'abc',
  name: 'mlp-tiny.onnx',
  path: '/models/mlp-tiny.onnx',
  builtIn: true,
  addedAt: 0,
  // The fields the service reads: the FLOP count, the weight bytes the session owner's memory
  // bound adds up (the library's schema guarantees both on every stored inspection), and the
  // inputs what a benchmark is fed is resolved against (services/inputs-check.ts); no other
  // field is read.
  inspection: {
    flops: { total: 2e9, byOp: {}, note: '' },
    sizeBytes: 1024,
    externalData: [],
    inputs: [{ name: 'x', kind: 'tensor', dtype: 'float32', shape: ['batch', 16] }],
  } as unknown as ModelEntry['inspection'],
  error: null,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-service-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/**
 * The session owner over an engine host that opens sessions (counted) and reports CUDA as not
 * available here.
 */
function ownerOf(created: unknown[]): SessionOwner {
  const engine = {
    async request(op: string, a: unknown) {
      if (op === 'session.create') {
        created.push(a);
        return {
          sessionId: 'x',
          inputs: [],
          outputs: [],
          createMs: 20,
          provider: 'CPU',
          runPath: { sync: false, reason: '' },
        };
      }
      return { released: true };
    },
    status: () => ({
      providers: [
        { id: 'cpu', available: true },
        {
          id: 'cuda',
          available: false,
          ortName: 'CUDAExecutionProvider',
          reason: 'CUDA is not installed',
        },
      ],
    }),
    onChange: () => () => undefined,
  } as unknown as OwnerEngine;
  return new SessionOwner(engine);
}

function service(
  engine: BenchEngine,
  gpu: GpuSource,
  bus = new EventBus(),
  created: unknown[] = [],
): BenchService {
  return new BenchService({
    storesDir: dir,
    engine,
    gpu,
    library: { get: (id) => (id === model.id ? model : undefined) },
    owner: ownerOf(created),
    bus,
  });
}

describe('power and TFLOP/s', () => {
  it('gives achieved TFLOP/s from the FLOP estimate, against the sourced peak of the GPU used', () => {
    expect(tflopsFigures(2e9, 500)).toEqual({
      achieved: 1,
      peak: null,
      peakWhat: 'no GPU peak: not a GPU-provider run',
    });
    expect(tflopsFigures(2e9, 500, { name: 'NVIDIA H200', precision: 'fp32' })).toMatchObject({
      achieved: 1,
      peak: 67,
      peakWhat: 'H200 SXM 141GB FP32 (non-tensor)',
      peakSource: expect.stringMatching(/^NVIDIA H200 Tensor Core GPU datasheet/),
    });
    expect(
      tflopsFigures(2e9, 500, { name: 'NVIDIA GeForce RTX 4090', precision: 'fp16' })?.peak,
    ).toBe(165.2);
    expect(
      tflopsFigures(2e9, 500, { name: 'NVIDIA GeForce RTX 4080 SUPER', precision: 'fp32' }),
    ).toMatchObject({
      peak: null,
      peakWhat: 'no sourced peak for NVIDIA GeForce RTX 4080 SUPER (engine/bench/peaks.ts)',
    });
    expect(tflopsFigures(null, 500)).toBeNull();
    expect(tflopsFigures(2e9, null)).toBeNull();
  });
});

describe('bench service', () => {
  it('runs, records and reloads the history; a CPU-provider run gets no GPU power or energy', async () => {
    const gpu = gpuReading([150, 250]);
    const engine = engineAnswering(figures());
    const bus = new EventBus();
    const progress: EventPayload<'bench:progress'>[] = [];
    bus.on('bench:progress', (p) => progress.push(p));
    const s = service(engine, gpu, bus);
    expect(await s.open()).toBeNull();
    const r = await s.run({ modelId: 'abc', provider: 'cpu', mode: 'iobinding', iterations: 100 });
    expect(r).toMatchObject({
      modelName: 'mlp-tiny.onnx',
      mode: 'iobinding',
      status: 'ok',
      // The GPU was busy, but the run used the CPU provider: the board's watts are not its own.
      power: null,
      energy: {
        attributed: false,
        note: 'GPU energy not attributed: the run used the CPU provider',
      },
      verdict: { state: expect.any(String) },
      tflops: { achieved: 1, peak: null },
      sessionCreateMs: { cold: 20, warm: 5 },
      // What it was fed: no plan, so the seeded fill, batch 1 by default (and why).
      inputs: {
        fed: [{ name: 'x', dtype: 'float32', dims: [1, 16] }],
        dimChoices: [{ input: 'x', index: 0, dim: 'batch', value: 1 }],
        replay: expect.arrayContaining(['--seed', '1']),
      },
    });
    expect(gpu.watching).toBe(0);
    expect(progress.map((p) => p.phase)).toEqual(['session', 'warmup', 'measure', 'done']);
    // The benchmark runs on the session the owner opened from the model's file.
    expect(engine.args[0]).toMatchObject({
      sessionId: 's1',
      mode: 'iobinding',
      iterations: 100,
      warmCreate: true,
    });
    expect(r.variant).toBe('original');

    const again = service(engine, gpu);
    await again.open();
    expect(again.history()).toEqual([r]);
    expect(again.history('other')).toEqual([]);
  });

  it('has no power figures without an NVIDIA GPU', async () => {
    const s = service(engineAnswering(figures()), gpuReading(null));
    await s.open();
    const r = await s.run({ modelId: 'abc', provider: 'cpu' });
    expect(r.power).toBeNull();
  });

  it('records a failed run with the figures it kept', async () => {
    const s = service(
      engineAnswering(
        figures({ status: 'failed', error: { code: 'ORT_ERROR', message: 'measure: boom' } }),
      ),
      gpuReading(null),
    );
    await s.open();
    const r = await s.run({ modelId: 'abc', provider: 'cpu' });
    expect(r.status).toBe('failed');
    expect(r.latencyMs?.p50).toBe(2);
    expect(s.history()[0]?.error?.message).toBe('measure: boom');
  });

  it('refuses unknown models and unavailable providers before any work', async () => {
    const engine = engineAnswering(figures());
    const created: unknown[] = [];
    const s = service(engine, gpuReading(null), new EventBus(), created);
    await s.open();
    await expect(s.run({ modelId: 'nope', provider: 'cpu' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(s.run({ modelId: 'abc', provider: 'cuda' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
    });
    // No compiled entry for the provider and dims: the compiled variant is not benchmarked.
    await expect(
      s.run({ modelId: 'abc', provider: 'cpu', variant: 'compiled' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(engine.args).toHaveLength(0);
    expect(created).toHaveLength(0);
  });

  it('answers a plan whose file is missing with the file named, before any work, recording nothing', async () => {
    const engine = engineAnswering(figures());
    const created: unknown[] = [];
    const s = service(engine, gpuReading(null), new EventBus(), created);
    await s.open();
    await expect(
      s.run({
        modelId: 'abc',
        provider: 'cpu',
        inputs: {
          sources: { x: { kind: 'file', path: '/nowhere/bench-input.npy' } },
          shapes: {},
          dims: {},
          fill: 'random',
          seed: 1,
          testData: null,
        },
      }),
    ).rejects.toThrow(/bench-input\.npy/);
    expect(engine.args).toHaveLength(0);
    expect(created).toHaveLength(0);
    expect(await s.history()).toHaveLength(0);
  });

  it('refuses a mode the provider cannot do before opening a session, and records it', async () => {
    const engine = engineAnswering(figures());
    const created: unknown[] = [];
    const s = service(engine, gpuReading(null), new EventBus(), created);
    await s.open();
    const r = await s.run({ modelId: 'abc', provider: 'cpu', mode: 'graph' });
    expect(r.status).toBe('unsupported');
    expect(r.error?.message).toMatch(/graph mode: CPU has no graph capture/);
    expect(created).toHaveLength(0);
    expect(engine.args).toHaveLength(0);
    expect(s.history()[0]?.status).toBe('unsupported');
  });

  it('keeps a damaged history file aside and starts empty', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'bench-history.json'), '{"version":1,"results":[{"id":1}]}');
    const s = service(engineAnswering(figures()), gpuReading(null));
    expect(await s.open()).toMatch(/Benchmark history was damaged/);
    expect(s.history()).toEqual([]);
  });

  it('exports CSV with one row per result and quoted cells, and JSON that parses back', async () => {
    const s = service(
      engineAnswering(
        figures({ status: 'failed', error: { code: 'ORT_ERROR', message: 'a, "b"' } }),
      ),
      gpuReading(null),
    );
    await s.open();
    await s.run({ modelId: 'abc', provider: 'cpu' });
    const csv = s.export('csv');
    expect(csv.mime).toBe('text/csv');
    expect(csv.fileName).toMatch(/^crucible-benchmarks-.*\.csv$/);
    const lines = csv.content.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]).toContain('"ORT_ERROR: a, ""b"""');
    expect(lines[1]).toContain(',mlp-tiny.onnx,abc,cpu,plain,failed,');
    // The verdict and the energy note travel with every row.
    const row = Object.fromEntries(
      CSV_COLUMNS.map((c, i) => [c, lines[1]?.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.[i]]),
    );
    expect(row.verdict).toMatch(/^(valid|noisy|throttled),$/);
    expect(row.energyNote).toBe('GPU energy not attributed: the run used the CPU provider,');
    const json = s.export('json');
    expect(JSON.parse(json.content).results).toEqual(s.history());
    const onDisk = JSON.parse(await readFile(path.join(dir, 'bench-history.json'), 'utf8'));
    expect(onDisk.results).toHaveLength(1);
    expect(benchCsv([])).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
});
