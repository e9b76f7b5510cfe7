/**
 * `npm run bench`: Crucible's engine against onnxruntime-node's JS API, on the same provider, in
 * the same run, alternating round by round, printing every figure and the median ratio.
 *
 *   node dist/bench/bench.js [--provider cpu] [--rounds N] [--quick] [--small]
 *
 * 1. Event-loop lag of this process (it plays the main process) while a compile-like load (a
 *    second engine host saving optimized models over and over) and a benchmark run through the
 *    engine host: p99 of perf_hooks.monitorEventLoopDelay, target < 16 ms.
 * 2. The GPU monitor's one-sample cost (median of 1,000).
 * 3. Per-inference latency, plain mode vs onnxruntime-node, on a compute-bound model
 *    (models/resnet-mini.onnx) and an overhead-bound one (models/mlp-tiny.onnx); IO-binding mode
 *    too on the tiny one. Target: plain ratio <= 1.02 on both; IO binding faster than both.
 * 4. Per-call overhead on small models shaped like real ones (models/small-models.ts): an If-node
 *    head and a 512-wide MLP (~0.79 MFLOPs), ORT's default threads on both sides. Target: plain
 *    ratio <= 1.05. `--small` runs only these rows.
 * 5. Session creation, cold (from the .onnx, saving the optimized model) and warm (from that
 *    optimized model), both engines.
 *
 * onnxruntime-node is loaded only after step 1, so the lag measured is that of a process that
 * holds no ORT, like the app's main process. The ORT timing loops of Crucible's engine run inside
 * its engine host (no IPC in the measured path); onnxruntime-node's run here, in this process,
 * timed the same way (performance.now() around one awaited run).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type * as Ort from 'onnxruntime-node';
import type { ProviderId } from '../../src-main/ipc/contract';
import { median, latencyStats } from '../../src-main/engine/bench/stats';
import { EngineClient, nodeChildSpawner } from '../../src-main/engine/host/engine-client';
import type { OpArgsIn } from '../../src-main/engine/host/protocol';
import { inspectModel } from '../../src-main/engine/model/inspect';
import { emptyPlan, resolveInputs } from '../../src-main/engine/model/input-sources';
import { createGpuMonitor } from '../../src-main/gpu/monitor';
import { measureSampleCost } from '../../src-main/gpu/sample-cost';
import { toErrorData } from '../../src-main/shared/errors';
import { ifHeadModel, mlp512Model } from '../../models/small-models';

const root = path.resolve(__dirname, '..', '..');
const hostScript = path.join(__dirname, '..', 'engine', 'engine-host.js');

interface Options {
  provider: ProviderId;
  rounds: number;
  quick: boolean;
  /** Only the small real-model-shaped rows (per-call overhead), skipping the rest. */
  small: boolean;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { provider: 'cpu', rounds: 7, quick: false, small: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--provider') opts.provider = argv[++i] as ProviderId;
    else if (a === '--rounds') opts.rounds = Number(argv[++i]);
    else if (a === '--quick') opts.quick = true;
    else if (a === '--small') opts.small = true;
    else throw new Error(`bench: unknown option ${a}`);
  }
  if (!Number.isSafeInteger(opts.rounds) || opts.rounds < 1) throw new Error('bench: --rounds N');
  return opts;
}

/** onnxruntime-node's provider names for Crucible's ids (those its JS API has). */
const ORT_JS_PROVIDER: Partial<Record<ProviderId, string>> = {
  cpu: 'cpu',
  webgpu: 'webgpu',
  cuda: 'cuda',
  dml: 'dml',
};

const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(2) : ms >= 0.1 ? ms.toFixed(3) : ms.toFixed(4));

/**
 * Opens a session in the engine host for `session.bench` (which takes a session id). This script
 * measures the engine host itself, so it talks to it directly rather than through the app's
 * session owner (services/sessions.ts).
 */
async function openIn(
  engine: EngineClient,
  sessionId: string,
  model: string,
  provider: ProviderId,
): Promise<string> {
  await engine.request('session.create', { sessionId, modelPath: model, provider });
  return sessionId;
}

