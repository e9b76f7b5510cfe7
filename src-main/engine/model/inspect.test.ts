import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { onnx } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelInspectionSchema } from '../../ipc/contract';
import { checkExternalData, inspectModel, inspectModelBytes } from './inspect';
import { TESTDATA, encodeModel, errorOf, node, tensorInfo } from './test-helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crucible-inspect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A MatMul model whose 4x4 float weight 'W' lives at `location` (64 bytes). */
function externalModel(location: string, extra: onnx.ITensorProto[] = []): Uint8Array {
  return encodeModel({
    name: 'ext',
    node: [node('MatMul', ['x', 'W'], ['y'])],
    input: [tensorInfo('x', 1, ['batch', 4])],
    output: [tensorInfo('y', 1, ['batch', 4])],
    initializer: [
      {
        name: 'W',
        dataType: 1,
        dims: [4, 4],
        dataLocation: 1,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: '0' },
          { key: 'length', value: '64' },
        ],
      },
      ...extra,
    ],
  });
}

async function writeModel(sub: string, bytes: Uint8Array): Promise<string> {
  const folder = path.join(dir, sub);
  await mkdir(folder, { recursive: true });
  const p = path.join(folder, 'model.onnx');
  await writeFile(p, bytes);
  return p;
}

describe('inspectModel on libonnx models', () => {
  it('conv with strides and padding', async () => {
    const r = await inspectModel(`${TESTDATA}/node/test_conv_with_strides_padding/model.onnx`);
    expect(ModelInspectionSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      fileName: 'model.onnx',
      irVersion: 6,
      opsets: [{ domain: 'ai.onnx', version: 11 }],
      producer: { name: 'backend-test', version: '' },
      graphName: 'test_conv_with_strides_padding',
      inputs: [
        { name: 'x', kind: 'tensor', dtype: 'float32', shape: [1, 1, 7, 5] },
        { name: 'W', kind: 'tensor', dtype: 'float32', shape: [1, 1, 3, 3] },
      ],
      outputs: [{ name: 'y', kind: 'tensor', dtype: 'float32', shape: [1, 1, 4, 3] }],
      dynamicDims: [],
      nodeCount: 1,
      ops: { Conv: 1 },
      initializerCount: 0,
      externalData: [],
    });
  });

  it('leaves initializers out of the inputs (pytorch IR 3 lists them) and counts parameters', async () => {
    const r = await inspectModel(`${TESTDATA}/pytorch-converted/test_Conv2d/model.onnx`);
    expect(r.inputs.map((i) => i.name)).toEqual(['0']);
    expect(r.initializerCount).toBe(2);
    expect(r.parameterCount).toBe(4 * 3 * 3 * 2 + 4); // weight [4,3,3,2] + bias [4]
    expect(r.parameterBytes).toBe(r.parameterCount * 4);
    expect(r.producer).toEqual({ name: 'pytorch', version: '0.3' });
  });

  it('counts weights held in Constant nodes (float and 8-bit), not shape constants', async () => {
    const bytes = encodeModel({
      name: 'g',
      node: [
        node('Constant', [], ['w'], {
          value: { name: 'w', dataType: 1, dims: [4, 3], floatData: new Array(12).fill(0.5) },
        }),
        node('Constant', [], ['wq'], {
          value: { name: 'wq', dataType: 2, dims: [10], rawData: new Uint8Array(10) },
        }),
        node('Constant', [], ['shape'], {
          value: { name: 'shape', dataType: 7, dims: [2], int64Data: [1, -1] },
        }),
        node('MatMul', ['x', 'w'], ['y']),
      ],
      input: [tensorInfo('x', 1, [1, 4])],
      output: [tensorInfo('y', 1, [1, 3])],
    });
    const r = await inspectModelBytes(bytes, { fileName: 'c.onnx', dir: '/tmp' });
    expect(r.initializerCount).toBe(0);
    expect(r.parameterCount).toBe(12 + 10);
    expect(r.parameterBytes).toBe(12 * 4 + 10);
  });

  it('counts subgraph nodes (If branches) and string dtypes', async () => {
    const r = await inspectModel(`${TESTDATA}/node/test_if/model.onnx`);
    expect(r.nodeCount).toBe(3);
    expect(r.ops).toEqual({ If: 1, Constant: 2 });
    const s = await inspectModel(
      `${TESTDATA}/simple/test_strnorm_model_monday_casesensintive_lower/model.onnx`,
    );
    expect(s.inputs[0]).toEqual({ name: 'x', kind: 'tensor', dtype: 'string', shape: [4] });
  });

  it('keeps unknown dims as null', async () => {
    const r = await inspectModel(`${TESTDATA}/simple/test_sequence_model1/model.onnx`);
    expect(r.outputs[0]?.shape).toEqual([null, 3, 4]);
  });

  it('names sequences, maps and untyped values as such', async () => {
    const bytes = encodeModel({
      name: 'g',
      node: [node('SequenceConstruct', ['x'], ['s'])],
      input: [tensorInfo('x', 1, [2])],
      output: [
        { name: 's', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } },
        {
          name: 'm',
          type: { mapType: { keyType: 7, valueType: { tensorType: { elemType: 1 } } } },
        },
        { name: 'u' },
      ],
    });
    const r = await inspectModelBytes(bytes, { fileName: 'seq.onnx', dir });
    expect(r.outputs).toEqual([
      { name: 's', kind: 'sequence', dtype: null, shape: null },
      { name: 'm', kind: 'map', dtype: null, shape: null },
      { name: 'u', kind: 'unknown', dtype: null, shape: null },
    ]);
  });

  it('parses every libonnx model against the contract schema', async () => {
    for (const group of ['simple', 'pytorch-converted', 'pytorch-operator']) {
      const { readdirSync, existsSync } = await import('node:fs');
      for (const c of readdirSync(`${TESTDATA}/${group}`)) {
        const p = `${TESTDATA}/${group}/${c}/model.onnx`;
        if (!existsSync(p)) continue;
        const r = await inspectModel(p);
        expect(ModelInspectionSchema.safeParse(r).success, p).toBe(true);
      }
    }
  });
});

