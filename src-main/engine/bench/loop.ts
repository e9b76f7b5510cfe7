/**
 * The loop benchmark: a model run N times with its outputs fed back as its inputs, as a
 * diffusion sampler or a decoder does, in up to three ways — the seed's two claims ("IO binding
 * cuts copy time by tens of times in a diffusion-style loop", "graphs bring about 30% on
 * many-kernel models") measured on the user's model and provider:
 *
 * - host: each step's fed outputs are copied to host memory and back into the next step's input
 *   buffers (CopyTensors device → host, host → device, each timed);
 * - device: tensors stay on the device between steps (IO binding, two sets of buffers swapped:
 *   this step's outputs are bound as the next step's inputs; nothing is copied);
 * - graph: a captured graph (CUDA graphs / WebGPU graph capture) replayed each step over fixed
 *   buffers, so the fed outputs are copied device → device into the input buffers (timed).
 *
 * Each mode runs `steps` timed steps after `warmup` untimed ones and ends with a read-back of a
 * fed output to the host, so on GPUs that queue work the total includes it: step time = total ÷
 * steps. Inputs that nothing feeds (a timestep, a scale) keep their first values throughout.
 * Runs inside the engine host, like the benchmark runner.
 */
import { performance } from 'node:perf_hooks';
import type { ProviderId, ValueInfo } from '../../ipc/contract';
import { AppError, toErrorData, type AppErrorData } from '../../shared/errors';
import { Allocator, MemoryInfo } from '../ort/memory-info';
import { IoBinding, copyTensors } from '../ort/io-binding';
import { RunOptions } from '../ort/run-options';
import { OrtValue } from '../ort/value';
import { synthesizeInputs } from '../model/synth';
import type { LoopMode } from './loop-modes';
import { graphCaptureProblem } from '../session/capabilities';
import { openSession } from '../session/open-session';

/** What to loop and how. */
export interface LoopPlan {
  modelPath: string;
  provider: ProviderId;
  dims: Record<string, number>;
  steps: number;
  warmup: number;
  /** output → input, chosen by the user; otherwise {@link loopFeeds} pairs them. */
  feed?: Record<string, string>;
  modes: readonly LoopMode[];
}

/** One output fed to one input. */
export interface Feed {
  output: string;
  input: string;
}

/** One mode's figures. */
export interface LoopModeFigures {
  mode: LoopMode;
  status: 'ok' | 'failed' | 'unsupported';
  error: AppErrorData | null;
  steps: number;
  /** Wall time of the timed loop ÷ steps (ms), the final read-back included. */
  stepMs: number | null;
  /** Time spent moving fed tensors per step (ms): host round-trip, rebinding, or device copy. */
  copyMsPerStep: number | null;
  /** Host mode: device → host and host → device parts of copyMsPerStep. */
  d2hMsPerStep: number | null;
  h2dMsPerStep: number | null;
  /** Bytes of fed tensors moved per step (0 when device-resident). */
  bytesPerStep: number;
  notes: string[];
}

/** The loop's result. */
export interface LoopFigures {
  provider: ProviderId;
  feeds: Feed[];
  /** Inputs nothing feeds: they keep their first values. */
  constantInputs: string[];
  modes: LoopModeFigures[];
  /** host ÷ device copy time per step; null when the device mode copies nothing measurable. */
  copyRatio: number | null;
  /**
   * host step − device step (ms): what going through host memory costs per step in all, the
   * explicit copies' waits included (on GPUs that queue work the timed device → host copy also
   * waits for the step's compute; this difference does not).
   */
  hostOverheadMsPerStep: number | null;
  /** host ÷ device step time, and device ÷ graph step time. */
  stepRatioHostVsDevice: number | null;
  stepRatioDeviceVsGraph: number | null;
  notes: string[];
}

const sameShape = (a: ValueInfo, b: ValueInfo) =>
  a.dtype === b.dtype &&
  !!a.shape &&
  !!b.shape &&
  a.shape.length === b.shape.length &&
  a.shape.every((d, i) => d === b.shape?.[i]);

/** Name stems an output and the input it feeds share ("latent_next" → "latent", "present.0" → "past.0"). */
function stem(name: string): string {
  return name
    .replace(/^(next|new|updated|out)[_.-]/i, '')
    .replace(/[_.-](next|new|updated|out|output)$/i, '')
    .replace(/^present/i, 'past')
    .replace(/^past_key_values/i, 'past');
}

/**
 * Pairs outputs with the inputs they feed: the user's mapping when given (checked: names exist,
 * dtype and shape equal), else by name (equal after dropping next/new/out affixes, present ↔
 * past) with equal dtype and shape, then any remaining output whose dtype and shape match exactly
 * one remaining input. A model with no pair cannot loop: BAD_REQUEST naming why.
 */
