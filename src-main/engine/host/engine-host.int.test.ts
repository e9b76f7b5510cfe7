// The real engine host process (dist/engine/engine-host.js, built by the test setup) over the real
// ONNX Runtime that onnxruntime-node ships: the handshake, runs on the demo models checked against
// onnxruntime-node's own JS API, crash isolation and restart.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type * as ort from 'onnxruntime-node';
import { ifHeadModel } from '../../../models/small-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DTYPE_INFO, type HostTensor } from '../tensor';
import { synthesizeInputs } from '../model/synth';
import { EngineClient, nodeChildSpawner } from './engine-client';
import type { LogLine } from './protocol';
import { runOrt, toOrt } from '../model/ort-test-helpers';

const root = path.resolve(__dirname, '..', '..', '..');
const hostScript = path.join(root, 'dist', 'engine', 'engine-host.js');
const model = (name: string) => path.join(root, 'models', name);

let engine: EngineClient;
let tmp: string;
/** Every log line the client heard from the host (ORT's lines, read from the host's stderr). */
const logLines: LogLine[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'crucible-host-int-'));
  engine = new EngineClient(nodeChildSpawner(hostScript), { backoffMs: [10] });
  engine.onLog((l) => logLines.push(l));
  await engine.start();
});
afterAll(async () => {
  engine.close();
  await rm(tmp, { recursive: true, force: true });
});

/**
 * y = x + w where w is both an initializer and a graph input: ORT warns about it when it creates
 * the session ("Initializer w appears in graph inputs ..."), a warning every build logs.
 */
function initializerAsInputModel(): Uint8Array {
  const info = (name: string): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'initializer_as_input',
      node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dataType: 1, dims: [4], floatData: [1, 2, 3, 4] }],
      input: [info('x'), info('w')],
      output: [info('y')],
    },
  }).finish();
}

/** The oracle: the same inputs through onnxruntime-node's JS API. */
async function oracle(
  modelPath: string,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, ort.Tensor>> {
  return runOrt(
    modelPath,
    Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, toOrt(t)])),
  );
}