describe('hand-built models', () => {
  it('reports symbolic dims, domain-qualified ops and the dims used for FLOPs', async () => {
    const bytes = encodeModel({
      name: 'g',
      node: [
        node('MatMul', ['x', 'w'], ['h']),
        node('FusedGelu', ['h'], ['y'], {}, 'com.microsoft'),
      ],
      input: [tensorInfo('x', 1, ['batch', 'seq', 16]), tensorInfo('w', 1, [16, 8])],
      output: [tensorInfo('y', 1, ['batch', 'seq', 8])],
    });
    const r = await inspectModelBytes(bytes, { fileName: 'm.onnx', dir });
    expect(r.dynamicDims).toEqual(['batch', 'seq']);
    expect(r.ops).toEqual({ MatMul: 1, 'com.microsoft:FusedGelu': 1 });
    expect(r.flops.total).toBe(2 * 1 * 128 * 16 * 8);
    expect(r.flops.note).toContain('batch=1, seq=128');
    const r2 = await inspectModelBytes(
      bytes,
      { fileName: 'm.onnx', dir },
      { dims: { seq: 10, batch: 2 } },
    );
    expect(r2.flops.total).toBe(2 * 2 * 10 * 16 * 8);
  });

  it('reports external data that exists, with its size', async () => {
    const p = await writeModel('ok', externalModel('weights/w.bin'));
    await mkdir(path.join(dir, 'ok', 'weights'));
    await writeFile(path.join(dir, 'ok', 'weights', 'w.bin'), new Uint8Array(64));
    const r = await inspectModel(p);
    expect(r.externalData).toEqual([{ location: 'weights/w.bin', bytes: 64, exists: true }]);
    expect(r.parameterCount).toBe(16);
    expect(r.parameterBytes).toBe(64);
    const refs = await checkExternalData(p);
    expect(refs.map((x) => [x.tensor, x.file])).toEqual([
      ['W', path.join(dir, 'ok', 'weights', 'w.bin')],
    ]);
  });

  it('reports missing external data as exists:false, and checkExternalData throws naming it', async () => {
    const p = await writeModel('missing', externalModel('w.bin'));
    const r = await inspectModel(p);
    expect(r.externalData).toEqual([{ location: 'w.bin', bytes: 64, exists: false }]);
    const e = await errorOf(checkExternalData(p));
    expect(e.code).toBe('EXTERNAL_DATA_MISSING');
    expect(e.message).toContain(p);
    expect(e.message).toContain('w.bin');
  });

  it('catches an external file too short for its tensor', async () => {
    const p = await writeModel('short', externalModel('w.bin'));
    await writeFile(path.join(dir, 'short', 'w.bin'), new Uint8Array(10));
    const e = await errorOf(checkExternalData(p));
    expect(e.code).toBe('EXTERNAL_DATA_MISSING');
    expect(e.message).toContain('only 10 bytes');
  });

  it.each([
    ['../secret.bin', 'leaves the model folder'],
    ['a/../../secret.bin', 'leaves the model folder'],
    ['..\\secret.bin', 'leaves the model folder'],
    ['/etc/passwd', 'absolute'],
    ['C:\\Windows\\win.ini', 'absolute'],
    ['\\\\server\\share\\w.bin', 'absolute'],
    ['', 'not a file name'],
  ])('refuses the location %j (EXTERNAL_DATA_OUTSIDE)', async (location, why) => {
    const p = await writeModel('escape', externalModel(location));
    for (const run of [inspectModel, checkExternalData]) {
      const e = await errorOf(run(p));
      expect(e.code).toBe('EXTERNAL_DATA_OUTSIDE');
      expect(e.message).toContain(p);
      expect(e.message).toContain("tensor 'W'");
      expect(e.message).toContain(JSON.stringify(location));
      expect(e.message).toContain(why);
    }
  });

  it('refuses a symlink inside the folder that leads outside it', async () => {
    await writeFile(path.join(dir, 'outside.bin'), new Uint8Array(64));
    const p = await writeModel('link', externalModel('w.bin'));
    await symlink(path.join(dir, 'outside.bin'), path.join(dir, 'link', 'w.bin'));
    expect((await errorOf(inspectModel(p))).code).toBe('EXTERNAL_DATA_OUTSIDE');
    expect((await errorOf(checkExternalData(p))).code).toBe('EXTERNAL_DATA_OUTSIDE');
  });

  it('checks external data in subgraphs too', async () => {
    const inner: onnx.IGraphProto = {
      name: 'then',
      initializer: [
        {
          name: 'k',
          dataType: 1,
          dims: [1],
          dataLocation: 1,
          externalData: [{ key: 'location', value: '../k.bin' }],
        },
      ],
      output: [tensorInfo('k', 1, [1])],
    };
    const bytes = encodeModel({
      name: 'g',
      node: [node('If', ['c'], ['y'], { then_branch: inner, else_branch: inner })],
      input: [tensorInfo('c', 9, [])],
      output: [tensorInfo('y', 1, [1])],
    });
    const e = await errorOf(inspectModelBytes(bytes, { fileName: 'sub.onnx', dir }));
    expect(e.code).toBe('EXTERNAL_DATA_OUTSIDE');
  });
});
