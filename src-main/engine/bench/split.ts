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
 * it: H2D and compute are each timed up to a read-back (of the inputs; of the smallest output),
 * less the same read-back timed again on settled data. Each part's figure is the median over
 * `runs` rounds (H2D, compute, D2H in turn). For providers
 * without device memory (CPU) there is nothing to split: null. Inputs are synthesized (seed 1);
 * their values do not change the copies, and for float models not the compute either.
 */
import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../../ipc/contract';
import { IoBinding, copyTensors } from '../ort/io-binding';
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
    const h2d: number[] = [];
    const compute: number[] = [];
    const d2h: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await copyTensors(hostIn, devIn);
      await copyTensors(devIn, backIn);
      const t1 = performance.now();
      await copyTensors(devIn, backIn);
      const t2 = performance.now();
      await binding.run();
      await copyTensors(probeSrc, probeDst);
      const t3 = performance.now();
      await copyTensors(probeSrc, probeDst);
      const t4 = performance.now();
      await copyTensors(devOut, hostOut);
      const t5 = performance.now();
      h2d.push(Math.max(0, t1 - t0 - (t2 - t1)));
      compute.push(Math.max(0, t3 - t2 - (t4 - t3)));
      d2h.push(t5 - t4);
    }
    notes.push(
      'each part timed up to a read-back to the host (which waits for the GPU), minus that read-back measured again on settled data',
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
