import { describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import { decodeNpy, encodeNpy } from './npy';
import { sampleTensor } from './test-helpers';

/** An .npy file from a header text and raw data, the way NumPy lays it out (version 1 or 2/3). */
function npyFile(header: string, data: Uint8Array, major = 1): Uint8Array {
  const enc =
    major === 3
      ? new TextEncoder().encode(header)
      : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const prefix = major === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + enc.byteLength + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const v = new DataView(out.buffer);
  if (major === 1) v.setUint16(8, enc.byteLength, true);
  else v.setUint32(8, enc.byteLength, true);
  out.set(enc, prefix);
  out.set(data, prefix + enc.byteLength);
  return out;
}

const bytes = (...xs: number[]) => Uint8Array.from(xs);

describe('npy round trips', () => {
  const npyTypes = DTYPES.filter((d) => !/bfloat16|float8|4/.test(d));
  it.each(npyTypes.map((d) => [d]))('%s', (dtype) => {
    for (const dims of [[2, 3], [], [0], [4]]) {
      const t = sampleTensor(dtype, dims);
      const file = encodeNpy(t);
      const headerEnd = file.indexOf(0x0a) + 1;
      expect(headerEnd % 64).toBe(0); // data aligned like NumPy's
      const back = decodeNpy(file, 'x.npy');
      expect(back.dtype).toBe(dtype);
      expect(back.dims).toEqual(dims);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(
        Array.from(t.data as ArrayLike<unknown>),
      );
    }
  });

  it.each(['bfloat16', 'float8e4m3fn', 'float8e5m2fnuz', 'int4', 'uint4', 'float4e2m1'] as DType[])(
    'refuses %s with UNSUPPORTED',
    (dtype) => {
      let e: unknown;
      try {
        encodeNpy(sampleTensor(dtype));
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('UNSUPPORTED');
      expect((e as AppError).message).toContain(`NumPy has no ${dtype} type`);
    },
  );

  it('writes the header NumPy writes', () => {
    const file = encodeNpy({ dtype: 'float32', dims: [3], data: new Float32Array(3) });
    const header = new TextDecoder('latin1').decode(file.subarray(10, file.indexOf(0x0a)));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
    expect(
      new TextDecoder().decode(
        encodeNpy({ dtype: 'bool', dims: [], data: new Uint8Array(1) }).subarray(10, 70),
      ),
    ).toContain("'descr': '|b1'");
  });
});

describe('hand-written .npy files', () => {
  it('reads big-endian int32', () => {
    const f = npyFile(
      "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }\n",
      bytes(0, 0, 1, 2, 0xff, 0xff, 0xff, 0xfe),
    );
    expect(Array.from(decodeNpy(f, 'be.npy').data as Int32Array)).toEqual([258, -2]);
  });

  it('reads big-endian complex64 (each part swapped on its own)', () => {
    const f = npyFile(
      "{'descr': '>c8', 'fortran_order': False, 'shape': (1,), }\n",
      bytes(0x3f, 0x80, 0, 0, 0x40, 0, 0, 0),
    );
    const t = decodeNpy(f, 'c.npy');
    expect(t.dtype).toBe('complex64');
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2]);
  });

  it('reads Fortran order as C order', () => {
    // NumPy: np.asfortranarray(np.arange(6, dtype='<i2').reshape(2, 3)) stores 0 3 1 4 2 5.
    const data = new Uint8Array(new Int16Array([0, 3, 1, 4, 2, 5]).buffer);
    const f = npyFile("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }\n", data);
    expect(Array.from(decodeNpy(f, 'f.npy').data as Int16Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads Fortran order in 3-D', () => {
    const dims = [2, 3, 4];
    const c = Array.from({ length: 24 }, (_, i) => i);
    const fOrder: number[] = [];
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 3; j++)
        for (let i = 0; i < 2; i++) fOrder.push(c[i * 12 + j * 4 + k] as number);
    const f = npyFile(
      `{'descr': '|u1', 'fortran_order': True, 'shape': (${dims.join(', ')}), }\n`,
      Uint8Array.from(fOrder),
    );
    expect(Array.from(decodeNpy(f, 'f3.npy').data as Uint8Array)).toEqual(c);
  });

  it('reads <U unicode strings (and Fortran-ordered ones)', () => {
    const u = (s: string, w: number) => {
      const out = new Uint8Array(w * 4);
      Array.from(s).forEach((ch, i) =>
        new DataView(out.buffer).setUint32(i * 4, ch.codePointAt(0) as number, true),
      );
      return out;
    };
    const data = new Uint8Array(4 * 3 * 4);
    ['ab', 'é', '', '\u{1F600}'].forEach((s, i) => data.set(u(s, 3), i * 12));
    const f = npyFile("{'descr': '<U3', 'fortran_order': False, 'shape': (2, 2), }\n", data);
    expect(decodeNpy(f, 'u.npy')).toEqual({
      dtype: 'string',
      dims: [2, 2],
      data: ['ab', 'é', '', '\u{1F600}'],
    });
    const ff = npyFile("{'descr': '<U3', 'fortran_order': True, 'shape': (2, 2), }\n", data);
    expect(decodeNpy(ff, 'uf.npy').data).toEqual(['ab', '', 'é', '\u{1F600}']);
  });

  it('reads big-endian >U and byte strings S', () => {
    const be = npyFile(
      "{'descr': '>U2', 'fortran_order': False, 'shape': (1,), }\n",
      bytes(0, 0, 0, 0x68, 0, 0, 0, 0x69),
    );
    expect(decodeNpy(be, 'ube.npy').data).toEqual(['hi']);
    const s = npyFile(
      "{'descr': '|S3', 'fortran_order': False, 'shape': (2,), }\n",
      bytes(0x61, 0x62, 0x63, 0x64, 0, 0),
    );
    expect(decodeNpy(s, 's.npy').data).toEqual(['abc', 'd']);
  });

  it('reads |b1 bools, normalizing nonzero bytes to 1', () => {
    const f = npyFile(
      "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\n",
      bytes(0, 1, 7),
    );
    const t = decodeNpy(f, 'b.npy');
    expect(t.dtype).toBe('bool');
    expect(Array.from(t.data as Uint8Array)).toEqual([0, 1, 1]);
  });

  it('reads version 2.0 and 3.0 headers, keys in any order, double quotes', () => {
    const d = new Uint8Array(new Float64Array([1.5]).buffer);
    const v2 = npyFile('{"shape": (1,), "fortran_order": False, "descr": "<f8"}\n', d, 2);
    expect(Array.from(decodeNpy(v2, 'v2.npy').data as Float64Array)).toEqual([1.5]);
    const v3 = npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }  \n", d, 3);
    expect(decodeNpy(v3, 'v3.npy').dims).toEqual([1]);
  });

  it('reads float16 little-endian as raw bits', () => {
    const f = npyFile(
      "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }\n",
      bytes(0x00, 0x3c, 0x00, 0xc0),
    );
    const t = decodeNpy(f, 'h.npy');
    expect(t.dtype).toBe('float16');
    expect(Array.from(t.data as Uint16Array)).toEqual([0x3c00, 0xc000]);
  });
});

