/**
 * Where a GPU inference's time goes, trtexec-style: host → device copy of the inputs, compute
 * with inputs and outputs resident on the device, device → host copy of the outputs — each
 * measured on its own over the same session, through ORT's IO binding and CopyTensors:
 *
 * - H2D: CopyTensors of every input from host memory into device buffers (the env's shared
 *   allocator for the device memory, else the session's own allocator, CreateAllocator);
 * - compute: a run with those device inputs and pre-allocated device outputs;
 * - D2H: CopyTensors of every output into host memory.
 *
 * Providers that queue work return before the GPU has finished, and only a read-back waits for
 * it: H2D and compute are each timed as {@link SPLIT_BATCH} copies (runs) queued back to back up
 * to one read-back (of the inputs; of the smallest output), less the same read-back timed again on
 * settled data, divided by the batch — so the read-back's fixed cost is not charged to each part
 * (measured on an H100 with WebGPU, one read-back per part made compute alone 1.78 ms against
 * 1.47 ms for a whole IO-binding run). D2H is one read-back of every output, as a caller pays it.
 * Each part's figure is the median over `runs` rounds (H2D, compute, D2H in turn). For providers
 * without device memory (CPU) there is nothing to split: null. Inputs are synthesized (seed 1);
 * their values do not change the copies, and for float models not the compute either.
 */
import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../../ipc/contract';
import { IoBinding, copyTensors, copyTensorsCanRunSync, copyTensorsSync } from '../ort/io-binding';
import { Allocator, MemoryInfo } from '../ort/memory-info';
import type { Session } from '../ort/session';
import { OrtValue } from '../ort/value';
import { synthesizeInputs } from '../model/synth';
import { median } from './stats';

/** ORT's memory names for each provider's device memory (as the runner binds them). */
const DEVICE_MEMORY: Partial<Record<ProviderId, string>> = {
  cuda: 'Cuda',
  'nv-tensorrt-rtx': 'Cuda',
  webgpu: 'WebGPU_Buffer',
  dml: 'DML',
};

/** Copies (runs) queued per read-back when timing H2D and compute. */
export const SPLIT_BATCH = 10;
const BATCH = SPLIT_BATCH;

/** The split of one inference (medians, ms) and the bytes each copy moved. */
export interface SplitFigures {
  h2dMs: number;
  computeMs: number;
  d2hMs: number;
  h2dBytes: number;
  d2hBytes: number;
  runs: number;
  notes: string[];
}

/** Whether `provider` has device memory to split around; null when it has. */
export function splitProblem(provider: ProviderId): string | null {
  return DEVICE_MEMORY[provider] ? null : `${provider}: no device memory, nothing to copy`;
}

