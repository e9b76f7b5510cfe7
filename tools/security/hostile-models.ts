/**
 * Generators of hostile model files for the robustness suite (test support; only *.test.ts import
 * this). Every case is deterministic (seeded), small on disk, and names the category it belongs to,
 * so the suite can count outcomes per category and a failure can be reproduced from its name.
 *
 * A case is a set of files written into a fresh folder; `model` is the file the importer, the
 * inspector and the engine are pointed at. Cases that need something outside their folder (a
 * symlink leading out) describe it with `symlinks`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { Prng } from '../../models/prng';
import {
  encodeModel,
  node,
  tensorInfo,
  TESTDATA,
  wireBomb,
} from '../../src-main/engine/model/test-helpers';

/** The categories the issue names; the summary line counts cases per category. */
export const CATEGORIES = [
  'random-bytes',
  'truncated',
  'bit-flipped',
  'absurd-dims',
  'huge-attributes',
  'deep-nesting',
  'unknown-ops',
  'external-data',
  'zero-size',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** One hostile model: its files (relative path → bytes) and which of them is the model. */
export interface HostileCase {
  category: Category;
  name: string;
  files: Record<string, Uint8Array>;
  /** The model file, relative to the case's folder. */
  model: string;
  /** Symlinks to create: relative path in the folder → absolute target. */
  symlinks?: Record<string, string>;
}

const FLOAT = 1;

/** A real model the byte-level mutations start from, with the files it needs beside it. */
export interface SeedModel {
  name: string;
  bytes: Uint8Array;
  siblings: Record<string, Uint8Array>;
}

/** Real models the byte-level mutations start from: Crucible's demo models and libonnx cases. */
export function seedModels(repoRoot: string): SeedModel[] {
  const demo = ['mlp-tiny.onnx', 'upscale2x.onnx', 'with-external-data/model.onnx'].map((f) => ({
    name: `demo/${f}`,
    bytes: readFileSync(path.join(repoRoot, 'models', f)),
    // The external-data demo keeps its weights beside every mutated copy.
    siblings: f.startsWith('with-external-data/')
      ? {
          'weights.bin': readFileSync(
            path.join(repoRoot, 'models', 'with-external-data', 'weights.bin'),
          ),
        }
      : {},
  }));
  const libonnx = [
    'test_conv_with_strides_padding',
    'test_if',
    'test_loop11',
    'test_gemm_default_matrix_bias',
  ]
    .map((c) => path.join(TESTDATA, 'node', c, 'model.onnx'))
    .map((p) => ({
      name: `libonnx/${path.basename(path.dirname(p))}`,
      bytes: readFileSync(p),
      siblings: {},
    }));
  return [...demo, ...libonnx];
}

/** Seeded random bytes, some of them opening like a real model (field 1, irVersion). */
export function randomByteCases(count: number): HostileCase[] {
  const out: HostileCase[] = [];
  const sizes = [0, 1, 2, 7, 64, 512, 4096, 65536];
  for (let i = 0; i < count; i++) {
    const rng = new Prng(`random-${i}`);
    const size = sizes[i % sizes.length] as number;
    const bytes = new Uint8Array(size);
    for (let j = 0; j < size; j++) bytes[j] = rng.nextUint32() & 0xff;
    // Every other case starts like a ModelProto (ir_version = 8, then a graph field tag) so the
    // decoder gets past the first byte and into the interesting part.
    if (i % 2 === 1 && size >= 4) bytes.set([0x08, 0x08, 0x3a, 0x7f]);
    out.push(single('random-bytes', `random-${i}-${size}B`, bytes));
  }
  return out;
}

/** Each seed model cut at `perModel` places spread over its length (never whole). */
export function truncatedCases(seeds: SeedModel[], perModel: number) {
  const out: HostileCase[] = [];
  for (const s of seeds) {
    for (let k = 0; k < perModel; k++) {
      const at = Math.floor((s.bytes.length * (k + 0.5)) / perModel);
      out.push(withSiblings('truncated', `${s.name}@${at}`, s, s.bytes.subarray(0, at)));
    }
  }
  return out;
}

/** Each seed model with 1 to 16 random bits flipped, `perModel` seeded variants each. */
export function bitFlippedCases(seeds: SeedModel[], perModel: number) {
  const out: HostileCase[] = [];
  for (const s of seeds) {
    for (let k = 0; k < perModel; k++) {
      const rng = new Prng(`flip-${s.name}-${k}`);
      const bytes = Uint8Array.from(s.bytes);
      const flips = 1 + (k % 16);
      const where: number[] = [];
      for (let f = 0; f < flips; f++) {
        const i = rng.nextUint32() % bytes.length;
        bytes[i] = (bytes[i] as number) ^ (1 << (rng.nextUint32() % 8));
        where.push(i);
      }
      out.push(withSiblings('bit-flipped', `${s.name}#${k}(${where.join(',')})`, s, bytes));
    }
  }
  return out;
}

/** Dimensions no machine can hold, negative dims, and initializers that claim more than they have. */
export function absurdDimCases(): HostileCase[] {
  const big = 2 ** 40;
  return [
    single(
      'absurd-dims',
      'input-2^40x2^40',
      encodeModel({
        name: 'g',
        node: [node('Relu', ['x'], ['y'])],
        input: [tensorInfo('x', FLOAT, [big, big])],
        output: [tensorInfo('y', FLOAT, [big, big])],
      }),
    ),
    single(
      'absurd-dims',
      'initializer-2^40-without-data',
      encodeModel({
        name: 'g',
        node: [node('Add', ['x', 'w'], ['y'])],
        input: [tensorInfo('x', FLOAT, [1])],
        output: [tensorInfo('y', FLOAT, null)],
        initializer: [{ name: 'w', dataType: FLOAT, dims: [big] }],
      }),
    ),
    single(
      'absurd-dims',
      'expand-to-2^40',
      encodeModel({
        name: 'g',
        node: [node('Expand', ['x', 's'], ['y'])],
        input: [tensorInfo('x', FLOAT, [1])],
        output: [tensorInfo('y', FLOAT, null)],
        initializer: [{ name: 's', dataType: 7, dims: [2], int64Data: [big, big] }],
      }),
    ),
    single(
      'absurd-dims',
      'negative-dims',
      encodeModel({
        name: 'g',
        node: [node('Relu', ['x'], ['y'])],
        input: [tensorInfo('x', FLOAT, [-5, -1])],
        output: [tensorInfo('y', FLOAT, [-5, -1])],
      }),
    ),
    single(
      'absurd-dims',
      'rank-64',
      encodeModel({
        name: 'g',
        node: [node('Relu', ['x'], ['y'])],
        input: [
          tensorInfo(
            'x',
            FLOAT,
            Array.from({ length: 64 }, () => 2),
          ),
        ],
        output: [tensorInfo('y', FLOAT, null)],
      }),
    ),
  ];
}

/** Nodes with very many attributes, and attributes of very many values. */
export function hugeAttributeCases(): HostileCase[] {
  const many: onnx.IAttributeProto[] = Array.from({ length: 50_000 }, (_, i) => ({
    name: `a${i}`,
    type: onnx.AttributeProto.AttributeType.INT,
    i: i,
  }));
  const relu = (attribute: onnx.IAttributeProto[]): Uint8Array =>
    encodeModel({
      name: 'g',
      node: [{ opType: 'Relu', input: ['x'], output: ['y'], attribute }],
      input: [tensorInfo('x', FLOAT, [1, 4])],
      output: [tensorInfo('y', FLOAT, [1, 4])],
    });
  return [
    single('huge-attributes', '50k-attributes', relu(many)),
    single(
      'huge-attributes',
      'ints-1M',
      relu([
        {
          name: 'perm',
          type: onnx.AttributeProto.AttributeType.INTS,
          ints: Array.from({ length: 1_000_000 }, (_, i) => i),
        },
      ]),
    ),
    single(
      'huge-attributes',
      'string-4MiB',
      relu([
        {
          name: 's',
          type: onnx.AttributeProto.AttributeType.STRING,
          s: new Uint8Array(4 << 20).fill(0x41),
        },
      ]),
    ),
    single(
      'huge-attributes',
      'duplicate-names',
      relu(Array.from({ length: 1000 }, () => ({ name: 'alpha', type: 1, f: 1 }))),
    ),
  ];
}

/** If bodies nested `depth` deep (then-branch holds the next If). */
export function nestedIfModel(depth: number): Uint8Array {
  const leaf: onnx.IGraphProto = {
    name: 'leaf',
    node: [node('Identity', ['x'], ['y0'])],
    output: [tensorInfo('y0', FLOAT, [1])],
  };
  let inner = leaf;
  for (let d = 0; d < depth; d++) {
    inner = {
      name: `level${d}`,
      // Only one branch nests: both would double the encoding at every level.
      node: [node('If', ['c'], [`y${d + 1}`], { then_branch: inner, else_branch: leaf })],
      output: [tensorInfo(`y${d + 1}`, FLOAT, [1])],
    };
  }
  return encodeModel({
    name: 'main',
    node: inner.node ?? [],
    input: [tensorInfo('c', 9, [1]), tensorInfo('x', FLOAT, [1])],
    output: [tensorInfo(`y${depth}`, FLOAT, [1])],
  });
}

/** Loop bodies nested `depth` deep. */
function nestedLoopModel(depth: number): Uint8Array {
  let body: onnx.IGraphProto = {
    name: 'leaf',
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Identity', ['v_in'], ['v_out'])],
    input: [tensorInfo('i', 7, []), tensorInfo('cond_in', 9, []), tensorInfo('v_in', FLOAT, [1])],
    output: [tensorInfo('cond_out', 9, []), tensorInfo('v_out', FLOAT, [1])],
  };
  for (let d = 0; d < depth; d++) {
    body = {
      name: `loop${d}`,
      node: [
        node('Identity', ['cond_in'], ['cond_out']),
        node('Loop', ['', 'cond_in', 'v_in'], ['v_out'], { body }),
      ],
      input: body.input,
      output: body.output,
    };
  }
  return encodeModel({
    name: 'main',
    node: [node('Loop', ['n', 'c', 'x'], ['y'], { body })],
    input: [tensorInfo('n', 7, []), tensorInfo('c', 9, []), tensorInfo('x', FLOAT, [1])],
    output: [tensorInfo('y', FLOAT, [1])],
  });
}

/** Deeply nested control flow, at, past and far past the inspector's depth limit. */
export function deepNestingCases(): HostileCase[] {
  return [
    single('deep-nesting', 'if-depth-8', nestedIfModel(8)),
    single('deep-nesting', 'if-depth-32', nestedIfModel(32)),
    single('deep-nesting', 'if-depth-33', nestedIfModel(33)),
    single('deep-nesting', 'if-depth-200', nestedIfModel(200)),
    single('deep-nesting', 'loop-depth-16', nestedLoopModel(16)),
    single('deep-nesting', 'wire-bomb-3000', wireBomb(3000)),
  ];
}

/** Ops and domains no runtime knows, and opset versions from the future. */
export function unknownOpCases(): HostileCase[] {
  const g = (opType: string, domain = ''): onnx.IGraphProto => ({
    name: 'g',
    node: [node(opType, ['x'], ['y'], {}, domain)],
    input: [tensorInfo('x', FLOAT, [1, 4])],
    output: [tensorInfo('y', FLOAT, [1, 4])],
  });
  const withOpsets = (graph: onnx.IGraphProto, opsets: onnx.IOperatorSetIdProto[]) =>
    onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: opsets,
      producerName: 'hostile',
      graph,
    }).finish();
  return [
    single('unknown-ops', 'no-such-op', encodeModel(g('NoSuchOp'))),
    single(
      'unknown-ops',
      'unknown-domain',
      withOpsets(g('Foo', 'evil.example'), [
        { domain: '', version: 13 },
        { domain: 'evil.example', version: 1 },
      ]),
    ),
    single('unknown-ops', 'domain-without-opset', encodeModel(g('Foo', 'not.imported'))),
    single('unknown-ops', 'opset-9999', withOpsets(g('Relu'), [{ domain: '', version: 9999 }])),
    single('unknown-ops', 'no-opset-import', withOpsets(g('Relu'), [])),
    single(
      'unknown-ops',
      'ir-version-999',
      onnx.ModelProto.encode({
        irVersion: 999,
        opsetImport: [{ domain: '', version: 13 }],
        graph: g('Relu'),
      }).finish(),
    ),
    single('unknown-ops', 'op-name-control-chars', encodeModel(g('Re\u0000lu\n../../etc'))),
  ];
}

