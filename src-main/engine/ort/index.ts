/**
 * The native ONNX Runtime binding: the only code in Crucible that calls ORT's C API. Everything
 * outside engine/ort/ sees these TypeScript types.
 */
export { ORT_API_VERSION, bundledOrtDir, loadOrtLibrary, resolveOrtLibraryPath } from './library';
export type { OrtLibrary } from './library';
export { initOrt, ortEnv, LOG_LEVELS } from './env';
export type { LogLevel, OrtEnvOptions, OrtEnvironment, OrtLogListener, OrtLogRecord } from './env';
export { ORT_ERROR_CODES, appCodeFor, ortErrorCodeName } from './status';
export { NativeHandle } from './handle';
export {
  SessionOptions,
  GRAPH_OPTIMIZATION_LEVELS,
  EP_SELECTION_POLICIES,
} from './session-options';
export type {
  EpSelectionPolicy,
  GraphOptimizationLevel,
  ProviderByName,
  SessionOptionsInit,
} from './session-options';
export { RunOptions } from './run-options';
export type { RunOptionsInit } from './run-options';
export { OrtValue } from './value';
export type { OnnxValueType } from './value';
export { Session } from './session';
export type { SessionCreateOptions, SessionFromBytesOptions } from './session';
export { IoBinding, copyTensors } from './io-binding';
export { Allocator, MemoryInfo, cpuMemoryInfo } from './memory-info';
export type {
  AllocatorType,
  DeviceMemoryType,
  MemType,
  MemoryDeviceType,
  MemoryInfoV2Init,
} from './memory-info';
export {
  EpDevice,
  getAvailableProviders,
  getEpDevices,
  registerExecutionProviderLibrary,
  unregisterExecutionProviderLibrary,
} from './ep-devices';
export type { HardwareDevice, HardwareDeviceType } from './ep-devices';
export { compileModel, COMPILE_FLAGS } from './compile';
export type { CompileOptions } from './compile';
