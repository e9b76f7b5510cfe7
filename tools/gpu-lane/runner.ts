/**
 * The GPU lane's command line (test-gpu.ts is its process entry): options, the no-GPU skip, the
 * commit, and the production wiring of lane.ts. Without an NVIDIA GPU it prints one "skipped" line
 * and exits 0, so it can sit in any test run; on a GPU host it runs every check, writes
 * report.json and summary.md to --out, and exits 1 when a check failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EngineClient, nodeChildSpawner } from '../../src-main/engine/host/engine-client';
import { runConformance } from '../../src-main/engine/conformance/conformance';
import { ProviderIdSchema } from '../../src-main/ipc/contract';
import { createGpuMonitor, type GpuMonitor } from '../../src-main/gpu/monitor';
import { measureSampleCost } from '../../src-main/gpu/sample-cost';
import { conformanceSubsetDirs, SYSTEM_CONFORMANCE_ROOT } from './conformance-subset';
import { execLaneCommand, runLane, type LaneDeps, type LaneOptions } from './lane';

const USAGE = `usage: test-gpu [--out DIR] [--runs N] [--warmup N] [--models DIR] [--conformance DIR] [--provider P]

  --out DIR          where report.json, summary.md and the raw outputs go (default gpu-lane-results)
  --runs N           timed runs per model and provider (default 50)
  --warmup N         untimed runs before them (default 5)
  --models DIR       the demo models and corpus.json (default: the bundle's or the repo's models/)
  --conformance DIR  a copy of ONNX's node test data (default: the bundle's, else ${SYSTEM_CONFORMANCE_ROOT})
  --provider P       the provider under test, compared against cpu (default webgpu)`;

/** The folder holding dist/, models/ and (in the bundle) conformance/ and BUNDLE.json. */
export function appRoot(dir: string = __dirname): string {
  return path.resolve(dir, '..', '..');
}

/**
 * The commit the code came from: BUNDLE.json (written at bundle time; the GPU host has no git),
 * else the checkout's .git, read as files (the lane runs no program but nvidia-smi).
 */
export function findCommit(root: string): string | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'BUNDLE.json'), 'utf8')) as {
      commit?: unknown;
    };
    if (typeof meta.commit === 'string' && meta.commit) return meta.commit;
  } catch {
    // Not a bundle: try the checkout.
  }
  try {
    const gitDir = path.join(root, '.git');
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    const loose = path.join(gitDir, ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    const packed = fs.readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
    return (
      packed
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`))
        ?.split(' ')[0] ?? null
    );
  } catch {
    return null;
  }
}

function positive(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} expects an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** Production wiring of the lane's dependencies. */
export function realDeps(root: string, out: (line: string) => void): LaneDeps {
  return {
    monitor: ({ nvmlOnly }) => createGpuMonitor(nvmlOnly ? { nvidiaSmiPath: false } : {}),
    engine: async () => {
      const script = path.join(root, 'dist', 'engine', 'engine-host.js');
      const engine = new EngineClient(nodeChildSpawner(script), { maxCrashesPerMinute: 1_000 });
      await engine.start();
      return engine;
    },
    runConformance: (dirs, o) => runConformance(dirs, o),
    measureSampleCost: (m: GpuMonitor, n: number) => measureSampleCost(m, n),
    exec: execLaneCommand,
    out,
  };
}

/**
 * Runs the lane from command-line arguments. `monitor` decides whether there is a GPU at all
 * (tests pass a stand-in); resolves with the exit code.
 */
export async function main(
  argv: string[],
  out: (line: string) => void = (l) => console.log(l),
  deps: (root: string) => LaneDeps = (root) => realDeps(root, out),
  probe: () => GpuMonitor = () => createGpuMonitor(),
  root: string = appRoot(),
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      models: { type: 'string' },
      conformance: { type: 'string' },
      provider: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const opts: LaneOptions = {
    outDir: path.resolve(values.out ?? 'gpu-lane-results'),
    modelsDir: path.resolve(values.models ?? path.join(root, 'models')),
    conformanceDirs: conformanceSubsetDirs(
      values.conformance ??
        (fs.existsSync(path.join(root, 'conformance', 'node'))
          ? path.join(root, 'conformance', 'node')
          : SYSTEM_CONFORMANCE_ROOT),
    ).filter((d) => fs.existsSync(d)),
    runs: positive('--runs', values.runs, 50),
    warmup: positive('--warmup', values.warmup, 5, 0),
    commit: findCommit(root),
    sampleCostSamples: 1000,
    gpuProvider: ProviderIdSchema.parse(values.provider ?? 'webgpu'),
    caseTimeoutMs: 20_000,
  };

  const monitor = probe();
  let snapshot;
  try {
    snapshot = await monitor.snapshot();
  } finally {
    monitor.close();
  }
  if (snapshot.source === 'none' || snapshot.gpus.length === 0) {
    out(
      `test:gpu: skipped — no NVIDIA GPU here (${snapshot.reason ?? 'the GPU monitor gave no reason'})`,
    );
    return 0;
  }

  out(
    `test:gpu: ${snapshot.gpus.map((g) => g.name).join(', ')} (driver ${snapshot.driverVersion ?? '?'}) → ${opts.outDir}`,
  );
  const report = await runLane(opts, deps(root));
  const t = report.totals;
  out(
    `test:gpu: ${t.pass} passed, ${t.fail} failed, ${t.skip} skipped — ${path.join(opts.outDir, 'summary.md')}`,
  );
  return t.ok ? 0 : 1;
}
