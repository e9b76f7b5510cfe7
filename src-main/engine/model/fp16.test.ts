/**
 * The float16 converter against what ONNX Runtime (onnxruntime-node, CPU) actually runs: every
 * demo model and every ONNX node test case with float32 compute is converted, the variant and
 * the original run on the same inputs, and the outputs must agree within {@link TOL}. Plus the
 * converter's own promises on small hand-built models: IO stays float32, out-of-range
 * initializers are clamped and reported, If bodies and Constant nodes are converted, blocked ops
 * keep float32 with Casts around them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ValueInfo } from '../../ipc/contract';
import { convertToFloat16, type Fp16Report } from './fp16';
import { writeFp16Variant } from './fp16-file';
import { opKey } from './graph';
import { inspectModel } from './inspect';
import { decodeOnnxModel } from './onnx-file';
import { diffOutputs } from './output-diff';
import { fromOrt, runOrt, tempModels, toOrt } from './ort-test-helpers';
import { synthesizeInputs } from './synth';
import { readTensorFile } from './tensor-files';
import { encodeModel, errorOf, node, tensorInfo, TESTDATA } from './test-helpers';

/**
 * Agreement asked of a float16 variant: per output, |fp16 − fp32| ≤ 1e-2 · max|fp32| + 1e-3 and
 * no NaN/Inf appearing or vanishing. float16 keeps 11 significant bits (relative rounding
 * 2^-11 ≈ 4.9e-4 per value); 1e-2 of the output's scale leaves room for some twenty roundings
 * adding up, the atol for outputs that are near zero everywhere.
 */
const TOL = { rtol: 1e-2, atol: 1e-3 };

const tmpModel = tempModels('crucible-fp16');

/** Why an output pair disagrees beyond {@link TOL}, or null when it agrees. */
function disagreement(name: string, want: ort.Tensor, got: ort.Tensor): string | null {
  if (got.type !== want.type) return `${name}: type ${got.type}, want ${want.type}`;
  if (got.dims.join() !== want.dims.join())
    return `${name}: shape [${got.dims}], want [${want.dims}]`;
  if (want.type === 'string') {
    const g = got.data as string[];
    const bad = (want.data as string[]).findIndex((w, i) => {
      const [a, b] = [Number(w), Number(g[i])];
      return Number.isNaN(a) ? w !== g[i] : Math.abs(a - b) > TOL.atol + TOL.rtol * Math.abs(a);
    });
    return bad < 0 ? null : `${name}[${bad}]: '${g[bad]}', want '${(want.data as string[])[bad]}'`;
  }
  if (!want.type.startsWith('float')) {
    const g = got.data as ArrayLike<unknown>;
    const w = want.data as ArrayLike<unknown>;
    for (let i = 0; i < w.length; i++) {
      if (g[i] !== w[i]) return `${name}[${i}]: ${String(g[i])}, want ${String(w[i])}`;
    }
    return null;
  }
  const d = diffOutputs(fromOrt(want), fromOrt(got));
  if (d.nonFiniteMismatch > 0) return `${name}: ${d.nonFiniteMismatch} NaN/Inf differ`;
  const limit = TOL.atol + TOL.rtol * d.refMaxAbs;
  return d.maxAbs <= limit ? null : `${name}: max abs error ${d.maxAbs} > ${limit}`;
}

const hasFloat16 = (vi: ValueInfo) => vi.dtype === 'float16';

