/**
 * The one place that declares the ONNX Runtime C functions Crucible calls. Each entry is a slot of
 * the OrtApi (or OrtCompileApi) function table, from shared/ref/ort-c-api-index.json (ORT API 30),
 * with its C signature written for koffi. Function pointers are read out of the table at
 * `slot * sizeof(void*)` and turned into callable functions once.
 *
 * Conventions: every ORT object and buffer is `void *` (koffi 3 passes pointers as BigInt and typed
 * arrays as their backing-store address); `_Out_ void **` / `_Out_ size_t *` take a one-element
 * array that koffi fills. ORTCHAR_T paths are UTF-16 on Windows and UTF-8 elsewhere.
 */
import koffi from '../../native/koffi-setup';
import type { TypeObject } from 'koffi';
import { loadOrtLibrary } from './library';
import type { OrtLibrary } from './library';

/** A native pointer as koffi 3 hands it over. */
export type Ptr = bigint;
/** A pointer result that may be NULL. */
export type NPtr = bigint | null;
/** Anything koffi accepts where C wants a pointer: an address, NULL, or a typed array's memory. */
export type PtrArg = bigint | null | ArrayBufferView;
/** A one-element array koffi writes an output parameter into. */
export type Out<T> = [T];

/** A koffi function with its asynchronous form (runs on a koffi worker thread). */
export type NativeFn<A extends unknown[], R> = ((...args: A) => R) & {
  async: (...args: [...A, (err: unknown, res: R) => void]) => void;
};

const PATH = process.platform === 'win32' ? 'const char16_t *' : 'const char *';

