/**
 * The GPU lane: every check that proves Crucible on a real NVIDIA GPU, run in order, each one a
 * named pass/fail/skip with a reason. Telemetry (NVML against nvidia-smi), the ONNX conformance
 * subset on WebGPU and CPU, the demo models' WebGPU outputs against CPU, WebGPU vs CPU latency,
 * and the environment. It reads the GPU only: nvidia-smi queries from commands.ts and NVML reads.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Corpus, CorpusModel } from '../../models/corpus';
import type { EngineClient } from '../../src-main/engine/host/engine-client';
import type { HostTensor } from '../../src-main/engine/tensor';
import type { ConformanceReport } from '../../src-main/engine/conformance/conformance';
import type { GpuSnapshot, ProviderId } from '../../src-main/ipc/contract';
import type { GpuMonitor } from '../../src-main/gpu/monitor';
import { parseNvidiaSmiCsv, type NvidiaSmiReading } from '../../src-main/gpu/nvidia-smi';
import type { SampleCost } from '../../src-main/gpu/sample-cost';
import {
  fail,
  pass,
  renderSummary,
  runCheck,
  skip,
  totals,
  type CheckGroup,
  type CheckResult,
  type CheckVerdict,
  type EnvironmentFacts,
  type LaneReport,
  type TimingRow,
} from './checks';
import { laneCommands, type LaneCommand } from './commands';
import { compareTensors, toleranceFor } from './compare';
import { latencyStats } from '../../src-main/engine/bench/stats';
import { compareTelemetry, describeAgreement } from './telemetry';

/** What the lane needs from the outside world; tests pass stand-ins. */
export interface LaneDeps {
  /** A GPU monitor; `nvmlOnly` asks for one that never falls back to nvidia-smi. */
  monitor(opts: { nvmlOnly: boolean }): GpuMonitor;
  /** Starts an engine host (resolves once it said hello). */
  engine(): Promise<EngineClient>;
  runConformance(
    dirs: string[],
    opts: { provider: ProviderId; engine: EngineClient; perCaseTimeoutMs: number },
  ): Promise<ConformanceReport>;
  measureSampleCost(monitor: GpuMonitor, n: number): Promise<SampleCost>;
  /** Runs one command of {@link laneCommands}; the only way the lane starts a program. */
  exec(cmd: LaneCommand): Promise<{ code: number | null; stdout: string; stderr: string }>;
  out(line: string): void;
}

/** What to run and where to write. */
export interface LaneOptions {
  outDir: string;
  modelsDir: string;
  /** Case folders of the conformance subset. */
  conformanceDirs: string[];
  /** Timed runs per model and provider, after `warmup` untimed ones. */
  runs: number;
  warmup: number;
  /** The commit the code was built from, when known. */
  commit: string | null;
  /** NVML samples for the sample-cost figure. */
  sampleCostSamples: number;
  /** The provider under test, compared against CPU (WebGPU until the TensorRT-RTX lane). */
  gpuProvider: ProviderId;
  /**
   * Time one conformance case may take. Short, so a provider that hangs on every case still lets
   * the lane finish inside the GPU host's 10 minutes per command.
   */
  caseTimeoutMs: number;
}

/** Runs a LaneCommand with execFile: no shell, 30 s limit, output kept whatever the exit code. */
export function execLaneCommand(
  cmd: LaneCommand,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd.file,
      cmd.args,
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
        const code = !e ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({ code, stdout: stdout ?? '', stderr: stderr ?? (e ? e.message : '') });
      },
    );
  });
}

/**
 * A sample must finish within the fastest sampling period (4 Hz). NVML calls run on koffi's worker
 * threads, so this is wall time spent waiting on the driver, not time the event loop is blocked
 * (first H200 run, 2026-11-23: median 28 ms for two GPUs).
 */
export const SAMPLE_COST_BUDGET_MS = 250;