describe('float16 variants of the demo models agree with float32 on CPU', () => {
  const models = [
    'upscale2x.onnx',
    'resnet-mini.onnx',
    'transformer-block.onnx',
    'mlp-tiny.onnx',
    'with-external-data/model.onnx',
  ];
  it.each(models.map((m) => [m]))('%s', async (m) => {
    const source = path.resolve('models', m);
    const dest = tmpModel(path.basename(path.dirname(source)) + '-' + path.basename(m, '.onnx'));
    const { report } = await writeFp16Variant(source, dest, { keepIoTypes: true, block: [] }, 'id');
    expect(report.convertedNodes).toBeGreaterThan(0);
    expect(report.tensorsConverted).toBeGreaterThan(0);

    const [orig, variant] = await Promise.all([inspectModel(source), inspectModel(dest)]);
    // IO stays float32: same names, types and shapes as the original.
    expect(variant.inputs).toEqual(orig.inputs);
    expect(variant.outputs).toEqual(orig.outputs);
    expect(variant.externalData).toEqual([]);
    expect(variant.precision?.headline).toBe('float16');
    // Weights are stored as float16 now: half the bytes of the float32 ones.
    // Weights are float16 now, except those only spec-fixed inputs read (Resize scales).
    const w16 = variant.precision?.weights.find((w) => w.dtype === 'float16');
    const kept = variant.precision?.weights.find((w) => w.dtype === 'float32');
    const w32 = orig.precision?.weights.find((w) => w.dtype === 'float32');
    expect(w16?.bytes).toBe((w16?.count ?? 0) * 2);
    expect((w16?.count ?? 0) + (kept?.count ?? 0)).toBe(w32?.count);

    const dims = { height: 40, width: 56, sequence: 16, batch: 2 };
    const feeds = Object.fromEntries(
      Object.entries(synthesizeInputs(orig.inputs, { seed: 7, fill: 'random', dims })).map(
        ([k, v]) => [k, toOrt(v)],
      ),
    );
    const [want, got] = await Promise.all([runOrt(source, feeds), runOrt(dest, feeds)]);
    for (const o of orig.outputs) {
      expect(
        disagreement(o.name, want[o.name] as ort.Tensor, got[o.name] as ort.Tensor),
      ).toBeNull();
    }
  });
});

/**
 * Node test cases skipped, by reason. Only what the harness cannot do or what has no single
 * right answer — a disagreement caused by the converter is never listed here.
 */
const RANDOM_OPS = new Set([
  'Bernoulli',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Dropout',
]);

describe('float16 variants of the ONNX node test cases agree with float32 on CPU', () => {
  const NODE = `${TESTDATA}/node`;
  const available = existsSync(NODE);
  it.skipIf(!available)(
    'every case with float32 compute that ORT runs',
    async () => {
      const tally = {
        converted: 0,
        agreed: 0,
        notFloat: 0,
        random: 0,
        unreadable: 0,
        ortCannot: 0,
        refused: 0,
      };
      const failures: string[] = [];
      for (const c of readdirSync(NODE).sort()) {
        const model = `${NODE}/${c}/model.onnx`;
        const data = `${NODE}/${c}/test_data_set_0`;
        if (!existsSync(model) || !existsSync(data)) continue;
        const decoded = decodeOnnxModel(await readFile(model), model);
        const ops = new Set<string>();
        for (const n of decoded.graph?.node ?? []) ops.add(opKey(n));
        const dest = tmpModel(c);
        let report: Fp16Report;
        try {
          report = (await writeFp16Variant(model, dest, { keepIoTypes: true, block: [] }, 'id'))
            .report;
        } catch (err) {
          // Refused with a reason (opsets before 6): fine; anything else is a converter bug.
          if ((err as { code?: string }).code === 'UNSUPPORTED') tally.refused++;
          else failures.push(`${c}: conversion failed: ${(err as Error).message}`);
          continue;
        }
        if (report.convertedNodes === 0) {
          tally.notFloat++;
          continue;
        }
        if ([...ops].some((op) => RANDOM_OPS.has(op)) || /bernoulli|dropout/.test(c)) {
          tally.random++; // random outputs: two runs need not agree, whatever the precision
          continue;
        }
        const info = await inspectModel(model);
        const variantInfo = await inspectModel(dest);
        // keepIoTypes: the variant's inputs and outputs are exactly the original's.
        if (
          JSON.stringify(variantInfo.inputs) !== JSON.stringify(info.inputs) ||
          JSON.stringify(variantInfo.outputs) !== JSON.stringify(info.outputs)
        ) {
          failures.push(`${c}: inputs/outputs changed`);
          continue;
        }
        const feeds: Record<string, ort.Tensor> = {};
        try {
          for (const [i, vi] of info.inputs.entries()) {
            const { tensor } = await readTensorFile(`${data}/input_${i}.pb`);
            feeds[vi.name] = toOrt(tensor);
          }
        } catch {
          tally.unreadable++; // sequences, optionals, bfloat16: not expressible as ort.Tensor here
          continue;
        }
        let want: ort.InferenceSession.OnnxValueMapType;
        try {
          want = await runOrt(model, feeds);
        } catch {
          tally.ortCannot++; // ORT cannot run the original either (batchwise RNNs)
          continue;
        }
        tally.converted++;
        try {
          const got = await runOrt(dest, feeds);
          const problems = info.outputs
            .filter((o) => !hasFloat16(o))
            .map((o) => disagreement(o.name, want[o.name] as ort.Tensor, got[o.name] as ort.Tensor))
            .filter((p): p is string => p !== null);
          if (problems.length === 0) tally.agreed++;
          else failures.push(`${c}: ${problems.join('; ')}`);
        } catch (err) {
          failures.push(`${c}: the variant does not run: ${(err as Error).message.split('\n')[0]}`);
        }
      }
      console.log(`fp16 node cases: ${JSON.stringify(tally)}`);
      expect(failures).toEqual([]);
      expect(tally.converted).toBeGreaterThan(500);
    },
    600_000,
  );
});