function line(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const models = {
    compute: path.join(root, 'models', 'resnet-mini.onnx'),
    tiny: path.join(root, 'models', 'mlp-tiny.onnx'),
  };
  line(
    `crucible bench — provider ${opts.provider}, ${opts.rounds} rounds, ${os.cpus().length} CPUs`,
  );
  const engine = new EngineClient(nodeChildSpawner(hostScript));
  await engine.start();
  line(`engine host: ORT ${engine.status().ortVersion} (${engine.status().libraryPath})`);
  try {
    if (opts.small) {
      const ort = (await import('onnxruntime-node')) as typeof Ort;
      line(`onnxruntime-node: ${ort.env.versions.node ?? ort.env.versions.common}`);
      await smallModelRows(engine, ort, opts);
      return;
    }
    await eventLoopLag(engine, models.compute, opts);
    await sampleCost();
    const ort = (await import('onnxruntime-node')) as typeof Ort;
    line(`onnxruntime-node: ${ort.env.versions.node ?? ort.env.versions.common}`);
    const compute = await compareRuns(engine, ort, models.compute, opts, {
      iterations: opts.quick ? 5 : 20,
      warmup: 3,
      modes: ['plain'],
    });
    const tiny = await compareRuns(engine, ort, models.tiny, opts, {
      iterations: opts.quick ? 300 : 2000,
      warmup: 200,
      modes: ['plain', 'iobinding'],
    });
    const small = await smallModelRows(engine, ort, opts);
    await compareCreation(engine, ort, models.compute, opts);
    line('');
    line('targets');
    verdict('plain / onnxruntime-node, compute-bound (resnet-mini) <= 1.02', compute.plain, 1.02);
    verdict('plain / onnxruntime-node, overhead-bound (mlp-tiny) <= 1.02', tiny.plain, 1.02);
    verdict('iobinding / onnxruntime-node, mlp-tiny < 1', tiny.iobinding, 1);
    verdict('plain / onnxruntime-node, If-node head <= 1.05', small.ifHead, 1.05);
    verdict('plain / onnxruntime-node, 512-wide MLP (0.79 MFLOPs) <= 1.05', small.mlp512, 1.05);
    if (tiny.iobinding !== undefined && tiny.plain !== undefined) {
      verdict('iobinding / plain, mlp-tiny < 1', tiny.iobinding / tiny.plain, 1, true);
    }
  } finally {
    engine.close();
  }
}

function verdict(what: string, ratio: number | undefined, limit: number, strict = false): void {
  if (ratio === undefined) return line(`  ${what}: not measured`);
  const ok = strict || limit === 1 ? ratio < limit : ratio <= limit;
  line(`  ${ok ? 'MET   ' : 'MISSED'} ${what}: ${ratio.toFixed(3)}`);
}

