import { describe, expect, it } from 'vitest';
import type { CompileOptions, ValueInfo } from '../../ipc/contract';
import { buildProviderOptions, freeDimensions, resolveEntryPaths } from './options';

const image: ValueInfo = {
  name: 'images',
  kind: 'tensor',
  dtype: 'float32',
  shape: ['batch', 3, 'height', 'width'],
};
const tokens: ValueInfo = { name: 'ids', kind: 'tensor', dtype: 'int64', shape: ['batch', 'seq'] };
const fixed: ValueInfo = { name: 'x', kind: 'tensor', dtype: 'float32', shape: [1, 16] };

const opts = (o: Partial<CompileOptions> = {}): CompileOptions => ({
  dims: {},
  dimRanges: {},
  cudaGraph: false,
  ...o,
});

describe('provider options from the user choices', () => {
  it.each<[string, Parameters<typeof buildProviderOptions>, Record<string, string>]>([
    [
      'TensorRT-RTX, fixed-shape model: runtime cache in the entry, CUDA graph explicitly off',
      ['nv-tensorrt-rtx', opts(), [fixed]],
      { nv_runtime_cache_path: 'runtime-cache', enable_cuda_graph: '0' },
    ],
    [
      'TensorRT-RTX, CUDA graph chosen',
      ['nv-tensorrt-rtx', opts({ cudaGraph: true }), [fixed]],
      { nv_runtime_cache_path: 'runtime-cache', enable_cuda_graph: '1' },
    ],
    [
      'TensorRT-RTX, dynamic dims without choices: defaults, min = opt = max',
      ['nv-tensorrt-rtx', opts(), [image]],
      {
        nv_runtime_cache_path: 'runtime-cache',
        enable_cuda_graph: '0',
        nv_profile_min_shapes: 'images:1x3x128x128',
        nv_profile_opt_shapes: 'images:1x3x128x128',
        nv_profile_max_shapes: 'images:1x3x128x128',
      },
    ],
    [
      'TensorRT-RTX, chosen sizes and ranges across two inputs sharing a dim',
      [
        'nv-tensorrt-rtx',
        opts({
          dims: { batch: 4, height: 224, width: 224, seq: 77 },
          dimRanges: { batch: { min: 1, max: 8 }, seq: { min: 16, max: 128 } },
        }),
        [image, tokens],
      ],
      {
        nv_runtime_cache_path: 'runtime-cache',
        enable_cuda_graph: '0',
        nv_profile_min_shapes: 'images:1x3x224x224,ids:1x16',
        nv_profile_opt_shapes: 'images:4x3x224x224,ids:4x77',
        nv_profile_max_shapes: 'images:8x3x224x224,ids:8x128',
      },
    ],
    [
      'CUDA: CUDA graph explicit',
      ['cuda', opts({ cudaGraph: true }), [image]],
      { enable_cuda_graph: '1' },
    ],
    ['CPU: nothing to set', ['cpu', opts({ cudaGraph: true }), [image]], {}],
    ['WebGPU: nothing to set', ['webgpu', opts(), [image]], {}],
  ])('%s', (_name, args, expected) => {
    expect(buildProviderOptions(...args)).toEqual(expected);
  });

  it('refuses a range that does not contain the chosen size, naming the dim and input', () => {
    expect(() =>
      buildProviderOptions(
        'nv-tensorrt-rtx',
        opts({ dims: { batch: 16 }, dimRanges: { batch: { min: 1, max: 8 } } }),
        [image],
      ),
    ).toThrow("dim 'batch' of input 'images': the range 1..8 must contain the chosen size 16");
  });

  it('refuses input names the profile format cannot carry', () => {
    expect(() =>
      buildProviderOptions('nv-tensorrt-rtx', opts(), [{ ...image, name: 'a:b' }]),
    ).toThrow(/':' or ','/);
  });

  it('fixes chosen dims except the ranged ones on a compiling provider', () => {
    const o = opts({ dims: { batch: 4, seq: 77 }, dimRanges: { batch: { min: 1, max: 8 } } });
    expect(freeDimensions('nv-tensorrt-rtx', o)).toEqual({ seq: 77 });
    expect(freeDimensions('cpu', o)).toEqual({ batch: 4, seq: 77 });
  });

  it('resolves the runtime cache under the entry folder', () => {
    expect(
      resolveEntryPaths({ nv_runtime_cache_path: 'runtime-cache', enable_cuda_graph: '0' }, '/c/e'),
    ).toEqual({ nv_runtime_cache_path: '/c/e/runtime-cache', enable_cuda_graph: '0' });
  });
});