// ---------------------------------------------------------------------------------------------
// Small hand-built models
// ---------------------------------------------------------------------------------------------

const F = 1;
const H = 10;

function floatInit(name: string, values: number[], dims = [values.length]): onnx.ITensorProto {
  return { name, dataType: F, dims, floatData: values };
}

function convert(graph: onnx.IGraphProto, block: string[] = [], keepIoTypes = true, opset = 17) {
  const model = onnx.ModelProto.decode(encodeModel(graph, opset));
  const report = convertToFloat16(model, { keepIoTypes, block });
  return { model, report, bytes: onnx.ModelProto.encode(model).finish() };
}

describe('convertToFloat16', () => {
  it('keeps float32 inputs and outputs with Casts at the boundary, and weights in float16', () => {
    const { model, report } = convert({
      name: 'g',
      node: [node('MatMul', ['x', 'w'], ['y'])],
      initializer: [floatInit('w', [1, 2, 3, 4], [2, 2])],
      input: [tensorInfo('x', F, [1, 2])],
      output: [tensorInfo('y', F, [1, 2])],
    });
    const g = model.graph as onnx.IGraphProto;
    expect(g.input?.[0]?.type?.tensorType?.elemType).toBe(F);
    expect(g.output?.[0]?.type?.tensorType?.elemType).toBe(F);
    expect(g.initializer?.[0]?.dataType).toBe(H);
    expect((g.node ?? []).map((n) => n.opType)).toEqual(['Cast', 'MatMul', 'Cast']);
    expect(g.node?.[2]?.output).toEqual(['y']);
    expect(report.castsInserted).toBe(2);
  });

  it('makes float16 inputs and outputs when IO types are not kept', () => {
    const { model } = convert(
      {
        name: 'g',
        node: [node('Relu', ['x'], ['y'])],
        input: [tensorInfo('x', F, [2])],
        output: [tensorInfo('y', F, [2])],
      },
      [],
      false,
    );
    const g = model.graph as onnx.IGraphProto;
    expect(g.input?.[0]?.type?.tensorType?.elemType).toBe(H);
    expect(g.output?.[0]?.type?.tensorType?.elemType).toBe(H);
    expect((g.node ?? []).map((n) => n.opType)).toEqual(['Relu']);
  });

  it('clamps initializer values beyond float16 and reports them', async () => {
    const { report, bytes } = convert({
      name: 'g',
      node: [node('Mul', ['x', 'big'], ['y'])],
      initializer: [floatInit('big', [1e6, -70000, 2, 1e-12])],
      input: [tensorInfo('x', F, [4])],
      output: [tensorInfo('y', F, [4])],
    });
    expect(report.clamped).toEqual([{ tensor: 'big', overflow: 2, underflow: 1, maxAbs: 1e6 }]);
    const out = await runOrt(bytes, {
      x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 1]), [4]),
    });
    const y = [...((out.y as ort.Tensor).data as Float32Array)];
    expect(y[0]).toBe(65504);
    expect(y[1]).toBe(-65504);
    expect(y[2]).toBe(2);
    expect(y[3]).toBeCloseTo(2 ** -24, 30);
  });

  it('keeps blocked ops in float32 with Casts on both sides, and says why', async () => {
    const { model, report, bytes } = convert(
      {
        name: 'g',
        node: [
          node('Relu', ['x'], ['r']),
          node('ReduceSum', ['r'], ['s'], { keepdims: 1 }),
          node('Mul', ['s', 'two'], ['y']),
        ],
        initializer: [floatInit('two', [2], [])],
        input: [tensorInfo('x', F, [3])],
        output: [tensorInfo('y', F, [1])],
      },
      [],
      true,
      13,
    );
    const ops = (model.graph?.node ?? []).map((n) => `${n.opType}`);
    expect(ops).toEqual(['Cast', 'Relu', 'Cast', 'ReduceSum', 'Cast', 'Mul', 'Cast']);
    expect(report.blocked).toEqual([
      { op: 'ReduceSum', count: 1, reason: expect.stringContaining('65504') },
    ]);
    const out = await runOrt(bytes, {
      x: new ort.Tensor('float32', Float32Array.from([1, -2, 3]), [3]),
    });
    expect([...((out.y as ort.Tensor).data as Float32Array)]).toEqual([8]);
  });

  it('blocks what --block names, and refuses control flow there', async () => {
    const graph = {
      name: 'g',
      node: [node('Relu', ['x'], ['y'])],
      input: [tensorInfo('x', F, [2])],
      output: [tensorInfo('y', F, [2])],
    };
    const { model } = convert(graph, ['Relu']);
    expect((model.graph?.node ?? []).map((n) => n.opType)).toEqual(['Relu']);
    const err = await errorOf(() => convert(graph, ['If']));
    expect(err.code).toBe('BAD_REQUEST');
  });

  it('converts Constant nodes, Cast targets and If bodies that read outer values', async () => {
    const branch = (name: string, op: string): onnx.IGraphProto => ({
      name,
      node: [
        node('Constant', [], [`${name}_k`], {
          value: { name: `${name}_k`, dataType: F, dims: [], floatData: [0.5] },
        }),
        node(op, ['h', `${name}_k`], [`${name}_out`]),
      ],
      output: [tensorInfo(`${name}_out`, F, [2])],
    });
    const { model, report, bytes } = convert({
      name: 'g',
      node: [
        node('Cast', ['xi'], ['x'], { to: F }),
        node('Relu', ['x'], ['h']),
        node('If', ['c'], ['y'], {
          then_branch: branch('then', 'Add'),
          else_branch: branch('else', 'Mul'),
        }),
      ],
      input: [tensorInfo('xi', 7, [2]), tensorInfo('c', 9, [])],
      output: [tensorInfo('y', F, [2])],
    });
    expect(report.blocked).toEqual([]);
    const g = model.graph as onnx.IGraphProto;
    expect(g.node?.[0]?.attribute?.[0]?.i).toBe(H);
    const thenBranch = g.node?.[2]?.attribute?.find((a) => a.name === 'then_branch')?.g;
    expect(thenBranch?.node?.[0]?.attribute?.[0]?.t?.dataType).toBe(H);
    expect(thenBranch?.output?.[0]?.type?.tensorType?.elemType).toBe(H);
    const feeds = (c: boolean) => ({
      xi: new ort.Tensor('int64', BigInt64Array.from([3n, -4n]), [2]),
      c: new ort.Tensor('bool', Uint8Array.from([c ? 1 : 0]), []),
    });
    const yes = await runOrt(bytes, feeds(true));
    expect([...((yes.y as ort.Tensor).data as Float32Array)]).toEqual([3.5, 0.5]);
    const no = await runOrt(bytes, feeds(false));
    expect([...((no.y as ort.Tensor).data as Float32Array)]).toEqual([1.5, 0]);
  });

  it('keeps Resize scales float32 as the spec requires', async () => {
    const { model, bytes } = convert({
      name: 'g',
      node: [node('Resize', ['x', '', 'scales'], ['y'], { mode: 'nearest' })],
      initializer: [floatInit('scales', [1, 1, 2, 2])],
      input: [tensorInfo('x', F, [1, 1, 2, 2])],
      output: [tensorInfo('y', F, [1, 1, 4, 4])],
    });
    expect(model.graph?.initializer?.[0]?.dataType).toBe(F);
    const out = await runOrt(bytes, {
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 1, 2, 2]),
    });
    expect((out.y as ort.Tensor).dims).toEqual([1, 1, 4, 4]);
  });

  it('leaves a float16 model and integer graphs alone', () => {
    const { report } = convert({
      name: 'g',
      node: [node('Add', ['a', 'b'], ['c'])],
      input: [tensorInfo('a', 7, [2]), tensorInfo('b', 7, [2])],
      output: [tensorInfo('c', 7, [2])],
    });
    expect(report.convertedNodes).toBe(0);
    expect(report.castsInserted).toBe(0);
  });

  it('never writes over an existing file', async () => {
    const dest = tmpModel('exists');
    await writeFp16Variant('models/mlp-tiny.onnx', dest, { keepIoTypes: true, block: [] }, 'id');
    const err = await errorOf(
      writeFp16Variant('models/mlp-tiny.onnx', dest, { keepIoTypes: true, block: [] }, 'id'),
    );
    expect(err.code).toBe('IO_ERROR');
  });
});
