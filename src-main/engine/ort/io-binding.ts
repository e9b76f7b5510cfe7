/**
 * OrtIoBinding: inputs and outputs bound once (device memory, persistent buffers for CUDA graphs),
 * then RunWithBinding off the JS thread (or on it, where Session.canRunSync allows: runSync).
 * Also CopyTensors, the env's device-agnostic copy.
 */
import { AppError } from '../../shared/errors';
import type { HostTensor } from '../tensor';
import { callAsync, ortBinding, readPointers } from './api';
import type { NPtr } from './api';
import { ortEnv } from './env';
import { NativeHandle, pinAll, withPinned } from './handle';
import { Allocator } from './memory-info';
import { copyFromNative } from './native-memory';
import type { MemoryInfo } from './memory-info';
import type { RunOptions } from './run-options';
import type { Session } from './session';
import { check, failureError, readStatus } from './status';
import { OrtValue } from './value';

/** An OrtIoBinding on one session. */
export class IoBinding extends NativeHandle {
  readonly session: Session;
  // ORT's binding shares the bound tensors; these keep their JS memory (if any) alive.
  readonly #inputs = new Map<string, OrtValue>();
  readonly #outputs = new Map<string, OrtValue>();

  private constructor(ptr: bigint, session: Session) {
    super('OrtIoBinding', ptr, (p) => ortBinding().api.ReleaseIoBinding(p));
    this.session = session;
  }

  /** CreateIoBinding. */
  static create(session: Session): IoBinding {
    const out: [NPtr] = [null];
    check(ortBinding().api.CreateIoBinding(session.ptr, out), `binding ${session.label}`);
    return new IoBinding(out[0] ?? 0n, session);
  }

  /** BindInput. The value must stay alive (unreleased) while bound. */
  bindInput(name: string, value: OrtValue): this {
    check(ortBinding().api.BindInput(this.ptr, name, value.ptr), `binding input '${name}'`);
    this.#inputs.set(name, value);
    return this;
  }

  /** BindOutput: ORT writes the output into this pre-allocated value. */
  bindOutput(name: string, value: OrtValue): this {
    check(ortBinding().api.BindOutput(this.ptr, name, value.ptr), `binding output '${name}'`);
    this.#outputs.set(name, value);
    return this;
  }

  /** BindOutputToDevice: ORT allocates the output on that memory (dynamic shapes). */
  bindOutputToDevice(name: string, memInfo: MemoryInfo): this {
    check(
      ortBinding().api.BindOutputToDevice(this.ptr, name, memInfo.ptr),
      `binding output '${name}' to ${memInfo.name}`,
    );
    this.#outputs.delete(name);
    return this;
  }

  /** RunWithBinding on a worker thread. Terminating `runOptions` ends it with CANCELLED. */
  async run(runOptions?: RunOptions): Promise<void> {
    const bound = [...this.#inputs.values(), ...this.#outputs.values()];
    const status = await withPinned([this, this.session, runOptions, ...bound], () =>
      callAsync(
        ortBinding().api.RunWithBinding,
        this.session.ptr,
        runOptions ? runOptions.ptr : null,
        this.ptr,
      ),
    );
    this.#checkRun(status, runOptions);
  }

  /**
   * RunWithBinding synchronously on the JS thread (no worker-thread hop). Throws an Error unless
   * `session.assertCanRunSync` passes (Session's file comment says why that cannot deadlock);
   * callers should also check `session.canRunSync`.
   */
  runSync(runOptions?: RunOptions): void {
    this.session.assertCanRunSync('IoBinding.runSync');
    const pinned = pinAll([
      this,
      this.session,
      runOptions,
      ...this.#inputs.values(),
      ...this.#outputs.values(),
    ]);
    let status: NPtr;
    try {
      status = ortBinding().api.RunWithBinding(
        this.session.ptr,
        runOptions ? runOptions.ptr : null,
        this.ptr,
      );
    } finally {
      for (const h of pinned) h.unpin();
    }
    this.#checkRun(status, runOptions);
  }

  #checkRun(status: NPtr, runOptions?: RunOptions): void {
    const failure = readStatus(status);
    if (!failure) return;
    if (runOptions?.terminated) {
      throw failureError(failure, `run of ${this.session.label} was cancelled`, 'CANCELLED');
    }
    throw failureError(failure, `running ${this.session.label} with bound inputs`);
  }

  /** GetBoundOutputNames, in binding order. */
  outputNames(): string[] {
    const allocator = Allocator.default();
    const buffer: [NPtr] = [null];
    const lengths: [NPtr] = [null];
    const count: [number] = [0];
    check(
      ortBinding().api.GetBoundOutputNames(this.ptr, allocator.ptr, buffer, lengths, count),
      'reading bound output names',
    );
    try {
      if (count[0] === 0 || !buffer[0] || !lengths[0]) return [];
      const lens = readSizes(lengths[0], count[0]);
      const total = lens.reduce((a, b) => a + b, 0);
      const bytes = new Uint8Array(total);
      if (total > 0) copyBytes(bytes, buffer[0]);
      const decoder = new TextDecoder();
      const names: string[] = [];
      let at = 0;
      for (const len of lens) {
        names.push(decoder.decode(bytes.subarray(at, at + len)));
        at += len;
      }
      return names;
    } finally {
      if (buffer[0]) allocator.free(buffer[0]);
      if (lengths[0]) allocator.free(lengths[0]);
    }
  }

