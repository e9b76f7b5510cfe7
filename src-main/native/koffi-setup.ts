/**
 * koffi, configured for the native code Crucible calls. koffi runs each call on a C stack of its
 * own; for async calls (every long ORT call, see README) that stack is 128 KiB by default. ORT's
 * WebGPU provider — Dawn plus the GPU driver's shader compiler — needs far more: on an NVIDIA H200
 * (driver 580, 2026-11-23) every WebGPU session creation or run through koffi's async calls died
 * with SIGSEGV while the CPU provider ran fine. 8 MiB matches a default Linux thread stack.
 * Must run before the first koffi call in the process; every FFI module (engine/ort, gpu/nvml.ts)
 * imports koffi from here, never 'koffi' itself (a lint rule says so).
 */
import koffi from 'koffi';

/** Stack for each native call, sync or async. */
export const NATIVE_STACK_BYTES = 8 * 1024 * 1024;

try {
  koffi.config({
    sync_stack_size: NATIVE_STACK_BYTES,
    async_stack_size: NATIVE_STACK_BYTES,
    // Each queued async call holds its own stack: bound how many can queue (ORT calls are few).
    max_async_calls: 64,
  });
} catch (err) {
  // koffi refuses once a library is loaded: someone imported koffi directly and loaded first.
  console.error(`crucible: native call stacks stay at koffi's defaults: ${(err as Error).message}`);
}

export default koffi;
