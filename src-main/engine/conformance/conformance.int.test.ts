// Real ONNX test cases through the real engine host (dist/engine/engine-host.js) and through the
// onnxruntime-node baseline (its worker bundled fresh from baseline.ts), on copies of a few cases
// from Debian's libonnx-testdata: one corrupted, one that aborts the host.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTensorFile, writeTensorFile } from '../model/tensor-files';
import { EngineClient, nodeChildSpawner, type SpawnHost } from '../host/engine-client';
import { runBaseline, runBaselineCli } from './baseline-run';
import { runConformanceCli } from '../../cli/commands/conformance';
import { ENGINE_CRASHED_REASON, runConformance } from './conformance';
import { nodeWorkerSpawner } from './isolated-runner';
import { diffReports, type ConformanceReport } from './report';

const root = path.resolve(__dirname, '..', '..', '..');
const hostScript = path.join(root, 'dist', 'engine', 'engine-host.js');
const NODE_CASES = '/usr/share/libonnx-testdata/data/node';
const COPIED = [
  'test_abs',
  'test_add_bcast',
  'test_cast_BFLOAT16_to_FLOAT',
  'test_cast_STRING_to_FLOAT',
  'test_identity_sequence',
];

let dir: string;
let baselineScript: string;
let engine: EngineClient;
let spawned = 0;

/** The real host, except that creating a session for a model under `*_crash_here` aborts it instead. */
const crashingSpawner = (): SpawnHost => {
  const real = nodeChildSpawner(hostScript);
  return () => {
    spawned++;
    const proc = real();
    return {
      ...proc,
      send: (msg) => {
        const modelPath =
          msg.type === 'request' ? (msg.args as { modelPath?: string }).modelPath : undefined;
        if (
          msg.type === 'request' &&
          msg.op === 'session.create' &&
          modelPath?.includes('_crash_here')
        ) {
          proc.send({ ...msg, op: 'host.crash', args: { how: 'abort' } });
        } else {
          proc.send(msg);
        }
      },
    };
  };
};

const lines = () => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) },
  };
};

beforeAll(async () => {
  if (!existsSync(hostScript))
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--quiet']);
  dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-conformance-int-'));
  for (const name of COPIED)
    await cp(path.join(NODE_CASES, name), path.join(dir, name), { recursive: true });
  await cp(path.join(NODE_CASES, 'test_abs'), path.join(dir, 'test_abs_crash_here'), {
    recursive: true,
  });
  const corrupted = path.join(dir, 'test_abs_corrupted');
  await cp(path.join(NODE_CASES, 'test_abs'), corrupted, { recursive: true });
  const out = path.join(corrupted, 'test_data_set_0', 'output_0.pb');
  const { name, tensor } = await readTensorFile(out);
  (tensor.data as Float32Array)[7] = -1;
  await writeTensorFile(out, tensor, { overwrite: true, name });

  // Bundled inside node_modules so the worker resolves onnxruntime-node from the repo.
  const cacheDir = path.join(
    root,
    'node_modules',
    '.cache',
    `crucible-conformance-test-${process.pid}`,
  );
  await mkdir(cacheDir, { recursive: true });
  baselineScript = path.join(cacheDir, 'conformance-baseline.js');
  await build({
    entryPoints: [path.join(__dirname, 'baseline.ts')],
    outfile: baselineScript,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['onnxruntime-node', 'koffi'],
    logLevel: 'warning',
  });

  engine = new EngineClient(crashingSpawner(), { backoffMs: [10] });
});

afterAll(async () => {
  engine?.close();
  await rm(dir, { recursive: true, force: true });
  if (baselineScript) await rm(path.dirname(baselineScript), { recursive: true, force: true });
});

const statuses = (r: ConformanceReport) =>
  Object.fromEntries(r.cases.map((c) => [c.name, c.status]));

