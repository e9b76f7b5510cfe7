// `crucible bench` as a user runs it: the built CLI (dist/cli/crucible.js, built by the test
// setup) on a demo model, its JSON, its exit codes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-test-support';

const root = path.resolve(__dirname, '..', '..');
const tiny = path.join(root, 'models', 'mlp-tiny.onnx');

const crucible = (args: string[]) => runCli(args);

describe('crucible bench', () => {
  it('prints every figure as JSON', async () => {
    const r = await crucible(['bench', tiny, '--iterations', '50', '--warmup', '2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'ok', provider: 'cpu', mode: 'plain', iterations: 50 });
    expect(out.latencyMs.p99).toBeGreaterThanOrEqual(out.latencyMs.p50);
    expect(out.sessionCreateMs.cold).toBeGreaterThan(0);
    expect(out.tflops.achieved).toBeGreaterThan(0);
    expect(out.tflops.peak).toBeNull();
    expect(out.power).toBeNull();
  });

  it('gives every result a verdict, no GPU energy on the CPU, and compares two results', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-compare-'));
    try {
      const files: string[] = [];
      for (const mode of ['plain', 'iobinding']) {
        const r = await crucible(['bench', tiny, '--mode', mode, '--iterations', '100', '--json']);
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout);
        expect(out.verdict.state).toMatch(/^(valid|noisy|throttled)$/);
        expect(out.verdict.percentile).toBe('p90');
        expect(out.energy).toMatchObject({ attributed: false, joulesPerInference: null });
        files.push(path.join(dir, `${mode}.json`));
        await writeFile(files[files.length - 1] as string, r.stdout);
      }
      const c = await crucible(['bench', '--compare', ...files]);
      expect(c.code).toBe(0);
      expect(c.stdout).toMatch(/^A: plain\.json: mlp-tiny\.onnx · cpu · plain: p50 /m);
      expect(c.stdout).toMatch(
        /^B − A: [+-]?\d+\.\d+ ms \([+-]?\d+\.\d%\), 95% CI \[-?\d+\.\d+, -?\d+\.\d+\] ms \(bootstrap of medians, 2000 resamples\)$/m,
      );
      expect(c.stdout).toMatch(
        /^(within noise|B is (faster|slower) than A beyond the iteration-to-iteration noise)/m,
      );
      const bad = await crucible(['bench', '--compare', files[0] as string, tiny]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/is not a benchmark result or export/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the loop benchmark on a model whose output feeds its input', async () => {
    const r = await crucible([
      'bench',
      '--loop',
      path.join(root, 'models', 'loop', 'denoise-step.onnx'),
      '--steps',
      '10',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cpu · loop: latent_next → latent; kept: sigma/);
    expect(r.stdout).toMatch(
      /^ {2}host {4}step [\d.]+ ms {2}copy per step [\d.]+ ms \(device→host/m,
    );
    expect(r.stdout).toMatch(/^ {2}graph {3}unsupported/m);
    expect(r.stdout).toMatch(/copy time host ÷ device-resident [\d.]+×/);
  });

  it('says a mode the provider cannot do is unsupported, exit 3', async () => {
    const r = await crucible(['bench', tiny, '--mode', 'graph', '--iterations', '5']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/cpu · graph: unsupported/);
    expect(r.stderr).toMatch(/^crucible: graph mode: .*no graph capture/m);
  });

  it.each([
    [['bench', tiny, '--iterations', '5', '--duration', '2'], /not both/],
    [['bench', tiny, '--mode', 'fast'], /--mode must be plain, iobinding, graph/],
    [['bench', tiny, '--iterations', '0'], /--iterations must be a positive integer/],
    [['bench', '/nope.onnx'], /nope\.onnx/],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const r = await crucible(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