/** [slot, C declaration] for each OrtApi function used. */
const ORT_API = {
  GetErrorCode: [1, 'int GetErrorCode(void *status)'],
  GetErrorMessage: [2, 'const char *GetErrorMessage(void *status)'],
  CreateEnv: [3, 'void *CreateEnv(int level, const char *logid, _Out_ void **out)'],
  CreateEnvWithCustomLogger: [
    4,
    'void *CreateEnvWithCustomLogger(void *fn, void *param, int level, const char *logid, _Out_ void **out)',
  ],
  EnableTelemetryEvents: [5, 'void *EnableTelemetryEvents(void *env)'],
  DisableTelemetryEvents: [6, 'void *DisableTelemetryEvents(void *env)'],
  CreateSession: [
    7,
    `void *CreateSession(void *env, ${PATH} path, void *options, _Out_ void **out)`,
  ],
  CreateSessionFromArray: [
    8,
    'void *CreateSessionFromArray(void *env, void *data, size_t len, void *options, _Out_ void **out)',
  ],
  Run: [
    9,
    'void *Run(void *session, void *run_options, const char **input_names, void *inputs, size_t input_len, const char **output_names, size_t output_len, void *outputs)',
  ],
  CreateSessionOptions: [10, 'void *CreateSessionOptions(_Out_ void **out)'],
  SetOptimizedModelFilePath: [11, `void *SetOptimizedModelFilePath(void *options, ${PATH} path)`],
  CloneSessionOptions: [12, 'void *CloneSessionOptions(void *options, _Out_ void **out)'],
  SetSessionExecutionMode: [13, 'void *SetSessionExecutionMode(void *options, int mode)'],
  EnableProfiling: [14, `void *EnableProfiling(void *options, ${PATH} profile_file_prefix)`],
  SetSessionLogId: [20, 'void *SetSessionLogId(void *options, const char *logid)'],
  SetSessionLogSeverityLevel: [22, 'void *SetSessionLogSeverityLevel(void *options, int level)'],
  SetSessionGraphOptimizationLevel: [
    23,
    'void *SetSessionGraphOptimizationLevel(void *options, int level)',
  ],
  SetIntraOpNumThreads: [24, 'void *SetIntraOpNumThreads(void *options, int n)'],
  SetInterOpNumThreads: [25, 'void *SetInterOpNumThreads(void *options, int n)'],
  SessionGetInputCount: [30, 'void *SessionGetInputCount(void *session, _Out_ size_t *out)'],
  SessionGetOutputCount: [31, 'void *SessionGetOutputCount(void *session, _Out_ size_t *out)'],
  SessionGetInputTypeInfo: [
    33,
    'void *SessionGetInputTypeInfo(void *session, size_t index, _Out_ void **out)',
  ],
  SessionGetOutputTypeInfo: [
    34,
    'void *SessionGetOutputTypeInfo(void *session, size_t index, _Out_ void **out)',
  ],
  SessionGetInputName: [
    36,
    'void *SessionGetInputName(void *session, size_t index, void *allocator, _Out_ void **out)',
  ],
  SessionGetOutputName: [
    37,
    'void *SessionGetOutputName(void *session, size_t index, void *allocator, _Out_ void **out)',
  ],
  CreateRunOptions: [39, 'void *CreateRunOptions(_Out_ void **out)'],
  RunOptionsSetRunLogSeverityLevel: [
    41,
    'void *RunOptionsSetRunLogSeverityLevel(void *options, int level)',
  ],
  RunOptionsSetRunTag: [42, 'void *RunOptionsSetRunTag(void *options, const char *tag)'],
  RunOptionsSetTerminate: [46, 'void *RunOptionsSetTerminate(void *options)'],
  RunOptionsUnsetTerminate: [47, 'void *RunOptionsUnsetTerminate(void *options)'],
  CreateTensorAsOrtValue: [
    48,
    'void *CreateTensorAsOrtValue(void *allocator, void *shape, size_t shape_len, int type, _Out_ void **out)',
  ],
  CreateTensorWithDataAsOrtValue: [
    49,
    'void *CreateTensorWithDataAsOrtValue(void *info, void *data, size_t data_len, void *shape, size_t shape_len, int type, _Out_ void **out)',
  ],
  GetTensorMutableData: [51, 'void *GetTensorMutableData(void *value, _Out_ void **out)'],
  FillStringTensor: [52, 'void *FillStringTensor(void *value, const char **s, size_t s_len)'],
  GetStringTensorDataLength: [
    53,
    'void *GetStringTensorDataLength(void *value, _Out_ size_t *len)',
  ],
  GetStringTensorContent: [
    54,
    'void *GetStringTensorContent(void *value, void *s, size_t s_len, void *offsets, size_t offsets_len)',
  ],
  CastTypeInfoToTensorInfo: [
    55,
    'void *CastTypeInfoToTensorInfo(void *type_info, _Out_ void **out)',
  ],
  GetOnnxTypeFromTypeInfo: [56, 'void *GetOnnxTypeFromTypeInfo(void *type_info, _Out_ int *out)'],
  GetTensorElementType: [60, 'void *GetTensorElementType(void *info, _Out_ int *out)'],
  GetDimensionsCount: [61, 'void *GetDimensionsCount(void *info, _Out_ size_t *out)'],
  GetDimensions: [62, 'void *GetDimensions(void *info, void *dims, size_t len)'],
  GetSymbolicDimensions: [63, 'void *GetSymbolicDimensions(void *info, void *names, size_t len)'],
  GetValueType: [67, 'void *GetValueType(void *value, _Out_ int *out)'],
  CreateMemoryInfo: [
    68,
    'void *CreateMemoryInfo(const char *name, int allocator_type, int id, int mem_type, _Out_ void **out)',
  ],
  CreateCpuMemoryInfo: [
    69,
    'void *CreateCpuMemoryInfo(int allocator_type, int mem_type, _Out_ void **out)',
  ],
  MemoryInfoGetName: [71, 'void *MemoryInfoGetName(void *info, _Out_ void **out)'],
  MemoryInfoGetId: [72, 'void *MemoryInfoGetId(void *info, _Out_ int *out)'],
  AllocatorFree: [76, 'void *AllocatorFree(void *allocator, void *p)'],
  CreateAllocator: [131, 'void *CreateAllocator(void *session, void *mem_info, _Out_ void **out)'],
  ReleaseAllocator: [132, 'void ReleaseAllocator(void *allocator)'],
  GetAllocatorWithDefaultOptions: [78, 'void *GetAllocatorWithDefaultOptions(_Out_ void **out)'],
  SessionEndProfiling: [
    110,
    'void *SessionEndProfiling(void *session, void *allocator, _Out_ void **out)',
  ],
  ReleaseStatus: [93, 'void ReleaseStatus(void *p)'],
  ReleaseMemoryInfo: [94, 'void ReleaseMemoryInfo(void *p)'],
  ReleaseSession: [95, 'void ReleaseSession(void *p)'],
  ReleaseValue: [96, 'void ReleaseValue(void *p)'],
  ReleaseRunOptions: [97, 'void ReleaseRunOptions(void *p)'],
  ReleaseTypeInfo: [98, 'void ReleaseTypeInfo(void *p)'],
  ReleaseSessionOptions: [100, 'void ReleaseSessionOptions(void *p)'],
  AddFreeDimensionOverrideByName: [
    124,
    'void *AddFreeDimensionOverrideByName(void *options, const char *name, int64_t value)',
  ],
  GetAvailableProviders: [125, 'void *GetAvailableProviders(_Out_ void **out, _Out_ int *len)'],
  ReleaseAvailableProviders: [126, 'void *ReleaseAvailableProviders(void *ptr, int len)'],
  AddSessionConfigEntry: [
    130,
    'void *AddSessionConfigEntry(void *options, const char *key, const char *value)',
  ],
  RunWithBinding: [133, 'void *RunWithBinding(void *session, void *run_options, void *binding)'],
  CreateIoBinding: [134, 'void *CreateIoBinding(void *session, _Out_ void **out)'],
  ReleaseIoBinding: [135, 'void ReleaseIoBinding(void *p)'],
  BindInput: [136, 'void *BindInput(void *binding, const char *name, void *value)'],
  BindOutput: [137, 'void *BindOutput(void *binding, const char *name, void *value)'],
  BindOutputToDevice: [
    138,
    'void *BindOutputToDevice(void *binding, const char *name, void *mem_info)',
  ],
  GetBoundOutputNames: [
    139,
    'void *GetBoundOutputNames(void *binding, void *allocator, _Out_ void **buffer, _Out_ void **lengths, _Out_ size_t *count)',
  ],
  GetBoundOutputValues: [
    140,
    'void *GetBoundOutputValues(void *binding, void *allocator, _Out_ void **values, _Out_ size_t *count)',
  ],
  ClearBoundInputs: [141, 'void ClearBoundInputs(void *binding)'],
  ClearBoundOutputs: [142, 'void ClearBoundOutputs(void *binding)'],
  AddRunConfigEntry: [
    165,
    'void *AddRunConfigEntry(void *options, const char *key, const char *value)',
  ],
  SynchronizeBoundInputs: [202, 'void *SynchronizeBoundInputs(void *binding)'],
  SynchronizeBoundOutputs: [203, 'void *SynchronizeBoundOutputs(void *binding)'],
  SessionOptionsAppendExecutionProvider_CUDA_V2: [
    204,
    'void *SessionOptionsAppendExecutionProvider_CUDA_V2(void *options, void *cuda_options)',
  ],
  CreateCUDAProviderOptions: [205, 'void *CreateCUDAProviderOptions(_Out_ void **out)'],
  UpdateCUDAProviderOptions: [
    206,
    'void *UpdateCUDAProviderOptions(void *cuda_options, const char **keys, const char **values, size_t n)',
  ],
  ReleaseCUDAProviderOptions: [208, 'void ReleaseCUDAProviderOptions(void *cuda_options)'],
  SessionOptionsAppendExecutionProvider: [
    216,
    'void *SessionOptionsAppendExecutionProvider(void *options, const char *name, const char **keys, const char **values, size_t n)',
  ],
  MemoryInfoGetDeviceType: [225, 'void MemoryInfoGetDeviceType(void *info, _Out_ int *out)'],
  UpdateEnvWithCustomLogLevel: [226, 'void *UpdateEnvWithCustomLogLevel(void *env, int level)'],
  SetUserLoggingFunction: [
    266,
    'void *SetUserLoggingFunction(void *options, void *fn, void *param)',
  ],
  GetCompileApi: [294, 'void *GetCompileApi(void)'],
  GetKeyValuePairs: [
    298,
    'void GetKeyValuePairs(void *kvps, _Out_ void **keys, _Out_ void **values, _Out_ size_t *n)',
  ],
  RegisterExecutionProviderLibrary: [
    301,
    `void *RegisterExecutionProviderLibrary(void *env, const char *name, ${PATH} path)`,
  ],
  UnregisterExecutionProviderLibrary: [
    302,
    'void *UnregisterExecutionProviderLibrary(void *env, const char *name)',
  ],
  GetEpDevices: [303, 'void *GetEpDevices(void *env, _Out_ void **devices, _Out_ size_t *n)'],
  SessionOptionsAppendExecutionProvider_V2: [
    304,
    'void *SessionOptionsAppendExecutionProvider_V2(void *options, void *env, void *devices, size_t n_devices, const char **keys, const char **values, size_t n)',
  ],
  SessionOptionsSetEpSelectionPolicy: [
    305,
    'void *SessionOptionsSetEpSelectionPolicy(void *options, int policy)',
  ],
  HardwareDevice_Type: [307, 'int HardwareDevice_Type(void *device)'],
  HardwareDevice_VendorId: [308, 'uint32_t HardwareDevice_VendorId(void *device)'],
  HardwareDevice_Vendor: [309, 'const char *HardwareDevice_Vendor(void *device)'],
  HardwareDevice_DeviceId: [310, 'uint32_t HardwareDevice_DeviceId(void *device)'],
  HardwareDevice_Metadata: [311, 'void *HardwareDevice_Metadata(void *device)'],
  EpDevice_EpName: [312, 'const char *EpDevice_EpName(void *ep_device)'],
  EpDevice_EpVendor: [313, 'const char *EpDevice_EpVendor(void *ep_device)'],
  EpDevice_EpMetadata: [314, 'void *EpDevice_EpMetadata(void *ep_device)'],
  EpDevice_EpOptions: [315, 'void *EpDevice_EpOptions(void *ep_device)'],
  EpDevice_Device: [316, 'void *EpDevice_Device(void *ep_device)'],
  GetTensorSizeInBytes: [318, 'void *GetTensorSizeInBytes(void *value, _Out_ size_t *size)'],
  CreateMemoryInfo_V2: [
    320,
    'void *CreateMemoryInfo_V2(const char *name, int device_type, uint32_t vendor_id, int32_t device_id, int mem_type, size_t alignment, int allocator_type, _Out_ void **out)',
  ],
  EpDevice_MemoryInfo: [374, 'void *EpDevice_MemoryInfo(void *ep_device, int mem_type)'],
  GetSharedAllocator: [
    376,
    'void *GetSharedAllocator(void *env, void *mem_info, _Out_ void **out)',
  ],
  SessionGetEpDeviceForInputs: [
    382,
    'void *SessionGetEpDeviceForInputs(void *session, void *devices, size_t n)',
  ],
  CopyTensors: [386, 'void *CopyTensors(void *env, void *src, void *dst, void *stream, size_t n)'],
  GetModelCompatibilityForEpDevices: [
    388,
    'void *GetModelCompatibilityForEpDevices(void *devices, size_t n, const char *info, _Out_ int *out)',
  ],
  TensorTypeAndShape_HasShape: [390, 'bool TensorTypeAndShape_HasShape(void *info)'],
  GetTensorElementTypeAndShapeDataReference: [
    414,
    'void *GetTensorElementTypeAndShapeDataReference(void *value, _Out_ int *type, _Out_ void **shape, _Out_ size_t *n)',
  ],
  GetCompatibilityInfoFromModel: [
    404,
    `void *GetCompatibilityInfoFromModel(${PATH} path, const char *ep_type, void *allocator, _Out_ void **out)`,
  ],
} as const;