/** A model whose one initializer lives in external data at `location`. */
function externalModel(location: string, length = 16, offset?: number): Uint8Array {
  const entries = [
    { key: 'location', value: location },
    ...(offset === undefined ? [] : [{ key: 'offset', value: String(offset) }]),
    { key: 'length', value: String(length) },
  ];
  return encodeModel({
    name: 'g',
    node: [node('Add', ['x', 'w'], ['y'])],
    input: [tensorInfo('x', FLOAT, [4])],
    output: [tensorInfo('y', FLOAT, [4])],
    initializer: [
      { name: 'w', dataType: FLOAT, dims: [4], dataLocation: 1, externalData: entries },
    ],
  });
}

/**
 * External-data entries that point outside the model's folder (`../../`, absolute, drive and UNC
 * paths, a symlink leading out), at files that do not exist, and past the end of a real file.
 * `outsideFile` is a real file outside every case folder (its bytes must never be read).
 */
export function externalDataCases(outsideFile: string): HostileCase[] {
  const rel = path.relative('/', outsideFile);
  const four = new Uint8Array(16);
  return [
    single('external-data', 'dotdot', externalModel(`../../../../../../../../${rel}`)),
    single(
      'external-data',
      'dotdot-inside-then-out',
      externalModel(`sub/../../${path.basename(outsideFile)}`),
    ),
    single('external-data', 'absolute', externalModel(outsideFile)),
    single('external-data', 'absolute-etc-passwd', externalModel('/etc/passwd')),
    single('external-data', 'windows-drive', externalModel('C:\\Windows\\win.ini')),
    single('external-data', 'unc', externalModel('\\\\server\\share\\w.bin')),
    single('external-data', 'backslash-dotdot', externalModel('..\\..\\w.bin')),
    single('external-data', 'missing-file', externalModel('no-such-weights.bin')),
    single('external-data', 'empty-location', externalModel('')),
    {
      category: 'external-data',
      name: 'symlink-out',
      files: { 'model.onnx': externalModel('link.bin') },
      model: 'model.onnx',
      symlinks: { 'link.bin': outsideFile },
    },
    {
      category: 'external-data',
      name: 'length-past-end',
      files: { 'model.onnx': externalModel('w.bin', 2 ** 40), 'w.bin': four },
      model: 'model.onnx',
    },
    {
      category: 'external-data',
      name: 'offset-past-end',
      files: { 'model.onnx': externalModel('w.bin', 16, 2 ** 40), 'w.bin': four },
      model: 'model.onnx',
    },
  ];
}