describe('bad .npy files', () => {
  const f4 = (shape: string, n: number) =>
    npyFile(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }\n`, new Uint8Array(n));
  it.each([
    ['no magic', bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 'INPUT_INVALID', 'magic'],
    ['empty', new Uint8Array(0), 'INPUT_INVALID', 'magic'],
    [
      'truncated data',
      f4('(4,)', 15),
      'INPUT_INVALID',
      'needs 16 data bytes, found 15 (truncated?)',
    ],
    ['extra data', f4('(4,)', 17), 'INPUT_INVALID', '1 bytes after the data'],
    ['absurd shape', f4('(1099511627776, 1099511627776)', 8), 'INPUT_INVALID', 'too many elements'],
    ['huge shape, little data', f4('(1099511627776,)', 8), 'INPUT_INVALID', 'truncated?'],
    ['header cut', f4('(4,)', 16).subarray(0, 30), 'INPUT_INVALID', 'header is cut short'],
    [
      'garbage header',
      npyFile('{descr: <f4}\n', new Uint8Array(0)),
      'INPUT_INVALID',
      'not readable',
    ],
    [
      'no shape',
      npyFile("{'descr': '<f4', 'fortran_order': False}\n", new Uint8Array(0)),
      'INPUT_INVALID',
      "no 'shape'",
    ],
    [
      'object dtype',
      npyFile("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(8)),
      'UNSUPPORTED',
      "'|O'",
    ],
    [
      'datetime',
      npyFile("{'descr': '<M8', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(8)),
      'UNSUPPORTED',
      "'<M8'",
    ],
    [
      'structured',
      npyFile(
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n",
        new Uint8Array(4),
      ),
      'UNSUPPORTED',
      'structured',
    ],
    [
      'version 9',
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", new Uint8Array(4), 9),
      'INPUT_INVALID',
      'version 9.0',
    ],
  ])('%s', (_label, file, code, text) => {
    let e: unknown;
    try {
      decodeNpy(file, '/d/x.npy');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    expect((e as AppError).message).toContain('/d/x.npy');
    expect((e as AppError).message).toContain(text);
  });
});
