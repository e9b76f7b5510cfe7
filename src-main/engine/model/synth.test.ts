import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DTYPES, type DType, type ValueInfo } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { checkHostTensor } from '../tensor';
import { numericValues } from './float-bits';
import { defaultDim, MAX_REQUEST_INPUT_BYTES, resolveDims, synthesizeInputs } from './synth';

const vi = (
  name: string,
  dtype: DType | null,
  shape: ValueInfo['shape'],
  kind: ValueInfo['kind'] = 'tensor',
): ValueInfo => ({ name, kind, dtype, shape });

describe('resolveDims', () => {
  it.each([
    [[1, 3, 224, 224], {}, [1, 3, 224, 224]],
    [['batch', 3, 'height', 'width'], {}, [1, 3, 128, 128]],
    [['N', 'seq'], { seq: 77 }, [1, 77]],
    [['batch_size', 'sequence_length'], { batch_size: 4 }, [4, 128]],
    [[null, 3, null, null], {}, [1, 3, 128, 128]],
    [['unk__42', 'unk__43'], {}, [1, 128]],
    [[-1, 10], {}, [1, 10]],
    [[], {}, []],
  ] as [ValueInfo['shape'], Record<string, number>, number[]][])(
    '%j with %j',
    (shape, user, want) => {
      expect(resolveDims(vi('x', 'float32', shape), user)).toEqual(want);
    },
  );

  it.each([
    ['batch', 0, 1],
    ['B', 2, 1],
    ['seq', 0, 128],
    [null, 0, 1],
    [null, 1, 128],
  ] as const)('defaultDim(%j, %i) = %i', (name, index, want) => {
    expect(defaultDim(name, index)).toBe(want);
  });

  it.each([
    [
      'absurd',
      vi('pixels', 'float32', ['n', 'h', 'w']),
      { n: 2 ** 20, h: 2 ** 10, w: 2 ** 10 },
      /input 'pixels' of shape \[1048576, 1024, 1024\] would take 4\.00 TiB/,
    ],
    ['2^40 elements', vi('ids', 'int64', [2 ** 40]), {}, /input 'ids'/],
    ['no shape', vi('x', 'float32', null), {}, /input 'x' has no shape/],
    ['a sequence', vi('s', null, null, 'sequence'), {}, /input 's' is a sequence/],
  ])('INPUT_INVALID for %s', (_l, info, user, text) => {
    let e: unknown;
    try {
      resolveDims(info, user);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('INPUT_INVALID');
    expect((e as AppError).message).toMatch(text);
  });
});

describe('synthesizeInputs', () => {
  const all = DTYPES.map((d) => vi(`in_${d}`, d, ['batch', 5]));
  const hash = (inputs: ReturnType<typeof synthesizeInputs>) => {
    const h = createHash('sha256');
    for (const [name, t] of Object.entries(inputs)) {
      h.update(name);
      if (Array.isArray(t.data)) h.update(t.data.join('\0'));
      else h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    return h.digest('hex');
  };

  it('gives valid tensors of every dtype', () => {
    for (const fill of ['random', 'zeros', 'ones'] as const) {
      const out = synthesizeInputs(all, { fill, seed: 7, dims: { batch: 3 } });
      for (const [name, t] of Object.entries(out)) {
        checkHostTensor(name, t);
        expect(t.dims).toEqual([3, 5]);
      }
    }
  });

  it('is deterministic: the same seed gives the same bytes, another seed others', () => {
    const a = synthesizeInputs(all, { fill: 'random', seed: 42 });
    expect(hash(synthesizeInputs(all, { fill: 'random', seed: 42 }))).toBe(hash(a));
    expect(hash(synthesizeInputs(all, { fill: 'random', seed: 43 }))).not.toBe(hash(a));
    // Pinned: a change here changes every recorded benchmark input, so it must be deliberate.
    expect(
      Array.from(
        synthesizeInputs([vi('x', 'float32', [3])], { fill: 'random', seed: 1 }).x
          ?.data as Float32Array,
      ),
    ).toMatchInlineSnapshot(`
      [
        0.6270738840103149,
        0.0027356743812561035,
        0.527446985244751,
      ]
    `);
    expect(hash(a)).toMatchInlineSnapshot(
      `"13a51b4130431c8ba4017499951d7d5052eb93b669f1eda98d74d859c68095a1"`,
    );
  });

  it('keeps floats in [0, 1), ints in [0, 10), bools 0/1, strings short ascii', () => {
    const out = synthesizeInputs(
      DTYPES.map((d) => vi(d, d, [4096])),
      { fill: 'random', seed: 3 },
    );
    for (const [name, t] of Object.entries(out)) {
      if (t.dtype === 'string') {
        for (const s of t.data as string[]) expect(s).toMatch(/^[a-z]{1,8}$/);
        continue;
      }
      const v = numericValues(t) as Float64Array;
      const max = /float|complex/.test(name)
        ? 1
        : name === 'bool'
          ? 2
          : /^u?int4$|float4/.test(name)
            ? 8
            : 10;
      for (const x of v) {
        expect(x >= 0 && x < max, `${name}: ${x}`).toBe(true);
        if (!/float|complex/.test(name)) expect(Number.isInteger(x)).toBe(true);
      }
      expect(new Set(v).size, name).toBeGreaterThan(1);
    }
  });

  it('fills ones and zeros as the value, whatever the encoding', () => {
    const ones = synthesizeInputs(
      DTYPES.filter((d) => d !== 'string').map((d) => vi(d, d, [3])),
      { fill: 'ones', seed: 0 },
    );
    for (const [name, t] of Object.entries(ones)) {
      const v = Array.from(numericValues(t) as Float64Array);
      expect(v, name).toEqual(name.startsWith('complex') ? [1, 0, 1, 0, 1, 0] : [1, 1, 1]);
    }
    const zeros = synthesizeInputs([vi('h', 'float16', [2]), vi('s', 'string', [2])], {
      fill: 'zeros',
      seed: 0,
    });
    expect(Array.from(zeros.h?.data as Uint16Array)).toEqual([0, 0]);
    expect(zeros.s?.data).toEqual(['', '']);
  });
});

describe('a request is capped as a whole', () => {
  // Before the fix only each input was capped (2 GiB): two inputs of 600 MiB, or one just under
  // the cap, were allocated in full and took the engine host to gigabytes with a vague error.
  it('refuses inputs that add up to more than 1 GiB before allocating anything, naming cap and size', () => {
    const inputs = [
      vi('a', 'float32', [1, 'n']),
      vi('b', 'float32', [1, 'n']),
      vi('small', 'int64', [2]),
    ];
    const started = performance.now();
    let err: unknown;
    try {
      synthesizeInputs(inputs, { fill: 'zeros', seed: 1, dims: { n: 150 * 2 ** 20 } });
    } catch (e) {
      err = e;
    }
    expect(performance.now() - started).toBeLessThan(1000); // nothing was filled
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(
        /this run's inputs would take 1\.17 GiB \('a' 600 MiB, 'b' 600 MiB, 'small' .*\), over the 1\.00 GiB limit for one request/,
      ),
    });
    expect(MAX_REQUEST_INPUT_BYTES).toBe(2 ** 30);
  });

  it('still synthesizes a request just under the cap', () => {
    const out = synthesizeInputs([vi('a', 'uint8', ['n'])], {
      fill: 'zeros',
      seed: 1,
      dims: { n: 1000 },
    });
    expect(out.a?.dims).toEqual([1000]);
  });
});