export function loopFeeds(
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  user?: Record<string, string>,
): Feed[] {
  const byName = (list: readonly ValueInfo[], n: string) => list.find((v) => v.name === n);
  if (user && Object.keys(user).length > 0) {
    return Object.entries(user).map(([output, input]) => {
      const o = byName(outputs, output);
      const i = byName(inputs, input);
      if (!o) throw new AppError('BAD_REQUEST', `loop: the model has no output '${output}'`);
      if (!i) throw new AppError('BAD_REQUEST', `loop: the model has no input '${input}'`);
      if (!sameShape(o, i)) {
        throw new AppError(
          'BAD_REQUEST',
          `loop: output '${output}' (${o.dtype} ${JSON.stringify(o.shape)}) cannot feed input '${input}' (${i.dtype} ${JSON.stringify(i.shape)})`,
        );
      }
      return { output, input };
    });
  }
  const feeds: Feed[] = [];
  const freeIn = new Set(inputs.map((i) => i.name));
  const freeOut = new Set(outputs.map((o) => o.name));
  for (const o of outputs) {
    const i = inputs.find((x) => freeIn.has(x.name) && stem(x.name) === stem(o.name));
    if (i && sameShape(o, i)) {
      feeds.push({ output: o.name, input: i.name });
      freeIn.delete(i.name);
      freeOut.delete(o.name);
    }
  }
  for (const o of outputs.filter((x) => freeOut.has(x.name))) {
    const fits = inputs.filter((x) => freeIn.has(x.name) && sameShape(o, x));
    if (fits.length === 1 && fits[0]) {
      feeds.push({ output: o.name, input: fits[0].name });
      freeIn.delete(fits[0].name);
    }
  }
  if (feeds.length === 0) {
    throw new AppError(
      'BAD_REQUEST',
      `loop: no output of this model can feed an input (same dtype and fixed shape); name a pair with --feed OUTPUT=INPUT. Inputs: ${inputs.map((i) => `${i.name} ${i.dtype} ${JSON.stringify(i.shape)}`).join(', ')}; outputs: ${outputs.map((o) => `${o.name} ${o.dtype} ${JSON.stringify(o.shape)}`).join(', ')}`,
    );
  }
  return feeds;
}

/** ORT's memory names for each provider's device memory (as the benchmark runner binds them). */
const DEVICE_MEMORY: Partial<Record<ProviderId, string>> = {
  cuda: 'Cuda',
  'nv-tensorrt-rtx': 'Cuda',
  webgpu: 'WebGPU_Buffer',
  dml: 'DML',
};

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs the loop benchmark. Never throws for a mode's failure: that mode says 'failed'. */
export async function runLoop(
  plan: LoopPlan,
  cancelled: () => boolean = () => false,
): Promise<LoopFigures> {
  const probe = await openSession({
    modelPath: plan.modelPath,
    provider: plan.provider,
    dims: plan.dims,
  });
  let feeds: Feed[];
  let constantInputs: string[];
  try {
    // Fixed shapes: symbolic dims resolved the way the inputs are synthesized.
    const host = synthesizeInputs(probe.session.inputs, {
      fill: 'random',
      seed: 1,
      dims: plan.dims,
    });
    const resolved = (vs: readonly ValueInfo[], dimsOf: (v: ValueInfo) => number[] | undefined) =>
      vs.map((v) => ({ ...v, shape: dimsOf(v) ?? v.shape }));
    const ins = resolved(probe.session.inputs, (v) => host[v.name]?.dims);
    const outs = probe.session.outputs.map((o) => {
      // An output's symbolic dims are taken from the input it would feed, when names pair up.
      const twin = ins.find((i) => stem(i.name) === stem(o.name));
      return o.shape?.some((d) => typeof d !== 'number') && twin ? { ...o, shape: twin.shape } : o;
    });
    feeds = loopFeeds(ins, outs, plan.feed);
    constantInputs = ins.map((i) => i.name).filter((n) => !feeds.some((f) => f.input === n));
  } finally {
    probe.session.release();
  }
  const modes: LoopModeFigures[] = [];
  for (const mode of plan.modes) {
    if (cancelled()) throw new AppError('CANCELLED', 'the loop benchmark was cancelled');
    modes.push(await runMode(plan, mode, feeds));
  }
  const find = (m: LoopMode) => modes.find((x) => x.mode === m && x.status === 'ok');
  const host = find('host');
  const device = find('device');
  const graph = find('graph');
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a != null && b != null && b > 0 ? a / b : null;
  const notes: string[] = [];
  if (device && host && !(device.copyMsPerStep && device.copyMsPerStep > 0)) {
    notes.push('device-resident steps copy nothing: the copy ratio is not a finite number');
  }
  return {
    provider: plan.provider,
    feeds,
    constantInputs,
    modes,
    copyRatio: ratio(host?.copyMsPerStep, device?.copyMsPerStep),
    hostOverheadMsPerStep:
      host?.stepMs != null && device?.stepMs != null ? host.stepMs - device.stepMs : null,
    stepRatioHostVsDevice: ratio(host?.stepMs, device?.stepMs),
    stepRatioDeviceVsGraph: ratio(device?.stepMs, graph?.stepMs),
    notes,
  };
}