/** Measures the split on `session` (opened on `provider`); null for providers without device memory. */
export async function measureSplit(
  session: Session,
  provider: ProviderId,
  dims: Record<string, number>,
  runs: number,
): Promise<SplitFigures | null> {
  const memName = DEVICE_MEMORY[provider];
  if (!memName) return null;
  const notes: string[] = [];
  const owned: { release(): void }[] = [];
  try {
    const deviceMem = MemoryInfo.create(memName, 0, 'device', 'default');
    owned.push(deviceMem);
    let allocator: Allocator;
    try {
      allocator = Allocator.shared(deviceMem);
      notes.push(`device inputs from the env's shared ${memName} allocator`);
    } catch {
      allocator = Allocator.forSession(session, deviceMem);
      owned.push(allocator);
      notes.push(`device inputs from the session's ${memName} allocator (CreateAllocator)`);
    }
    const host = synthesizeInputs(session.inputs, { fill: 'random', seed: 1, dims });
    const names = Object.keys(host);
    const hostIn = names.map((n) => {
      const v = OrtValue.fromHost(host[n] as NonNullable<(typeof host)[string]>, n);
      owned.push(v);
      return v;
    });
    const devIn = names.map((n) => {
      const t = host[n] as NonNullable<(typeof host)[string]>;
      const v = OrtValue.allocate(allocator, t.dtype, t.dims);
      owned.push(v);
      return v;
    });
    const binding = IoBinding.create(session);
    owned.push(binding);
    names.forEach((n, i) => binding.bindInput(n, devIn[i] as OrtValue));
    for (const o of session.outputs) binding.bindOutputToDevice(o.name, deviceMem);
    await copyTensors(hostIn, devIn);
    await binding.run();
    const outNames = binding.outputNames();
    const devOut = binding.outputValues();
    owned.push(...devOut);
    devOut.forEach((v, i) => binding.bindOutput(outNames[i] ?? '', v));
    const hostOut = devOut.map((v, i) => {
      const info = v.tensorInfo(outNames[i]);
      const h = OrtValue.allocate(Allocator.default(), info.dtype, info.dims);
      owned.push(h);
      return h;
    });
    // Providers that queue work (WebGPU, CUDA) return from a copy or a run before the GPU is
    // done; only a read-back to host memory waits for it. So each part is timed up to a read-back
    // and the read-back's own time, measured right after on settled data, is taken off.
    const backIn = devIn.map((v) => {
      const info = v.tensorInfo();
      const h = OrtValue.allocate(Allocator.default(), info.dtype, info.dims);
      owned.push(h);
      return h;
    });
    const smallest = devOut.reduce(
      (m, v, i) => (v.byteSize() < (devOut[m]?.byteSize() ?? Infinity) ? i : m),
      0,
    );
    const probeSrc = [devOut[smallest] as OrtValue];
    const probeDst = [hostOut[smallest] as OrtValue];
    // Sync calls where this process allows them (no worker-thread hop in the timings).
    const sync = copyTensorsCanRunSync() && session.canRunSync;
    const copy = async (a: OrtValue[], b: OrtValue[]) =>
      sync ? copyTensorsSync(a, b) : copyTensors(a, b);
    const run = async () => (sync ? binding.runSync() : binding.run());
    const h2d: number[] = [];
    const compute: number[] = [];
    const d2h: number[] = [];
    for (let i = 0; i < runs; i++) {
      // K copies (or runs) queued back to back and one read-back that waits for all of them,
      // less the read-back alone on settled data, ÷ K: the read-back's fixed cost (a WebGPU
      // buffer map is ~0.8 ms) and its jitter are spread over K instead of landing on each part.
      const t0 = performance.now();
      for (let k = 0; k < BATCH; k++) await copy(hostIn, devIn);
      await copy(devIn, backIn);
      const t1 = performance.now();
      await copy(devIn, backIn);
      const t2 = performance.now();
      for (let k = 0; k < BATCH; k++) await run();
      await copy(probeSrc, probeDst);
      const t3 = performance.now();
      await copy(probeSrc, probeDst);
      const t4 = performance.now();
      await copy(devOut, hostOut);
      const t5 = performance.now();
      h2d.push(Math.max(0, (t1 - t0 - (t2 - t1)) / BATCH));
      compute.push(Math.max(0, (t3 - t2 - (t4 - t3)) / BATCH));
      d2h.push(t5 - t4);
    }
    notes.push(
      `H2D and compute: ${BATCH} copies (runs) queued back to back and one read-back that waits for them, less that read-back on settled data, ÷ ${BATCH}; D2H: one read-back of every output (what a caller pays, the device's fixed read-back cost included)`,
      sync
        ? 'calls made on the engine thread (no worker-thread hop in the figures)'
        : 'calls made through the worker thread (its hop is in the figures)',
    );
    return {
      h2dMs: median(h2d),
      computeMs: median(compute),
      d2hMs: median(d2h),
      h2dBytes: devIn.reduce((s, v) => s + v.byteSize(), 0),
      d2hBytes: devOut.reduce((s, v) => s + v.byteSize(), 0),
      runs,
      notes,
    };
  } finally {
    for (const o of owned.reverse()) o.release();
  }
}