  /**
   * GetBoundOutputValues: new references to the outputs, in binding order. The caller owns and
   * releases each one; the array ORT returns is freed here with the same allocator.
   */
  outputValues(): OrtValue[] {
    const allocator = Allocator.default();
    const arr: [NPtr] = [null];
    const count: [number] = [0];
    check(
      ortBinding().api.GetBoundOutputValues(this.ptr, allocator.ptr, arr, count),
      'reading bound output values',
    );
    if (!arr[0]) return [];
    try {
      return readPointers(arr[0], count[0]).map((p) => {
        if (!p) throw new Error('bound output value is NULL');
        return OrtValue.adopt(p);
      });
    } finally {
      allocator.free(arr[0]);
    }
  }

  /** The bound outputs copied into JS memory (CPU-resident outputs only), by name. */
  outputs(): Record<string, HostTensor> {
    const names = this.outputNames();
    const values = this.outputValues();
    try {
      const out: Record<string, HostTensor> = {};
      values.forEach((v, i) => {
        const name = names[i] ?? `output ${i}`;
        out[name] = v.toHost(name);
      });
      return out;
    } finally {
      for (const v of values) v.release();
    }
  }

  /** ClearBoundInputs. */
  clearInputs(): void {
    ortBinding().api.ClearBoundInputs(this.ptr);
    this.#inputs.clear();
  }

  /** ClearBoundOutputs. */
  clearOutputs(): void {
    ortBinding().api.ClearBoundOutputs(this.ptr);
    this.#outputs.clear();
  }

  /** SynchronizeBoundInputs: waits for bound inputs produced on another device stream. */
  synchronizeInputs(): void {
    check(ortBinding().api.SynchronizeBoundInputs(this.ptr), 'synchronizing bound inputs');
  }

  /** SynchronizeBoundOutputs: waits until the outputs of the last run are ready. */
  synchronizeOutputs(): void {
    check(ortBinding().api.SynchronizeBoundOutputs(this.ptr), 'synchronizing bound outputs');
  }
}

/**
 * CopyTensors' arguments: the env and both pointer arrays, or null when there is nothing to copy;
 * BAD_REQUEST when the lists differ in length.
 */
function copyArgs(
  src: readonly OrtValue[],
  dst: readonly OrtValue[],
): [bigint, BigUint64Array, BigUint64Array, null, number] | null {
  if (src.length !== dst.length) {
    throw new AppError('BAD_REQUEST', `copyTensors: ${src.length} sources, ${dst.length} targets`);
  }
  if (src.length === 0) return null;
  return [
    ortEnv().ptr,
    new BigUint64Array(src.map((v) => v.ptr)),
    new BigUint64Array(dst.map((v) => v.ptr)),
    null,
    src.length,
  ];
}

/**
 * CopyTensors: copies each `src[i]` into `dst[i]` (same shapes; one source device and one
 * destination device), through the registered EPs' data transfer, on a worker thread.
 */
export async function copyTensors(
  src: readonly OrtValue[],
  dst: readonly OrtValue[],
): Promise<void> {
  const args = copyArgs(src, dst);
  if (args === null) return;
  const status = await withPinned([...src, ...dst], () =>
    callAsync(ortBinding().api.CopyTensors, ...args),
  );
  check(status, `copying ${src.length} tensor(s)`);
}

/**
 * CopyTensors on the calling thread: only where no ORT thread can call into JS while it blocks
 * (the env logs to stderr: engine/ort/env.ts), which {@link copyTensorsCanRunSync} says. A
 * read-back from a GPU waits for the GPU's queued work here, as the asynchronous copy does.
 */
export function copyTensorsSync(src: readonly OrtValue[], dst: readonly OrtValue[]): void {
  if (!copyTensorsCanRunSync()) {
    throw new Error('copyTensorsSync: ORT logs to JS in this process; use copyTensors');
  }
  const args = copyArgs(src, dst);
  if (args === null) return;
  check(ortBinding().api.CopyTensors(...args), `copying ${src.length} tensor(s)`);
}

/** Whether {@link copyTensorsSync} may be called in this process. */
export function copyTensorsCanRunSync(): boolean {
  return ortEnv().logSink === 'stderr';
}

function readSizes(ptr: bigint, count: number): number[] {
  const sizes = new BigUint64Array(count);
  copyFromNative(sizes, ptr, count * 8);
  return Array.from(sizes, (s) => Number(s));
}

function copyBytes(dst: Uint8Array, src: bigint): void {
  copyFromNative(dst, src, dst.byteLength);
}