async function runMode(plan: LoopPlan, mode: LoopMode, feeds: Feed[]): Promise<LoopModeFigures> {
  const figures: LoopModeFigures = {
    mode,
    status: 'ok',
    error: null,
    steps: 0,
    stepMs: null,
    copyMsPerStep: null,
    d2hMsPerStep: null,
    h2dMsPerStep: null,
    bytesPerStep: 0,
    notes: [],
  };
  if (mode === 'graph') {
    const problem = graphCaptureProblem(plan.provider);
    if (problem) {
      figures.status = 'unsupported';
      figures.error = { code: 'UNSUPPORTED', message: problem };
      return figures;
    }
  }
  const owned: { release(): void }[] = [];
  try {
    const opened = await openSession({
      modelPath: plan.modelPath,
      provider: plan.provider,
      dims: plan.dims,
      graphCapture: mode === 'graph',
    });
    owned.push(opened.session);
    const session = opened.session;
    const runOptions = RunOptions.create(mode === 'graph' ? { config: { gpu_graph_id: '1' } } : {});
    owned.push(runOptions);
    // The runs that allocate the buffers must not be captured: their addresses change after.
    const setupOptions =
      mode === 'graph' ? RunOptions.create({ config: { gpu_graph_id: '-1' } }) : runOptions;
    if (setupOptions !== runOptions) owned.push(setupOptions);
    const memName = DEVICE_MEMORY[plan.provider] ?? null;
    const outMem = memName
      ? MemoryInfo.create(memName, 0, 'device', 'default')
      : MemoryInfo.cpu('device', 'default');
    owned.push(outMem);
    const binding = IoBinding.create(session);
    owned.push(binding);
    const host = synthesizeInputs(session.inputs, { fill: 'random', seed: 1, dims: plan.dims });
    for (const [name, t] of Object.entries(host)) {
      const v = OrtValue.fromHost(t, name);
      owned.push(v);
      binding.bindInput(name, v);
    }
    // Two untimed steps with outputs left where the provider puts them give two sets of
    // output buffers, A and B, on the device: the buffers every mode below works with.
    const outputsOf = () => {
      const names = binding.outputNames();
      const values = binding.outputValues();
      owned.push(...values);
      return Object.fromEntries(names.map((n, i) => [n, values[i] as OrtValue]));
    };
    const bindOutputsToDevice = () => {
      binding.clearOutputs();
      for (const o of session.outputs) binding.bindOutputToDevice(o.name, outMem);
    };
    bindOutputsToDevice();
    await binding.run(setupOptions);
    const a = outputsOf();
    for (const f of feeds) binding.bindInput(f.input, a[f.output] as OrtValue);
    bindOutputsToDevice();
    await binding.run(setupOptions);
    const b = outputsOf();
    if (mode === 'graph' && memName) {
      // A replayed graph reads fixed device addresses: the inputs nothing feeds go to the device
      // once too (the session's allocator for its device memory).
      try {
        const alloc = Allocator.forSession(session, outMem);
        owned.push(alloc);
        for (const name of Object.keys(host).filter((n) => !feeds.some((f) => f.input === n))) {
          const t = host[name] as NonNullable<(typeof host)[string]>;
          const src = OrtValue.fromHost(t, name);
          const dst = OrtValue.allocate(alloc, t.dtype, t.dims);
          owned.push(src, dst);
          await copyTensors([src], [dst]);
          binding.bindInput(name, dst);
        }
      } catch (err) {
        figures.notes.push(
          `inputs nothing feeds stay in host memory (${toErrorData(err).message}): the provider copies them each replay`,
        );
      }
    }
    const bind = (inputsFrom: Record<string, OrtValue>, outputsTo: Record<string, OrtValue>) => {
      for (const f of feeds) binding.bindInput(f.input, inputsFrom[f.output] as OrtValue);
      for (const [n, v] of Object.entries(outputsTo)) binding.bindOutput(n, v);
    };
    const fedA = feeds.map((f) => a[f.output] as OrtValue);
    const fedB = feeds.map((f) => b[f.output] as OrtValue);
    const bytes = fedA.reduce((s, v) => s + v.byteSize(), 0);
    // The host copies of the fed outputs, and one for the final read-back.
    const hostBufs = fedA.map((v) => {
      const info = v.tensorInfo();
      const h = OrtValue.allocate(Allocator.default(), info.dtype, info.dims);
      owned.push(h);
      return h;
    });
    // ORT's env copies only between devices some EP registered a data transfer for; CPU → CPU is
    // not one of them. There the host round-trip is what a JS loop does: read the output into JS
    // memory, make the next input from it.
    let viaJs = false;
    const toJsOnce = (err: unknown): void => {
      if (toErrorData(err).detail !== 'ORT_NOT_IMPLEMENTED') throw err;
      viaJs = true;
      figures.notes.push(
        `CopyTensors cannot copy ${memName ?? 'CPU'} ↔ CPU here (${toErrorData(err).message}): host copies go through JS memory (read the output, make the next input from it)`,
      );
    };
    const readBack = async (from: OrtValue[]) => {
      if (!viaJs) {
        try {
          await copyTensors([from[0] as OrtValue], [hostBufs[0] as OrtValue]);
          return;
        } catch (err) {
          toJsOnce(err);
        }
      }
      (from[0] as OrtValue).toHost();
    };
    let fresh: OrtValue[] = [];
    owned.push({ release: () => fresh.forEach((v) => v.release()) });

    const d2h: number[] = [];
    const h2d: number[] = [];
    const copies: number[] = [];
    let step: (timed: boolean) => Promise<void>;
    let last: OrtValue[] = fedB;
    if (mode === 'host') {
      // Inputs always from B's buffers, outputs always into A's; each step copies A → host → B.
      bind(b, a);
      step = async (timed) => {
        await binding.run(runOptions);
        const t = performance.now();
        let js: ReturnType<OrtValue['toHost']>[] | null = null;
        if (!viaJs) await copyTensors(fedA, hostBufs).catch(toJsOnce);
        if (viaJs) js = fedA.map((v, i) => v.toHost(feeds[i]?.output));
        const t1 = performance.now();
        if (js) {
          const next = js.map((h, i) => OrtValue.fromHost(h, feeds[i]?.input));
          next.forEach((v, i) => binding.bindInput(feeds[i]?.input ?? '', v));
          for (const v of fresh) v.release();
          fresh = next;
        } else {
          await copyTensors(hostBufs, fedB);
        }
        const t2 = performance.now();
        if (timed) {
          d2h.push(t1 - t);
          h2d.push(t2 - t1);
          copies.push(t2 - t);
        }
      };
      figures.bytesPerStep = 2 * bytes;
      if (memName) {
        figures.notes.push(
          'the timed device → host copy also waits for the step to finish on the GPU; the step-time difference with the device mode is the cost of the host round-trip alone',
        );
      }
      figures.notes.push(
        `each step moves ${feeds.map((f) => f.output).join(', ')} (${bytes} bytes) to host memory and back into the next step's input (each way timed)`,
      );
    } else if (mode === 'device') {
      // Ping-pong: this step's outputs are the next step's inputs; rebinding moves no data.
      let cur = b;
      let spare = a;
      step = async (timed) => {
        const t = performance.now();
        bind(cur, spare);
        if (timed) copies.push(performance.now() - t);
        await binding.run(runOptions);
        [cur, spare] = [spare, cur];
        last = feeds.map((f) => cur[f.output] as OrtValue);
      };
      figures.notes.push(
        'tensors stay on the device: two sets of buffers, swapped each step (the copy time is the rebinding)',
      );
    } else {
      // A captured graph needs fixed addresses: inputs from B, outputs into A, A copied into B.
      bind(b, a);
      step = async (timed) => {
        await binding.run(runOptions);
        const t = performance.now();
        await copyTensors(fedA, fedB);
        if (timed) copies.push(performance.now() - t);
      };
      figures.bytesPerStep = bytes;
      figures.notes.push(
        'graph replay over fixed buffers: each step copies the fed outputs device → device into the input buffers (timed on the host: on GPUs that queue copies this is the submission)',
      );
    }
    for (let i = 0; i < plan.warmup; i++) await step(false);
    await readBack(last);
    const t0 = performance.now();
    for (let i = 0; i < plan.steps; i++) {
      await step(true);
      figures.steps++;
    }
    await readBack(last);
    const total = performance.now() - t0;
    figures.stepMs = total / Math.max(1, figures.steps);
    figures.copyMsPerStep = mean(copies);
    figures.d2hMsPerStep = mean(d2h);
    figures.h2dMsPerStep = mean(h2d);
    figures.notes.push(
      `step time: ${figures.steps} steps and a final read-back of '${feeds[0]?.output}' to the host, ÷ steps`,
    );
  } catch (err) {
    figures.status = 'failed';
    figures.error = toErrorData(err);
  } finally {
    for (const o of owned.reverse()) o.release();
  }
  return figures;
}