/** [slot, C declaration] for each OrtCompileApi function used. */
const COMPILE_API = {
  ReleaseModelCompilationOptions: [0, 'void ReleaseModelCompilationOptions(void *p)'],
  CreateModelCompilationOptionsFromSessionOptions: [
    1,
    'void *CreateModelCompilationOptionsFromSessionOptions(void *env, void *session_options, _Out_ void **out)',
  ],
  ModelCompilationOptions_SetInputModelPath: [
    2,
    `void *ModelCompilationOptions_SetInputModelPath(void *options, ${PATH} path)`,
  ],
  ModelCompilationOptions_SetInputModelFromBuffer: [
    3,
    'void *ModelCompilationOptions_SetInputModelFromBuffer(void *options, void *data, size_t len)',
  ],
  ModelCompilationOptions_SetOutputModelPath: [
    4,
    `void *ModelCompilationOptions_SetOutputModelPath(void *options, ${PATH} path)`,
  ],
  ModelCompilationOptions_SetEpContextEmbedMode: [
    7,
    'void *ModelCompilationOptions_SetEpContextEmbedMode(void *options, bool embed)',
  ],
  CompileModel: [8, 'void *CompileModel(void *env, void *options)'],
  ModelCompilationOptions_SetFlags: [
    9,
    'void *ModelCompilationOptions_SetFlags(void *options, uint32_t flags)',
  ],
  ModelCompilationOptions_SetGraphOptimizationLevel: [
    11,
    'void *ModelCompilationOptions_SetGraphOptimizationLevel(void *options, int level)',
  ],
} as const;