/** Step 1: this process's event loop while the engine works. */
async function eventLoopLag(engine: EngineClient, model: string, opts: Options): Promise<void> {
  line('');
  line('event-loop lag of this (main-like) process during a compile-like load and a benchmark');
  const compiler = new EngineClient(nodeChildSpawner(hostScript));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-lag-'));
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let compiles = 0;
  let progress = 0;
  try {
    await compiler.start();
    histogram.enable();
    let stop = false;
    const compileLoad = (async () => {
      // ORT's offline optimisation saved to disk: what "compile" is for CPU and WebGPU.
      while (!stop) {
        const id = `compile-${compiles}`;
        await compiler.request('session.create', {
          sessionId: id,
          modelPath: model,
          provider: opts.provider,
          optimizedModelPath: path.join(dir, `${id}.onnx`),
        });
        await compiler.request('session.release', { sessionId: id });
        await compiler.request('model.inspect', { path: model });
        compiles++;
      }
    })();
    const bench = await engine.request(
      'session.bench',
      {
        sessionId: await openIn(engine, 'lag', model, opts.provider),
        mode: 'plain',
        durationS: opts.quick ? 2 : 6,
        warmup: 2,
        warmCreate: true,
      },
      { timeoutMs: 600_000, onProgress: () => progress++ },
    );
    stop = true;
    await compileLoad;
    histogram.disable();
    const p99 = histogram.percentile(99) / 1e6;
    line(
      `  benchmark: ${bench.status}, ${bench.iterations} iterations, p50 ${fmt(bench.latencyMs?.p50 ?? NaN)} ms; ` +
        `compile-like loads finished: ${compiles}; progress messages: ${progress}`,
    );
    line(
      `  event-loop delay: p50 ${fmt(histogram.percentile(50) / 1e6)} ms, p99 ${fmt(p99)} ms, max ${fmt(histogram.max / 1e6)} ms` +
        ` (monitorEventLoopDelay, resolution 1 ms: each figure includes that 1 ms period) — target p99 < 16 ms: ${p99 < 16 ? 'MET' : 'MISSED'}`,
    );
  } finally {
    compiler.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Step 2: what one GPU reading costs. */
async function sampleCost(): Promise<void> {
  line('');
  const monitor = createGpuMonitor();
  try {
    const cost = await measureSampleCost(monitor, 1000);
    line(
      `GPU monitor one-sample cost (source ${cost.source}): median ${fmt(cost.medianMs)} ms, p90 ${fmt(cost.p90Ms)} ms, first ${fmt(cost.firstMs)} ms, n=${cost.samples}`,
    );
  } finally {
    monitor.close();
  }
}

interface CompareSpec {
  iterations: number;
  warmup: number;
  modes: ('plain' | 'iobinding')[];
}

/** onnxruntime-node's session on the same model, inputs and provider. */
async function ortSession(
  ort: typeof Ort,
  model: string,
  provider: ProviderId,
  extra: Ort.InferenceSession.SessionOptions = {},
): Promise<Ort.InferenceSession> {
  const ep = ORT_JS_PROVIDER[provider];
  if (!ep) throw new Error(`onnxruntime-node's JS API has no ${provider} provider`);
  return ort.InferenceSession.create(model, { executionProviders: [ep], ...extra });
}

/** One onnxruntime-node block: warm-up, then `n` timed runs; per-run latencies in ms. */
async function ortBlock(
  session: Ort.InferenceSession,
  feeds: Record<string, Ort.Tensor>,
  n: number,
  warmup: number,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Step 3: per-inference latency, alternating engines every round; returns median ratios. */
async function compareRuns(
  engine: EngineClient,
  ort: typeof Ort,
  model: string,
  opts: Options,
  spec: CompareSpec,
): Promise<Partial<Record<'plain' | 'iobinding', number>>> {
  const name = path.basename(model);
  line('');
  line(
    `${name}: ${spec.iterations} timed runs per engine per round (+${spec.warmup} warm-up), p50 per round in ms`,
  );
  const inspection = await inspectModel(model);
  // The inputs the engine host's benchmark feeds (input-sources: a rate input gets 16000).
  const hostInputs = (await resolveInputs({ path: model, inputs: inspection.inputs }, emptyPlan()))
    .tensors;
  const feeds = Object.fromEntries(
    Object.entries(hostInputs).map(([n, t]) => [
      n,
      new ort.Tensor(t.dtype as Ort.Tensor.Type, t.data as Float32Array | BigInt64Array, t.dims),
    ]),
  );
  const session = await ortSession(ort, model, opts.provider);
  const p50s: Record<string, number[]> = { ort: [] };
  const ratios: Record<string, number[]> = {};
  for (const m of spec.modes) {
    p50s[m] = [];
    ratios[m] = [];
  }
  try {
    for (let r = 0; r < opts.rounds; r++) {
      const round: Record<string, number> = {};
      // Alternate who goes first, so drift (thermal, other tenants) does not favour one side.
      const order: ('ort' | 'plain' | 'iobinding')[] =
        r % 2 === 0 ? ['ort', ...spec.modes] : [...spec.modes].reverse();
      if (r % 2 === 1) order.push('ort');
      for (const who of order) {
        if (who === 'ort') {
          const samples = await ortBlock(
            session,
            feeds,
            spec.iterations,
            r === 0 ? spec.warmup : 5,
          );
          round.ort = latencyStats(samples)?.p50 ?? NaN;
        } else {
          const sessionId = `bench-${name}-${who}-session`;
          if (r === 0) await openIn(engine, sessionId, model, opts.provider);
          const args: OpArgsIn<'session.bench'> = {
            sessionId,
            mode: who,
            iterations: spec.iterations,
            warmup: r === 0 ? spec.warmup : 5,
            warmCreate: false,
            keepAs: `bench-${name}-${who}`,
            maxSamples: 0,
          };
          const res = await engine.request('session.bench', args, { timeoutMs: 600_000 });
          if (res.status !== 'ok') {
            throw new Error(`${name} ${who}: ${res.status}: ${res.error?.message ?? ''}`);
          }
          round[who] = res.latencyMs?.p50 ?? NaN;
        }
      }
      p50s.ort?.push(round.ort as number);
      const parts = [`ort-node ${fmt(round.ort as number)}`];
      for (const m of spec.modes) {
        p50s[m]?.push(round[m] as number);
        const ratio = (round[m] as number) / (round.ort as number);
        ratios[m]?.push(ratio);
        parts.push(`crucible ${m} ${fmt(round[m] as number)} (×${ratio.toFixed(3)})`);
      }
      line(`  round ${r + 1}: ${parts.join(', ')}`);
    }
  } finally {
    await session.release();
    for (const m of spec.modes) {
      await engine
        .request('session.release', { sessionId: `bench-${name}-${m}` })
        .catch(() => undefined);
    }
  }
  const result: Partial<Record<'plain' | 'iobinding', number>> = {};
  const summary = [`ort-node ${fmt(median(p50s.ort ?? []))}`];
  for (const m of spec.modes) {
    const ratio = median(ratios[m] ?? []);
    result[m] = ratio;
    summary.push(`crucible ${m} ${fmt(median(p50s[m] ?? []))} (median ratio ×${ratio.toFixed(3)})`);
  }
  line(`  median p50: ${summary.join(', ')}`);
  return result;
}

/** Step 4: session creation cold and warm, both engines, alternating. */
async function compareCreation(
  engine: EngineClient,
  ort: typeof Ort,
  model: string,
  opts: Options,
): Promise<void> {
  line('');
  line(
    `${path.basename(model)}: session creation, cold (from the .onnx, saving the optimized model) and warm (from it), ms`,
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-create-'));
  const rows: { c: number; w: number; oc: number; ow: number }[] = [];
  try {
    for (let r = 0; r < opts.rounds; r++) {
      // A fresh session each round: its creation is the cold figure.
      const sessionId = await openIn(engine, `create-${r}`, model, opts.provider);
      const res = await engine.request(
        'session.bench',
        { sessionId, iterations: 1, warmup: 0, warmCreate: true },
        { timeoutMs: 600_000 },
      );
      await engine.request('session.release', { sessionId });
      const optimized = path.join(dir, `ort-${r}.onnx`);
      let t0 = performance.now();
      const cold = await ortSession(ort, model, opts.provider, {
        optimizedModelFilePath: optimized,
      });
      const oc = performance.now() - t0;
      await cold.release();
      t0 = performance.now();
      const warm = await ortSession(ort, optimized, opts.provider, {
        graphOptimizationLevel: 'disabled',
      });
      const ow = performance.now() - t0;
      await warm.release();
      const row = {
        c: res.sessionCreateMs.cold ?? NaN,
        w: res.sessionCreateMs.warm ?? NaN,
        oc,
        ow,
      };
      rows.push(row);
      line(
        `  round ${r + 1}: crucible cold ${fmt(row.c)} warm ${fmt(row.w)}; ort-node cold ${fmt(oc)} warm ${fmt(ow)}` +
          `; first inference (crucible) ${fmt(res.firstInferenceMs ?? NaN)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const m = (k: 'c' | 'w' | 'oc' | 'ow') => median(rows.map((x) => x[k]));
  line(
    `  median: crucible cold ${fmt(m('c'))} warm ${fmt(m('w'))} (×${(m('c') / m('w')).toFixed(2)} faster warm); ` +
      `ort-node cold ${fmt(m('oc'))} warm ${fmt(m('ow'))}; ratio crucible/ort-node cold ×${median(rows.map((x) => x.c / x.oc)).toFixed(3)}, warm ×${median(rows.map((x) => x.w / x.ow)).toFixed(3)}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${toErrorData(err).message}\n`);
  if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});

/**
 * Per-call overhead on small models shaped like real ones (models/small-models.ts): an If-node
 * head and a 512-wide MLP. Written to a temp folder, compared with onnxruntime-node like mlp-tiny.
 * Target: ratio <= 1.05.
 */
async function smallModelRows(
  engine: EngineClient,
  ort: typeof Ort,
  opts: Options,
): Promise<{ ifHead?: number; mlp512?: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-bench-small-'));
  try {
    const ifHead = path.join(dir, 'if-head.onnx');
    const over = path.join(dir, 'mlp-512.onnx');
    await writeFile(ifHead, ifHeadModel());
    await writeFile(over, mlp512Model());
    const spec = { iterations: opts.quick ? 300 : 2000, warmup: 200, modes: ['plain' as const] };
    const a = await compareRuns(engine, ort, ifHead, opts, spec);
    const b = await compareRuns(engine, ort, over, opts, spec);
    return { ifHead: a.plain, mlp512: b.plain };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
