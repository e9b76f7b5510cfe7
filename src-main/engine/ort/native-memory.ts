/**
 * Copies between native memory and JS-owned memory with the C runtime's memcpy. Outputs must land
 * in JS-owned ArrayBuffers: Electron's V8 memory cage rejects external ArrayBuffers over native
 * memory (so koffi.view is not an option), and one memcpy is the cheapest copy there is.
 */
import koffi from '../../native/koffi-setup';
import type { NativeFn, PtrArg } from './api';

type Memcpy = NativeFn<[dst: PtrArg, src: PtrArg, n: number], unknown>;

let memcpy: Memcpy | null = null;

function crtLibrary(): string {
  // All three are loaded into every process already; Windows' msvcrt.dll is a KnownDLL, so this
  // name cannot be hijacked by the search order.
  if (process.platform === 'win32') return 'msvcrt.dll';
  if (process.platform === 'darwin') return '/usr/lib/libSystem.B.dylib';
  return 'libc.so.6';
}

function getMemcpy(): Memcpy {
  if (!memcpy) {
    memcpy = koffi
      .load(crtLibrary())
      .func('void *memcpy(void *dst, void *src, size_t n)') as Memcpy;
  }
  return memcpy;
}

/** Copies `bytes` bytes from native address `src` into `dst` (a JS typed array's memory). */
export function copyFromNative(dst: ArrayBufferView, src: bigint, bytes: number): void {
  if (bytes === 0) return;
  if (bytes > dst.byteLength) throw new Error(`copy of ${bytes} bytes into ${dst.byteLength}`);
  getMemcpy()(dst, src, bytes);
}
