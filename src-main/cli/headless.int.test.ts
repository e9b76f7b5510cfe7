// The CLI over the headless use-cases (services/headless.ts), as a user runs it: the built CLI
// (dist/cli/crucible.js, built by the test setup) with its own data folder, so what it writes is
// what the app reads from the same folder.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchService } from '../services/bench-service';
import { EventBus } from '../services/events';
import { runCli } from './cli-test-support';

const root = path.resolve(__dirname, '..', '..');
const tiny = path.join(root, 'models', 'mlp-tiny.onnx');
const resnet = path.join(root, 'models', 'resnet-mini.onnx');
let data: string;

const crucible = (args: string[], dataDir?: string) => runCli(args, { dataDir: dataDir ?? data });

beforeAll(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'crucible-cli-data-'));
});
afterAll(async () => rm(data, { recursive: true, force: true }));

describe('crucible over the session owner', () => {
  it('run --provider cuda without CUDA: one line saying why, exit 2', async () => {
    const r = await crucible(['run', tiny, '--provider', 'cuda']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^crucible: .*CUDA is not in this ONNX Runtime build/);
    expect(r.stderr).not.toMatch(/Unknown provider name/);
  });

  it('bench --compiled benchmarks the compiled entry; both rows land in the app history', async () => {
    const missing = await crucible(['bench', tiny, '--compiled', '--iterations', '5']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no valid compiled cpu entry .*crucible compile first/);

    expect((await crucible(['compile', tiny, '--provider', 'cpu'])).code).toBe(0);
    const compiled = await crucible(['bench', tiny, '--compiled', '--iterations', '20', '--json']);
    expect(compiled.code).toBe(0);
    const c = JSON.parse(compiled.stdout);
    expect(c).toMatchObject({ status: 'ok', provider: 'cpu', variant: 'compiled' });
    expect(c.entryId).toMatch(/^cpu\//);
    // Warm: the compiled session's creation from the entry; cold: the original's, same provider.
    expect(c.sessionCreateMs.warm).toBeGreaterThan(0);
    expect(c.sessionCreateMs.cold).toBeGreaterThan(0);
    const original = await crucible(['bench', tiny, '--iterations', '20', '--json']);
    expect(original.code).toBe(0);
    const o = JSON.parse(original.stdout);
    expect(o).toMatchObject({ status: 'ok', variant: 'original', entryId: null });

    // The app's BenchService over the same data folder shows both, newest first.
    const app = new BenchService({
      storesDir: path.join(data, 'stores'),
      engine: { request: () => Promise.reject(new Error('not used')) },
      gpu: {
        snapshot: () => Promise.reject(new Error('not used')),
        watch: () => () => undefined,
        close: () => undefined,
      },
      library: { get: () => undefined },
      owner: {
        acquire: () => Promise.reject(new Error('not used')),
        originalCreateMs: () => null,
        compiledFor: () => null,
      },
      bus: new EventBus(),
    });
    expect(await app.open()).toBeNull();
    const rows = app.history();
    expect(rows.map((r) => [r.id, r.variant, r.entryId ?? null])).toEqual([
      [o.id, 'original', null],
      [c.id, 'compiled', c.entryId],
    ]);
    expect(rows[0]?.modelId).toBe(rows[1]?.modelId);
  });

  it('run uses the compiled entry and says so; --no-cache runs the original', async () => {
    const r = await crucible(['run', tiny, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      variant: 'compiled',
      cache: expect.stringMatching(/^cpu\//),
    });
    const plain = await crucible(['run', tiny, '--json', '--no-cache']);
    expect(JSON.parse(plain.stdout)).toMatchObject({ variant: 'original', cache: null });
  });

  it('switch-over: run, compile through the compile service, the next run is the compiled session', async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'crucible-cli-switch-'));
    try {
      const r = await crucible(['switch-over', tiny, '--json'], fresh);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.before).toMatchObject({ provider: 'cpu', variant: 'original', entryId: null });
      expect(out.compile).toMatchObject({ state: 'done', provider: 'cpu' });
      expect(out.after).toMatchObject({ variant: 'compiled', entryId: out.compile.cacheEntryId });
      expect(out.next).toMatchObject({ variant: 'compiled', sessionMs: 0 });
      expect(out.switchOver).toMatchObject({ from: 'cpu', to: 'cpu' });
      expect(out.switchOver.message).toMatch(/^was .* on CPU, now .* on CPU \(compiled\)$/);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('switch-over of a model with a named dim and no --dim: the run and the compile agree on batch 1', async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'crucible-cli-switch-dyn-'));
    try {
      const r = await crucible(['switch-over', resnet, '--json'], fresh);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.before).toMatchObject({ variant: 'original', dims: { batch: 1 } });
      expect(out.compile).toMatchObject({ state: 'done' });
      expect(out.after).toMatchObject({ variant: 'compiled', dims: { batch: 1 } });
      // `bench --compiled` without --dim looks for the entry with no dims fixed; its refusal says
      // which --dim finds the one the switch-over (as the app) made.
      const missing = await crucible(['bench', resnet, '--compiled', '--iterations', '5'], fresh);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no valid compiled cpu entry for dims \{\}/);
      expect(missing.stderr).toContain('entries exist for: --dim batch=1');
      const found = await crucible(
        ['bench', resnet, '--compiled', '--dim', 'batch=1', '--iterations', '5', '--json'],
        fresh,
      );
      expect(found.code).toBe(0);
      expect(JSON.parse(found.stdout)).toMatchObject({ variant: 'compiled' });
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