function list(names: string[], max = 8): string {
  return names.length <= max
    ? names.join(', ')
    : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function dimsLabel(dims: Record<string, number>): string {
  const parts = Object.entries(dims).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Verdict for one provider's conformance report: every case must pass. */
export function conformanceVerdict(r: ConformanceReport): CheckVerdict {
  const failed = r.cases.filter((c) => c.status === 'failed');
  const data = { passed: r.passed, failed: r.failed, skipped: r.skipped, cases: r.cases };
  const counts = `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped of ${r.cases.length}`;
  if (r.cases.length === 0) return fail('no conformance case was found', data);
  if (failed.length > 0) {
    const first = failed[0];
    return fail(
      `${counts}; failed: ${list(failed.map((c) => c.name))}${first?.reason ? ` (first: ${first.reason})` : ''}`,
      data,
    );
  }
  return pass(counts, data);
}

/** Cases that pass on the CPU but not on the GPU provider: what the GPU gets wrong. */
export function gpuOnlyFailures(cpu: ConformanceReport, gpu: ConformanceReport): CheckVerdict {
  const cpuPassed = new Set(cpu.cases.filter((c) => c.status === 'passed').map((c) => c.name));
  const worse = gpu.cases.filter((c) => c.status !== 'passed' && cpuPassed.has(c.name));
  if (worse.length === 0)
    return pass(`every case that passes on CPU (${cpuPassed.size}) also passes on ${gpu.provider}`);
  return fail(
    `${worse.length} case(s) pass on CPU but not on ${gpu.provider}: ${list(worse.map((c) => c.name))}`,
    {
      cases: worse,
    },
  );
}

/** Reads the corpus from `modelsDir` (models/corpus.json). */
export function readCorpus(modelsDir: string): Corpus {
  const file = path.join(modelsDir, 'corpus.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Corpus;
}

/** Runs every check and writes report.json, summary.md and the raw outputs into `opts.outDir`. */
export async function runLane(opts: LaneOptions, deps: LaneDeps): Promise<LaneReport> {
  const startedAt = new Date().toISOString();
  fs.mkdirSync(opts.outDir, { recursive: true });
  const save = (name: string, text: string) => fs.writeFileSync(path.join(opts.outDir, name), text);
  const gpu = opts.gpuProvider;
  const checks: CheckResult[] = [];
  const timings: TimingRow[] = [];
  const check = async (
    name: string,
    group: CheckGroup,
    body: () => Promise<CheckVerdict> | CheckVerdict,
  ) => {
    const r = await runCheck(name, group, body);
    checks.push(r);
    deps.out(`${r.status.toUpperCase().padEnd(4)}  ${name} — ${r.reason}`);
    return r;
  };

  // a. Telemetry.
  const nvmlMonitor = deps.monitor({ nvmlOnly: true });
  let nvml: GpuSnapshot | null = null;
  let smi: NvidiaSmiReading | null = null;
  try {
    await check('NVML snapshot', 'telemetry', async () => {
      nvml = await nvmlMonitor.snapshot();
      save('nvml.json', `${JSON.stringify(nvml, null, 2)}\n`);
      if (nvml.source !== 'nvml')
        return fail(`NVML gave no reading: ${nvml.reason ?? 'no reason given'}`);
      return pass(
        `${nvml.gpus.length} GPU(s): ${nvml.gpus.map((g) => g.name).join(', ')}; driver ${nvml.driverVersion ?? '?'}`,
      );
    });
    for (const cmd of laneCommands()) {
      await check(cmd.title, 'telemetry', async () => {
        const res = await deps.exec(cmd);
        save(cmd.saveAs, res.stdout + (res.stderr ? `\n# stderr:\n${res.stderr}` : ''));
        if (res.code !== 0)
          return fail(
            `exit code ${res.code ?? 'none'}: ${(res.stderr || res.stdout).trim().split('\n')[0] ?? ''}`,
          );
        if (cmd.id === 'nvidia-smi-query') {
          smi = parseNvidiaSmiCsv(res.stdout);
          return pass(
            `${smi.gpus.length} GPU(s), driver ${smi.driverVersion ?? '?'}; saved ${cmd.saveAs}`,
          );
        }
        return pass(`saved ${cmd.saveAs} (${res.stdout.split('\n').length} lines)`);
      });
    }
    await check('NVML agrees with nvidia-smi', 'telemetry', () => {
      const a = nvml as GpuSnapshot | null;
      const b = smi as NvidiaSmiReading | null;
      if (!a || a.source !== 'nvml') return skip('no NVML reading to compare');
      if (!b) return skip('no nvidia-smi reading to compare');
      const rows = compareTelemetry(a, b);
      const d = describeAgreement(rows);
      return d.ok ? pass(d.reason, rows) : fail(d.reason, rows);
    });
    await check(`NVML sample cost (median of ${opts.sampleCostSamples})`, 'telemetry', async () => {
      const a = nvml as GpuSnapshot | null;
      if (!a || a.source !== 'nvml') return skip('NVML is not available');
      const cost = await deps.measureSampleCost(nvmlMonitor, opts.sampleCostSamples);
      const text = `median ${(cost.medianMs * 1000).toFixed(0)} µs, p90 ${(cost.p90Ms * 1000).toFixed(0)} µs, first ${cost.firstMs.toFixed(1)} ms (source ${cost.source})`;
      if (cost.source !== 'nvml') return fail(`sampled ${cost.source}, not NVML: ${text}`, cost);
      return cost.medianMs <= SAMPLE_COST_BUDGET_MS
        ? pass(`${text}; budget ${SAMPLE_COST_BUDGET_MS} ms`, cost)
        : fail(`${text}; over the ${SAMPLE_COST_BUDGET_MS} ms budget`, cost);
    });
  } finally {
    nvmlMonitor.close();
  }

  // e (first half). The engine and what it saw.
  let engine: EngineClient | null = null;
  await check('engine host starts', 'environment', async () => {
    engine = await deps.engine();
    const st = engine.status();
    const status = st.providers.find((p) => p.id === gpu);
    return pass(
      `ONNX Runtime ${st.ortVersion ?? '?'}; ${gpu} ${status?.available ? 'available' : 'unavailable'}`,
    );
  });
  await check(`${gpu} provider available`, 'environment', () => {
    const e = engine as EngineClient | null;
    if (!e) return skip('the engine host did not start');
    const p = e.status().providers.find((x) => x.id === gpu);
    if (!p) return fail(`the engine does not list ${gpu}`);
    if (!p.available) return fail(`${p.ortName} unavailable: ${p.reason ?? 'no reason given'}`);
    return pass(
      `${p.ortName} on ${p.device ? `${p.device.name} (vendor 0x${p.device.vendorId.toString(16)}; ORT's PCI bus id ${p.device.pciBusId ?? 'none'}, LUID ${p.device.luid ?? 'none'})` : 'an unnamed device'}`,
    );
  });

  try {
    const eng = engine as EngineClient | null;
    const gpuReady = eng?.status().providers.find((p) => p.id === gpu)?.available === true;

    // b. Conformance subset on CPU and on the GPU provider.
    const reports: Partial<Record<ProviderId, ConformanceReport>> = {};
    for (const provider of ['cpu', gpu] as ProviderId[]) {
      await check(`conformance subset on ${provider}`, 'conformance', async () => {
        if (!eng) return skip('the engine host did not start');
        if (provider !== 'cpu' && !gpuReady)
          return fail(`${provider} is unavailable, so nothing ran on the GPU`);
        if (opts.conformanceDirs.length === 0) return skip('no conformance cases were given');
        const r = await deps.runConformance(opts.conformanceDirs, {
          provider,
          engine: eng,
          perCaseTimeoutMs: opts.caseTimeoutMs,
        });
        reports[provider] = r;
        save(`conformance-${provider}.json`, `${JSON.stringify(r, null, 2)}\n`);
        return conformanceVerdict(r);
      });
    }
    await check(`conformance: ${gpu} fails nothing CPU passes`, 'conformance', () => {
      const cpuReport = reports.cpu;
      const gpuReport = reports[gpu];
      if (!cpuReport || !gpuReport) return skip('needs both conformance runs');
      return gpuOnlyFailures(cpuReport, gpuReport);
    });

    // c + d. Demo models: outputs against CPU, then latency.
    let corpus: Corpus | null = null;
    await check('demo model corpus', 'models', () => {
      corpus = readCorpus(opts.modelsDir);
      return pass(`${corpus.models.length} models in ${path.join(opts.modelsDir, 'corpus.json')}`);
    });
    const models: CorpusModel[] = (corpus as Corpus | null)?.models ?? [];
    let sessionNo = 0;
    for (const model of models) {
      for (const c of model.cases) {
        const label = `${model.id}${dimsLabel(c.dims)}`;
        const modelPath = path.join(opts.modelsDir, model.file);
        const ids: Partial<Record<ProviderId, string>> = {};
        const created: Partial<Record<ProviderId, number>> = {};
        const outputs: Partial<Record<ProviderId, Record<string, HostTensor>>> = {};
        try {
          await check(`${label}: ${gpu} matches cpu`, 'models', async () => {
            if (!eng) return skip('the engine host did not start');
            if (!gpuReady) return fail(`${gpu} is unavailable`);
            for (const provider of ['cpu', gpu] as ProviderId[]) {
              const sessionId = `lane-${++sessionNo}-${model.id}-${provider}`;
              const s = await eng.request('session.create', {
                sessionId,
                modelPath,
                provider,
                dims: c.dims,
              });
              ids[provider] = sessionId;
              created[provider] = s.createMs;
              const r = await eng.request('session.run', {
                sessionId,
                synth: { fill: 'random', seed: 1, dims: c.dims },
                want: 'tensors',
              });
              if (!r.tensors) return fail(`session.run on ${provider} returned no tensors`);
              outputs[provider] = r.tensors;
            }
            const tol = toleranceFor(model.id);
            const cpuOut = outputs.cpu ?? {};
            const gpuOut = outputs[gpu] ?? {};
            const per = Object.entries(cpuOut).map(([name, expected]) => {
              const actual = gpuOut[name];
              const cmp = actual
                ? compareTensors(actual, expected, tol)
                : {
                    ok: false,
                    problem: 'missing from the GPU run',
                    mismatches: 0,
                    firstIndex: null,
                    maxAbsError: NaN,
                    maxRelError: NaN,
                  };
              return { name, ...cmp };
            });
            const worst = per
              .map(
                (p) =>
                  `${p.name}: max abs ${p.maxAbsError.toExponential(2)}, max rel ${p.maxRelError.toExponential(2)}`,
              )
              .join('; ');
            const bad = per.filter((p) => !p.ok);
            const data = { tolerance: tol, outputs: per };
            if (bad.length > 0)
              return fail(
                `${bad.map((p) => `${p.name}: ${p.problem}`).join('; ')} (rtol ${tol.rtol}, atol ${tol.atol})`,
                data,
              );
            return pass(
              `${per.length} output(s) within rtol ${tol.rtol}/atol ${tol.atol}; ${worst}`,
              data,
            );
          });

          for (const provider of ['cpu', gpu] as ProviderId[]) {
            await check(`${label}: latency on ${provider}`, 'timing', async () => {
              const sessionId = ids[provider];
              if (!eng || !sessionId) return skip('no session (see the output check above)');
              const times: number[] = [];
              for (let i = 0; i < opts.warmup + opts.runs; i++) {
                const r = await eng.request('session.run', {
                  sessionId,
                  synth: { fill: 'random', seed: 1, dims: c.dims },
                  want: 'summary',
                });
                if (i >= opts.warmup) times.push(r.runMs);
              }
              const st = latencyStats(times);
              if (st === null) return fail('no timed runs (--runs 0)');
              timings.push({
                model: model.id,
                dims: c.dims,
                provider,
                warmup: opts.warmup,
                runs: opts.runs,
                medianMs: st.p50,
                p90Ms: st.p90,
                minMs: st.min,
                createMs: created[provider] ?? Number.NaN,
              });
              return pass(
                `median ${st.p50.toFixed(3)} ms, p90 ${st.p90.toFixed(3)} ms over ${opts.runs} runs`,
                { samples: times },
              );
            });
          }
        } finally {
          for (const sessionId of Object.values(ids)) {
            if (eng && sessionId)
              await eng.request('session.release', { sessionId }).catch(() => undefined);
          }
        }
      }
    }
  } finally {
    (engine as EngineClient | null)?.close();
  }

  // e. Environment facts, from what the checks saw.
  const snap = nvml as GpuSnapshot | null;
  const smiReading = smi as NvidiaSmiReading | null;
  const st = (engine as EngineClient | null)?.status() ?? null;
  const environment: EnvironmentFacts = {
    date: startedAt,
    commit: opts.commit,
    hostname: os.hostname(),
    platform: `${process.platform}-${process.arch} ${os.release()}`,
    nodeVersion: process.version,
    gpu:
      snap?.gpus.map((g) => g.name).join(', ') ||
      smiReading?.gpus.map((g) => g.name).join(', ') ||
      null,
    driverVersion: snap?.driverVersion ?? smiReading?.driverVersion ?? null,
    cudaDriverVersion: snap?.cudaDriverVersion ?? smiReading?.cudaDriverVersion ?? null,
    ortVersion: st?.ortVersion ?? null,
    ortLibraryPath: st?.libraryPath ?? null,
    providers: (st?.providers ?? []).map((p) => ({
      id: p.id,
      available: p.available,
      reason: p.reason,
      device: p.device?.name ?? null,
    })),
  };
  await check('environment recorded', 'environment', () => {
    const facts = `GPU ${environment.gpu ?? '?'}, driver ${environment.driverVersion ?? '?'}, CUDA ${environment.cudaDriverVersion ?? '?'}, ONNX Runtime ${environment.ortVersion ?? '?'}, commit ${environment.commit ?? '?'}`;
    const missing = (['gpu', 'driverVersion', 'ortVersion', 'commit'] as const).filter(
      (k) => !environment[k],
    );
    return missing.length === 0 ? pass(facts) : skip(`${facts} (unknown: ${missing.join(', ')})`);
  });

  const report: LaneReport = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    environment,
    totals: totals(checks),
    checks,
    timings,
  };
  save('report.json', `${JSON.stringify(report, null, 2)}\n`);
  save('summary.md', `${renderSummary(report)}\n`);
  return report;
}