/** The signature of the JS logger trampoline ORT calls (OrtLoggingFunction). */
const LOGGING_FUNCTION =
  'void (void *param, int severity, const char *category, const char *logid, const char *code_location, const char *message)';

// koffi returns untyped functions; the interfaces below give each one its C signature in TS terms.
type S = NPtr; // an OrtStatus*: NULL on success

/** The OrtApi functions, typed. */
export interface OrtApi {
  GetErrorCode: NativeFn<[status: Ptr], number>;
  GetErrorMessage: NativeFn<[status: Ptr], string>;
  CreateEnv: NativeFn<[number, string, Out<NPtr>], S>;
  CreateEnvWithCustomLogger: NativeFn<[Ptr, PtrArg, number, string, Out<NPtr>], S>;
  EnableTelemetryEvents: NativeFn<[Ptr], S>;
  DisableTelemetryEvents: NativeFn<[Ptr], S>;
  CreateSession: NativeFn<[Ptr, string, Ptr, Out<NPtr>], S>;
  CreateSessionFromArray: NativeFn<[Ptr, Uint8Array, number, Ptr, Out<NPtr>], S>;
  Run: NativeFn<[Ptr, NPtr, string[], BigUint64Array, number, string[], number, BigUint64Array], S>;
  CreateSessionOptions: NativeFn<[Out<NPtr>], S>;
  SetOptimizedModelFilePath: NativeFn<[Ptr, string], S>;
  CloneSessionOptions: NativeFn<[Ptr, Out<NPtr>], S>;
  SetSessionExecutionMode: NativeFn<[Ptr, number], S>;
  EnableProfiling: NativeFn<[Ptr, string], S>;
  SessionEndProfiling: NativeFn<[Ptr, Ptr, Out<NPtr>], S>;
  SetSessionLogId: NativeFn<[Ptr, string], S>;
  SetSessionLogSeverityLevel: NativeFn<[Ptr, number], S>;
  SetSessionGraphOptimizationLevel: NativeFn<[Ptr, number], S>;
  SetIntraOpNumThreads: NativeFn<[Ptr, number], S>;
  SetInterOpNumThreads: NativeFn<[Ptr, number], S>;
  SessionGetInputCount: NativeFn<[Ptr, Out<number>], S>;
  SessionGetOutputCount: NativeFn<[Ptr, Out<number>], S>;
  SessionGetInputTypeInfo: NativeFn<[Ptr, number, Out<NPtr>], S>;
  SessionGetOutputTypeInfo: NativeFn<[Ptr, number, Out<NPtr>], S>;
  SessionGetInputName: NativeFn<[Ptr, number, Ptr, Out<NPtr>], S>;
  SessionGetOutputName: NativeFn<[Ptr, number, Ptr, Out<NPtr>], S>;
  CreateRunOptions: NativeFn<[Out<NPtr>], S>;
  RunOptionsSetRunLogSeverityLevel: NativeFn<[Ptr, number], S>;
  RunOptionsSetRunTag: NativeFn<[Ptr, string], S>;
  RunOptionsSetTerminate: NativeFn<[Ptr], S>;
  RunOptionsUnsetTerminate: NativeFn<[Ptr], S>;
  CreateTensorAsOrtValue: NativeFn<[Ptr, BigInt64Array, number, number, Out<NPtr>], S>;
  CreateTensorWithDataAsOrtValue: NativeFn<
    [Ptr, PtrArg, number, BigInt64Array, number, number, Out<NPtr>],
    S
  >;
  GetTensorMutableData: NativeFn<[Ptr, Out<NPtr>], S>;
  FillStringTensor: NativeFn<[Ptr, string[], number], S>;
  GetStringTensorDataLength: NativeFn<[Ptr, Out<number>], S>;
  GetStringTensorContent: NativeFn<[Ptr, Uint8Array, number, BigUint64Array, number], S>;
  CastTypeInfoToTensorInfo: NativeFn<[Ptr, Out<NPtr>], S>;
  GetOnnxTypeFromTypeInfo: NativeFn<[Ptr, Out<number>], S>;
  GetTensorElementType: NativeFn<[Ptr, Out<number>], S>;
  GetDimensionsCount: NativeFn<[Ptr, Out<number>], S>;
  GetDimensions: NativeFn<[Ptr, BigInt64Array, number], S>;
  GetSymbolicDimensions: NativeFn<[Ptr, BigUint64Array, number], S>;
  GetValueType: NativeFn<[Ptr, Out<number>], S>;
  CreateMemoryInfo: NativeFn<[string, number, number, number, Out<NPtr>], S>;
  CreateCpuMemoryInfo: NativeFn<[number, number, Out<NPtr>], S>;
  MemoryInfoGetName: NativeFn<[Ptr, Out<NPtr>], S>;
  MemoryInfoGetId: NativeFn<[Ptr, Out<number>], S>;
  AllocatorFree: NativeFn<[Ptr, Ptr], S>;
  CreateAllocator: NativeFn<[Ptr, Ptr, Out<NPtr>], S>;
  ReleaseAllocator: NativeFn<[Ptr], void>;
  GetAllocatorWithDefaultOptions: NativeFn<[Out<NPtr>], S>;
  ReleaseStatus: NativeFn<[Ptr], void>;
  ReleaseMemoryInfo: NativeFn<[Ptr], void>;
  ReleaseSession: NativeFn<[Ptr], void>;
  ReleaseValue: NativeFn<[Ptr], void>;
  ReleaseRunOptions: NativeFn<[Ptr], void>;
  ReleaseTypeInfo: NativeFn<[Ptr], void>;
  ReleaseSessionOptions: NativeFn<[Ptr], void>;
  AddFreeDimensionOverrideByName: NativeFn<[Ptr, string, bigint], S>;
  GetAvailableProviders: NativeFn<[Out<NPtr>, Out<number>], S>;
  ReleaseAvailableProviders: NativeFn<[Ptr, number], S>;
  AddSessionConfigEntry: NativeFn<[Ptr, string, string], S>;
  RunWithBinding: NativeFn<[Ptr, NPtr, Ptr], S>;
  CreateIoBinding: NativeFn<[Ptr, Out<NPtr>], S>;
  ReleaseIoBinding: NativeFn<[Ptr], void>;
  BindInput: NativeFn<[Ptr, string, Ptr], S>;
  BindOutput: NativeFn<[Ptr, string, Ptr], S>;
  BindOutputToDevice: NativeFn<[Ptr, string, Ptr], S>;
  GetBoundOutputNames: NativeFn<[Ptr, Ptr, Out<NPtr>, Out<NPtr>, Out<number>], S>;
  GetBoundOutputValues: NativeFn<[Ptr, Ptr, Out<NPtr>, Out<number>], S>;
  ClearBoundInputs: NativeFn<[Ptr], void>;
  ClearBoundOutputs: NativeFn<[Ptr], void>;
  AddRunConfigEntry: NativeFn<[Ptr, string, string], S>;
  SynchronizeBoundInputs: NativeFn<[Ptr], S>;
  SynchronizeBoundOutputs: NativeFn<[Ptr], S>;
  SessionOptionsAppendExecutionProvider_CUDA_V2: NativeFn<[Ptr, Ptr], S>;
  CreateCUDAProviderOptions: NativeFn<[Out<NPtr>], S>;
  UpdateCUDAProviderOptions: NativeFn<[Ptr, string[], string[], number], S>;
  ReleaseCUDAProviderOptions: NativeFn<[Ptr], void>;
  SessionOptionsAppendExecutionProvider: NativeFn<[Ptr, string, string[], string[], number], S>;
  MemoryInfoGetDeviceType: NativeFn<[Ptr, Out<number>], void>;
  UpdateEnvWithCustomLogLevel: NativeFn<[Ptr, number], S>;
  SetUserLoggingFunction: NativeFn<[Ptr, Ptr, PtrArg], S>;
  GetCompileApi: NativeFn<[], NPtr>;
  GetKeyValuePairs: NativeFn<[Ptr, Out<NPtr>, Out<NPtr>, Out<number>], void>;
  RegisterExecutionProviderLibrary: NativeFn<[Ptr, string, string], S>;
  UnregisterExecutionProviderLibrary: NativeFn<[Ptr, string], S>;
  GetEpDevices: NativeFn<[Ptr, Out<NPtr>, Out<number>], S>;
  SessionOptionsAppendExecutionProvider_V2: NativeFn<
    [Ptr, Ptr, BigUint64Array, number, string[], string[], number],
    S
  >;
  SessionOptionsSetEpSelectionPolicy: NativeFn<[Ptr, number], S>;
  HardwareDevice_Type: NativeFn<[Ptr], number>;
  HardwareDevice_VendorId: NativeFn<[Ptr], number>;
  HardwareDevice_Vendor: NativeFn<[Ptr], string | null>;
  HardwareDevice_DeviceId: NativeFn<[Ptr], number>;
  HardwareDevice_Metadata: NativeFn<[Ptr], NPtr>;
  EpDevice_EpName: NativeFn<[Ptr], string | null>;
  EpDevice_EpVendor: NativeFn<[Ptr], string | null>;
  EpDevice_EpMetadata: NativeFn<[Ptr], NPtr>;
  EpDevice_EpOptions: NativeFn<[Ptr], NPtr>;
  EpDevice_Device: NativeFn<[Ptr], NPtr>;
  GetTensorSizeInBytes: NativeFn<[Ptr, Out<number>], S>;
  CreateMemoryInfo_V2: NativeFn<
    [string, number, number, number, number, number, number, Out<NPtr>],
    S
  >;
  EpDevice_MemoryInfo: NativeFn<[Ptr, number], NPtr>;
  GetSharedAllocator: NativeFn<[Ptr, Ptr, Out<NPtr>], S>;
  SessionGetEpDeviceForInputs: NativeFn<[Ptr, BigUint64Array, number], S>;
  CopyTensors: NativeFn<[Ptr, BigUint64Array, BigUint64Array, NPtr, number], S>;
  GetModelCompatibilityForEpDevices: NativeFn<[BigUint64Array, number, string, Out<number>], S>;
  GetCompatibilityInfoFromModel: NativeFn<[string, string, Ptr, Out<NPtr>], S>;
  TensorTypeAndShape_HasShape: NativeFn<[Ptr], boolean>;
  GetTensorElementTypeAndShapeDataReference: NativeFn<
    [Ptr, Out<number>, Out<NPtr>, Out<number>],
    S
  >;
}