describe('engine host process', () => {
  it('says hello with ORT 1.30, its absolute library path and the CPU provider', () => {
    const s = engine.status();
    expect(s.state).toBe('ready');
    expect(s.ortVersion).toBe('1.30.0');
    expect(path.isAbsolute(s.libraryPath ?? '')).toBe(true);
    expect(s.providers.find((p) => p.id === 'cpu')).toMatchObject({ available: true });
    const trt = s.providers.find((p) => p.id === 'nv-tensorrt-rtx');
    expect(trt?.available).toBe(false);
    expect(trt?.reason).toMatch(/TensorRT-RTX provider library/);
  });

  const cases: [string, Record<string, number>][] = [
    ['mlp-tiny.onnx', {}],
    ['resnet-mini.onnx', { batch: 2 }],
    ['transformer-block.onnx', { sequence: 7 }],
    ['upscale2x.onnx', { height: 33, width: 47 }],
    ['with-external-data/model.onnx', {}],
  ];
  for (const [name, dims] of cases) {
    it(`${name}: outputs equal onnxruntime-node's within 1e-6 relative`, async () => {
      // Same session options on both sides: free-dimension overrides let ORT pick other kernels
      // (last-bit differences), so the dims shape only the inputs here.
      const created = await engine.request('session.create', {
        sessionId: name,
        modelPath: model(name),
        provider: 'cpu',
      });
      const feeds = synthesizeInputs(created.inputs, { fill: 'random', seed: 7, dims });
      const ours = await engine.request('session.run', {
        sessionId: name,
        inputs: feeds,
        want: 'tensors',
      });
      const theirs = await oracle(model(name), feeds);
      for (const [outName, expected] of Object.entries(theirs)) {
        const got = ours.tensors?.[outName];
        expect(got, outName).toBeDefined();
        expect(got?.dims).toEqual(expected.dims);
        expect(got?.dtype).toBe(expected.type);
        const a = got?.data as Float32Array;
        const b = expected.data as Float32Array;
        expect(a.length).toBe(b.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) {
          const rel =
            Math.abs((a[i] as number) - (b[i] as number)) /
            Math.max(Math.abs(b[i] as number), 1e-30);
          if (Math.abs((a[i] as number) - (b[i] as number)) > 1e-30) worst = Math.max(worst, rel);
        }
        expect(worst, `${outName}: worst relative difference`).toBeLessThanOrEqual(1e-6);
      }
      await engine.request('session.release', { sessionId: name });
    });
  }

  it('integer outputs are bitwise equal to onnxruntime-node (ArgMax over a demo output)', async () => {
    // The node test case test_argmax_default_axis_example is int64 out: a bitwise comparison.
    const dir = '/usr/share/libonnx-testdata/data/node/test_argmax_default_axis_random';
    const modelPath = path.join(dir, 'model.onnx');
    const created = await engine.request('session.create', {
      sessionId: 'argmax',
      modelPath,
      provider: 'cpu',
    });
    const feeds = synthesizeInputs(created.inputs, { fill: 'random', seed: 3, dims: {} });
    const ours = await engine.request('session.run', {
      sessionId: 'argmax',
      inputs: feeds,
      want: 'tensors',
    });
    const theirs = await oracle(modelPath, feeds);
    for (const [n, t] of Object.entries(theirs)) {
      expect(DTYPE_INFO[ours.tensors?.[n]?.dtype ?? 'float32'].array).toBe('BigInt64Array');
      expect(Array.from(ours.tensors?.[n]?.data as BigInt64Array)).toEqual(
        Array.from(t.data as BigInt64Array),
      );
    }
  });

  it('a native abort in the host fails only the request in flight; the host restarts and serves again', async () => {
    await expect(engine.request('host.crash', { how: 'abort' })).rejects.toMatchObject({
      code: 'ENGINE_CRASHED',
    });
    await expect.poll(() => engine.status().state, { timeout: 20_000 }).toBe('ready');
    const created = await engine.request('session.create', {
      sessionId: 'after',
      modelPath: model('mlp-tiny.onnx'),
      provider: 'cpu',
    });
    expect(created.inputs[0]?.name).toBe('x');
    expect(engine.status().restarts).toBeGreaterThanOrEqual(1);
  });

  it('bad input gets a clear, coded error and the host keeps serving', async () => {
    await expect(
      engine.request('session.create', {
        sessionId: 'missing',
        modelPath: '/nonexistent/m.onnx',
        provider: 'cpu',
      }),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: expect.stringContaining('/nonexistent/m.onnx'),
    });
    await engine.request('session.create', {
      sessionId: 'mlp',
      modelPath: model('mlp-tiny.onnx'),
      provider: 'cpu',
    });
    const wrong: HostTensor = { dtype: 'int32', dims: [1, 16], data: new Int32Array(16) };
    await expect(
      engine.request('session.run', { sessionId: 'mlp', inputs: { x: wrong } }),
    ).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining("'x'"),
    });
    await expect(
      engine.request('session.run', { sessionId: 'mlp', inputs: {}, bogus: 1 } as never),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(engine.status().state).toBe('ready');
  });

  it('a run fed from a plan returns what was fed, and given tensors return no record', async () => {
    await engine.request('session.create', {
      sessionId: 'mlp-fed',
      modelPath: model('mlp-tiny.onnx'),
      provider: 'cpu',
    });
    const planned = await engine.request('session.run', {
      sessionId: 'mlp-fed',
      plan: {
        sources: { x: { kind: 'values', values: ['0.5'] } },
        shapes: {},
        dims: {},
        fill: 'random',
        seed: 1,
        testData: null,
      },
    });
    expect(planned.fed).toMatchObject({
      fed: [{ name: 'x', dtype: 'float32', dims: [1, 16], source: expect.stringContaining('0.5') }],
      replay: expect.arrayContaining(['--value', 'x=0.5']),
    });
    const given: HostTensor = { dtype: 'float32', dims: [1, 16], data: new Float32Array(16) };
    const direct = await engine.request('session.run', {
      sessionId: 'mlp-fed',
      inputs: { x: given },
    });
    expect(direct.fed).toBeUndefined();
  });

  it("ORT's log lines reach the client as log records (the host's env logs to its stderr)", async () => {
    const file = path.join(tmp, 'initializer-as-input.onnx');
    await writeFile(file, initializerAsInputModel());
    const created = await engine.request('session.create', {
      sessionId: 'warns',
      modelPath: file,
      provider: 'cpu',
    });
    expect(created.runPath.reason).toMatch(/ORT logs to stderr in this process/);
    await expect
      .poll(() => logLines.find((l) => /Initializer w appears in graph inputs/.test(l.message)))
      .toMatchObject({ severity: 2, category: 'onnxruntime' });
    await engine.request('session.release', { sessionId: 'warns' });
  });

  it("an If model on ORT's default threads goes synchronous once measured fast, with onnxruntime-node's outputs", async () => {
    const file = path.join(tmp, 'if-head.onnx');
    await writeFile(file, ifHeadModel());
    const created = await engine.request('session.create', {
      sessionId: 'if-head',
      modelPath: file,
      provider: 'cpu',
    });
    expect(created.runPath.sync).toBe(true);
    const feeds = synthesizeInputs(created.inputs, { fill: 'random', seed: 5, dims: {} });
    feeds.sr = { dtype: 'int64', dims: [], data: new BigInt64Array([16000n]) };
    // Runs start asynchronous; these make the guard's first measurements.
    for (let i = 0; i < 6; i++) {
      await engine.request('session.run', { sessionId: 'if-head', inputs: feeds });
    }
    const ours = await engine.request('session.run', {
      sessionId: 'if-head',
      inputs: feeds,
      want: 'tensors',
    });
    const theirs = await oracle(file, feeds);
    expect(Array.from(ours.tensors?.y?.data as Float32Array)).toEqual(
      Array.from(theirs.y?.data as Float32Array),
    );
    const bench = await engine.request('session.bench', {
      sessionId: 'if-head',
      iterations: 50,
      warmup: 10,
      warmCreate: false,
    });
    expect(bench.status).toBe('ok');
    // One note says how the runs went, in order: they began asynchronous (nothing measured yet)
    // and went synchronous once the median was known to be small.
    expect(bench.notes.filter((n) => n.startsWith('runs began'))).toEqual([
      expect.stringMatching(
        /^runs began asynchronous; synchronous from run \d+ \(measured median at most 1 ms\)/,
      ),
    ]);
    await engine.request('session.release', { sessionId: 'if-head' });
  });
});