describe('conformance on real cases', () => {
  let crucible: ConformanceReport;
  let baseline: ConformanceReport;

  it('Crucible: passes the good cases, fails the corrupted and the crashing one, skips the sequence, and goes on', async () => {
    crucible = await runConformance([dir], { provider: 'cpu', engine });
    expect(statuses(crucible)).toEqual({
      test_abs: 'passed',
      test_abs_corrupted: 'failed',
      test_abs_crash_here: 'failed',
      test_add_bcast: 'passed',
      test_cast_BFLOAT16_to_FLOAT: 'passed',
      test_cast_STRING_to_FLOAT: 'passed',
      test_identity_sequence: 'skipped',
    });
    const reason = (name: string) => crucible.cases.find((c) => c.name === name)?.reason;
    expect(reason('test_abs_corrupted')).toMatch(
      /^test_data_set_0: output 'y': value at \[0, 1, 2\] \(flat 7\): expected -1, got [0-9.]+ \(\|diff\| [0-9.]+ > [0-9.e-]+\); 1 of 60 values differ$/,
    );
    expect(reason('test_abs_crash_here')).toMatch(
      new RegExp(`^${ENGINE_CRASHED_REASON}: .*SIGABRT`),
    );
    expect(reason('test_identity_sequence')).toMatch(/^input 'x' is a sequence/);
    expect(crucible).toMatchObject({
      engine: 'crucible',
      ortVersion: '1.30.0',
      passed: 4,
      failed: 2,
      skipped: 1,
    });
    expect(spawned).toBe(2);
  });

  it('baseline: the same cases through onnxruntime-node, each in a worker', async () => {
    baseline = await runBaseline([dir], { spawn: nodeWorkerSpawner(baselineScript, ['--worker']) });
    expect(statuses(baseline)).toEqual({
      test_abs: 'passed',
      test_abs_corrupted: 'failed',
      test_abs_crash_here: 'passed',
      test_add_bcast: 'passed',
      test_cast_BFLOAT16_to_FLOAT: 'failed',
      test_cast_STRING_to_FLOAT: 'passed',
      test_identity_sequence: 'skipped',
    });
    expect(baseline.cases.find((c) => c.name === 'test_cast_BFLOAT16_to_FLOAT')?.reason).toMatch(
      /Unsupported data type: 16/,
    );
    expect(baseline).toMatchObject({
      engine: 'onnxruntime-node',
      provider: 'cpu',
      ortVersion: '1.30.0',
    });
    expect(diffReports(crucible, baseline).map((d) => d.name)).toEqual([
      'test_abs_crash_here',
      'test_cast_BFLOAT16_to_FLOAT',
    ]);
  });

  it('CLI: --json keeps stdout valid JSON and puts the summary line on stderr', async () => {
    const { out, err, io } = lines();
    expect(await runConformanceCli([dir, '--json', '--filter', '^test_abs$'], io, engine)).toBe(0);
    const report = JSON.parse(out.join('\n')) as ConformanceReport;
    expect(report.cases.map((c) => c.name)).toEqual(['test_abs']);
    expect(err.at(-1)).toBe('1 passed, 0 failed, 0 skipped');
    expect(err[0]).toMatch(/^\[1\/1\] passed {2}test_abs \(\d+ ms\)$/);
  });

  it('CLI: the summary line ends stdout; failures exit 0 unless --strict', async () => {
    const a = lines();
    expect(await runConformanceCli([dir, '--filter', 'corrupted|sequence'], a.io, engine)).toBe(0);
    expect(a.out[0]).toBe('failed (1):');
    expect(a.out.at(-1)).toBe('0 passed, 1 failed, 1 skipped');
    const b = lines();
    expect(await runConformanceCli([dir, '--filter', 'corrupted', '--strict'], b.io, engine)).toBe(
      1,
    );
    const c = lines();
    expect(await runConformanceCli([dir, '--provider', 'tpu'], c.io, engine)).toBe(2);
    expect(c.err[0]).toMatch(/unknown provider 'tpu'/);
  });

  it('baseline CLI: writes the report with --out, and --compare prints both counts and each difference', async () => {
    const crucibleFile = path.join(dir, 'crucible.json');
    const baselineFile = path.join(dir, 'baseline.json');
    const spawn = nodeWorkerSpawner(baselineScript, ['--worker']);
    const a = lines();
    expect(
      await runConformanceCli([dir, '--json', '--filter', 'BFLOAT16|abs$'], a.io, engine),
    ).toBe(0);
    await writeFile(crucibleFile, a.out.join('\n'));
    const b = lines();
    expect(
      await runBaselineCli([dir, '--filter', 'BFLOAT16|abs$', '--out', baselineFile], b.io, spawn),
    ).toBe(0);
    expect(b.out.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    const c = lines();
    expect(await runBaselineCli(['--compare', crucibleFile, baselineFile], c.io, spawn)).toBe(0);
    expect(c.out).toEqual([
      'A crucible (cpu, ORT 1.30.0): 2 passed, 0 failed, 0 skipped',
      'B onnxruntime-node (cpu, ORT 1.30.0): 1 passed, 1 failed, 0 skipped',
      '1 cases differ',
      'test_cast_BFLOAT16_to_FLOAT',
      '  A passed',
      expect.stringMatching(
        /^ {2}B failed: InferenceSession.create failed: Unsupported data type: 16/,
      ) as unknown as string,
    ]);
  });
});