/** The OrtCompileApi functions, typed. */
export interface OrtCompileApi {
  ReleaseModelCompilationOptions: NativeFn<[Ptr], void>;
  CreateModelCompilationOptionsFromSessionOptions: NativeFn<[Ptr, Ptr, Out<NPtr>], S>;
  ModelCompilationOptions_SetInputModelPath: NativeFn<[Ptr, string], S>;
  ModelCompilationOptions_SetInputModelFromBuffer: NativeFn<[Ptr, Uint8Array, number], S>;
  ModelCompilationOptions_SetOutputModelPath: NativeFn<[Ptr, string], S>;
  ModelCompilationOptions_SetEpContextEmbedMode: NativeFn<[Ptr, boolean], S>;
  CompileModel: NativeFn<[Ptr, Ptr], S>;
  ModelCompilationOptions_SetFlags: NativeFn<[Ptr, number], S>;
  ModelCompilationOptions_SetGraphOptimizationLevel: NativeFn<[Ptr, number], S>;
}

// Compile-time check that every declared function has a typed entry and vice versa.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _ortKeys: Same<keyof typeof ORT_API, keyof OrtApi> = true;
const _compileKeys: Same<keyof typeof COMPILE_API, keyof OrtCompileApi> = true;
void _ortKeys;
void _compileKeys;

