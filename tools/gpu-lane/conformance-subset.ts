/**
 * The ONNX conformance cases the GPU lane carries to the GPU host. The full Debian
 * libonnx-testdata `node` set is 932 cases (27 MB); the lane takes about a hundred small ones that
 * cover the ops real vision and transformer models are made of, so a GPU run says something about
 * the models people bring, inside the 64 MiB the bundle may weigh.
 */
import path from 'node:path';

/** Where Debian's libonnx-testdata keeps the per-op cases on a development machine. */
export const SYSTEM_CONFORMANCE_ROOT = '/usr/share/libonnx-testdata/data/node';

/** Case folder names under the `node` data set, grouped by the op they exercise. */
export const CONFORMANCE_SUBSET: readonly string[] = [
  // Convolution and its relatives: the core of every vision model.
  'test_basic_conv_with_padding',
  'test_basic_conv_without_padding',
  'test_conv_with_autopad_same',
  'test_conv_with_strides_and_asymmetric_padding',
  'test_conv_with_strides_no_padding',
  'test_conv_with_strides_padding',
  'test_convtranspose',
  'test_convtranspose_1d',
  'test_convtranspose_pads',
  'test_convtranspose_dilations',
  // Dense layers.
  'test_matmul_2d',
  'test_matmul_3d',
  'test_matmul_4d',
  'test_gemm_default_matrix_bias',
  'test_gemm_default_no_bias',
  'test_gemm_default_vector_bias',
  'test_gemm_transposeA',
  'test_gemm_transposeB',
  'test_gemm_all_attributes',
  'test_einsum_batch_matmul',
  // Activations.
  'test_relu',
  'test_leakyrelu',
  'test_prelu_broadcast',
  'test_sigmoid',
  'test_tanh',
  'test_erf',
  'test_elu',
  'test_selu',
  'test_softplus',
  'test_hardsigmoid',
  'test_hardswish',
  'test_clip',
  'test_clip_default_min',
  // Softmax family: attention and classifier heads.
  'test_softmax_axis_0',
  'test_softmax_axis_1',
  'test_softmax_axis_2',
  'test_softmax_default_axis',
  'test_softmax_large_number',
  'test_softmax_negative_axis',
  'test_logsoftmax_axis_1',
  'test_logsoftmax_large_number',
  // Element-wise arithmetic, with and without broadcasting.
  'test_add',
  'test_add_bcast',
  'test_sub',
  'test_sub_bcast',
  'test_mul',
  'test_mul_bcast',
  'test_div',
  'test_div_bcast',
  'test_pow',
  'test_pow_bcast_scalar',
  'test_sqrt',
  'test_exp',
  'test_log',
  'test_neg',
  'test_abs',
  'test_reciprocal',
  'test_where_example',
  'test_equal',
  'test_greater',
  // Normalisation.
  'test_layer_normalization_2d_axis1',
  'test_layer_normalization_3d_axis_negative_1_epsilon',
  'test_layer_normalization_4d_axis_negative_1',
  'test_layer_normalization_default_axis',
  'test_batchnorm_example',
  'test_batchnorm_epsilon',
  'test_instancenorm_example',
  'test_instancenorm_epsilon',
  // Pooling.
  'test_averagepool_2d_default',
  'test_averagepool_2d_pads',
  'test_averagepool_2d_strides',
  'test_maxpool_2d_default',
  'test_maxpool_2d_pads',
  'test_maxpool_2d_strides',
  'test_maxpool_2d_dilations',
  'test_globalaveragepool',
  'test_globalmaxpool',
  // Reductions.
  'test_reduce_mean_keepdims_random',
  'test_reduce_mean_do_not_keepdims_random',
  'test_reduce_sum_keepdims_random',
  'test_reduce_max_keepdims_random',
  // Shape manipulation.
  'test_reshape_reduced_dims',
  'test_reshape_negative_dim',
  'test_reshape_zero_and_negative_dim',
  'test_transpose_default',
  'test_transpose_all_permutations_3',
  'test_concat_2d_axis_1',
  'test_concat_3d_axis_negative_1',
  'test_flatten_axis1',
  'test_squeeze',
  'test_unsqueeze_axis_0',
  'test_slice',
  'test_slice_negative_axes',
  'test_split_equal_parts_2d',
  'test_gather_0',
  'test_gather_1',
  'test_expand_dim_changed',
  'test_tile',
  'test_shape',
  'test_depthtospace_crd_mode',
  // Resize: upscalers and feature pyramids.
  'test_resize_upsample_scales_nearest',
  'test_resize_upsample_scales_linear',
  'test_resize_downsample_scales_linear',
  'test_resize_upsample_sizes_nearest',
  'test_resize_upsample_scales_cubic',
  // Casts between the float types GPUs use.
  'test_cast_FLOAT_to_FLOAT16',
  'test_cast_FLOAT16_to_FLOAT',
  'test_cast_FLOAT_to_DOUBLE',
];

/** The case folders of the subset under `root` (a copy of the `node` data set), in list order. */
export function conformanceSubsetDirs(root: string): string[] {
  return CONFORMANCE_SUBSET.map((name) => path.join(root, name));
}