/** Tensors with no elements at all, which some code paths divide by or allocate from. */
export function zeroSizeCases(): HostileCase[] {
  return [
    single(
      'zero-size',
      'input-0x3',
      encodeModel({
        name: 'g',
        node: [node('Relu', ['x'], ['y'])],
        input: [tensorInfo('x', FLOAT, [0, 3])],
        output: [tensorInfo('y', FLOAT, [0, 3])],
      }),
    ),
    single(
      'zero-size',
      'initializer-0',
      encodeModel({
        name: 'g',
        node: [node('Concat', ['x', 'w'], ['y'], { axis: 0 })],
        input: [tensorInfo('x', FLOAT, [2])],
        output: [tensorInfo('y', FLOAT, [2])],
        initializer: [{ name: 'w', dataType: FLOAT, dims: [0], floatData: [] }],
      }),
    ),
    single(
      'zero-size',
      'matmul-0-inner',
      encodeModel({
        name: 'g',
        node: [node('MatMul', ['a', 'b'], ['y'])],
        input: [tensorInfo('a', FLOAT, [2, 0]), tensorInfo('b', FLOAT, [0, 2])],
        output: [tensorInfo('y', FLOAT, [2, 2])],
      }),
    ),
    single('zero-size', 'no-nodes-no-io', encodeModel({ name: 'empty' })),
  ];
}

function single(category: Category, name: string, bytes: Uint8Array): HostileCase {
  return { category, name, files: { 'model.onnx': bytes }, model: 'model.onnx' };
}

/** A mutated copy keeps the seed's external-data files beside it. */
function withSiblings(
  category: Category,
  name: string,
  seed: SeedModel,
  bytes: Uint8Array,
): HostileCase {
  return { category, name, files: { ...seed.siblings, 'model.onnx': bytes }, model: 'model.onnx' };
}