/** The declared slot table, for tests that check it against the reference index. */
export const DECLARED_SLOTS = {
  OrtApi: Object.fromEntries(Object.entries(ORT_API).map(([k, v]) => [k, v[0]])),
  OrtCompileApi: Object.fromEntries(Object.entries(COMPILE_API).map(([k, v]) => [k, v[0]])),
} as Record<'OrtApi' | 'OrtCompileApi', Record<string, number>>;

/** Everything the rest of the binding needs from the loaded library. */
export interface OrtBinding {
  library: OrtLibrary;
  api: OrtApi;
  /** The OrtLoggingFunction callback type, for koffi.register. */
  loggingFunctionType: TypeObject;
}

let binding: OrtBinding | null = null;
let compileApi: OrtCompileApi | null = null;

// koffi prototypes are anonymous here: the C function names stay in the table for people.
function protoOf(declaration: string): TypeObject {
  return koffi.proto(declaration.replace(/\b[A-Za-z_]\w*\s*\(/, '('));
}

function decodeTable<T>(tablePtr: bigint, table: Record<string, readonly [number, string]>): T {
  const maxSlot = Math.max(...Object.values(table).map(([slot]) => slot));
  const slots = koffi.decode(tablePtr, 'void *', maxSlot + 1) as NPtr[];
  const out: Record<string, unknown> = {};
  for (const [name, [slot, declaration]] of Object.entries(table)) {
    const fnPtr = slots[slot];
    if (!fnPtr) throw new Error(`ORT function table: slot ${slot} (${name}) is NULL`);
    out[name] = koffi.decode(fnPtr, protoOf(declaration));
  }
  return out as T;
}

/**
 * Loads the library (see {@link loadOrtLibrary}) and decodes the OrtApi functions, once per
 * process. `location` only matters on the first call.
 */
export function ortBinding(location?: string): OrtBinding {
  if (binding) {
    if (location !== undefined) loadOrtLibrary(location); // throws when it names another library
    return binding;
  }
  const library = loadOrtLibrary(location);
  const api = decodeTable<OrtApi>(library.apiPtr, ORT_API);
  binding = { library, api, loggingFunctionType: koffi.pointer(koffi.proto(LOGGING_FUNCTION)) };
  return binding;
}

/** The OrtCompileApi functions (GetCompileApi, slot 294). */
export function ortCompileApi(): OrtCompileApi {
  if (compileApi) return compileApi;
  const { api } = ortBinding();
  const table = api.GetCompileApi();
  if (!table) throw new Error('GetCompileApi returned NULL');
  compileApi = decodeTable<OrtCompileApi>(table, COMPILE_API);
  return compileApi;
}

// Native calls of this process running on koffi worker threads right now (see asyncCallsInFlight).
let inFlight = 0;

/** Calls a native function on a koffi worker thread; the JS thread stays free meanwhile. */
export function callAsync<A extends unknown[], R>(fn: NativeFn<A, R>, ...args: A): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    inFlight++;
    try {
      fn.async(...args, (err: unknown, res: R) => {
        inFlight--;
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(res);
      });
    } catch (err) {
      // koffi refused the arguments before queueing: no worker thread has it.
      inFlight--;
      throw err;
    }
  });
}

/**
 * How many {@link callAsync} calls are running on koffi worker threads now. A synchronous ORT call
 * on the JS thread is only started when this is 0: then no other thread of ours is inside ORT, so
 * none can hold an ORT lock while it waits for the (blocked) JS thread to run a log callback.
 */
export function asyncCallsInFlight(): number {
  return inFlight;
}

/** Reads a NUL-terminated UTF-8 string at `ptr` (null for NULL). */
export function readCString(ptr: NPtr): string | null {
  return ptr ? koffi.decode.string(ptr) : null;
}

/** Reads `count` pointers starting at `ptr`. */
export function readPointers(ptr: NPtr, count: number): NPtr[] {
  if (!ptr || count === 0) return [];
  return koffi.decode(ptr, 'void *', count) as NPtr[];
}
