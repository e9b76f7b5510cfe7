/**
 * The main side of one compile job: forks the compile worker, relays its progress, and settles
 * exactly once — with the result, with the worker's error, with CANCELLED when the caller aborted
 * (the worker is SIGKILLed), or with a message naming the signal when the worker died on its own.
 * It always waits for the process to be gone before settling, so the caller can remove the job's
 * temp folder knowing nothing writes into it any more.
 */
import { AppError, isAppErrorData } from '../../shared/errors';
import type { CompilePhase, CompileResult, CompileSpec, FromWorker, ToWorker } from './protocol';
import { forkChild } from '../child-process';

/** One worker process, however it is started (tests pass their own). */
export interface WorkerProcess {
  readonly pid: number | undefined;
  send(msg: ToWorker): void;
  onMessage(listener: (msg: FromWorker) => void): void;
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(signal: NodeJS.Signals): void;
}

export type SpawnWorker = () => WorkerProcess;

/** Forks `script` (dist/engine/compile-worker.js) as a Node child. */
export function nodeWorkerSpawner(
  script: string,
  env: NodeJS.ProcessEnv = process.env,
): SpawnWorker {
  return () => {
    const child = forkChild(script, [], {
      serialization: 'advanced',
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
      onExit: (l) => child.on('exit', (code, signal) => l({ code, signal })),
      kill: (signal) => child.kill(signal),
    };
  };
}

/** What the caller hears while the job runs. */
export interface RunListeners {
  onReady?(info: { ortVersion: string; pid: number }): void;
  onPhase?(phase: CompilePhase): void;
  onSubgraphs?(count: number): void;
  onSubgraphBuilt?(index: number): void;
}

/**
 * Runs one job in a fresh worker. Past `deadlineMs` (the Settings value; none when omitted) the
 * worker is SIGKILLed and the job fails with ENGINE_TIMEOUT naming the phase it was in.
 */
export function runCompileWorker(
  spawn: SpawnWorker,
  spec: CompileSpec,
  listeners: RunListeners = {},
  signal?: AbortSignal,
  deadlineMs?: number,
): Promise<CompileResult> {
  return new Promise<CompileResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AppError('CANCELLED', `the compile of ${spec.modelPath} was cancelled`));
      return;
    }
    const proc = spawn();
    let phase: CompilePhase = 'queued';
    let outcome: { ok: true; value: CompileResult } | { ok: false; error: AppError } | null = null;
    let aborted = false;
    let overdue = false;
    const onAbort = () => {
      aborted = true;
      proc.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const deadline =
      deadlineMs === undefined
        ? null
        : setTimeout(() => {
            overdue = true;
            proc.kill('SIGKILL');
          }, deadlineMs);

    proc.onMessage((msg) => {
      switch (msg.type) {
        case 'ready':
          listeners.onReady?.({ ortVersion: msg.ortVersion, pid: msg.pid });
          break;
        case 'phase':
          phase = msg.phase;
          listeners.onPhase?.(msg.phase);
          break;
        case 'subgraphs':
          listeners.onSubgraphs?.(msg.count);
          break;
        case 'subgraph-built':
          listeners.onSubgraphBuilt?.(msg.index);
          break;
        case 'result':
          outcome ??= { ok: true, value: msg.result };
          break;
        case 'failed':
          outcome ??= {
            ok: false,
            error: isAppErrorData(msg.error)
              ? AppError.fromData(msg.error)
              : new AppError('INTERNAL', 'the compile worker failed'),
          };
          break;
        default:
          break;
      }
    });
    proc.onExit(({ code, signal: sig }) => {
      signal?.removeEventListener('abort', onAbort);
      if (deadline) clearTimeout(deadline);
      if (overdue && !aborted && !outcome) {
        reject(
          new AppError(
            'ENGINE_TIMEOUT',
            `the compile of ${spec.modelPath} passed its deadline (${formatMinutes(deadlineMs ?? 0)}) during ${phase}: the compile process was stopped and nothing was cached (Settings → Background compiles sets the deadline)`,
          ),
        );
      } else if (aborted) {
        reject(new AppError('CANCELLED', `the compile of ${spec.modelPath} was cancelled`));
      } else if (outcome?.ok) {
        resolve(outcome.value);
      } else if (outcome) {
        reject(outcome.error);
      } else {
        const how = sig ? `was killed (${sig})` : `exited with code ${code ?? 'unknown'}`;
        reject(
          new AppError(
            'ENGINE_CRASHED',
            `the compile process for ${spec.modelPath} ${how} during ${phase}; nothing was cached`,
          ),
        );
      }
    });
    proc.send({ type: 'start', spec });
  });
}

function formatMinutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** Registers a TensorRT-RTX library in a throwaway worker: did ORT take it, and how many devices. */
export function probeEpLibrary(
  spawn: SpawnWorker,
  library: string,
  name: string,
): Promise<{ registered: boolean; reason: string | null; devices: number }> {
  return new Promise((resolve) => {
    const proc = spawn();
    let answer: { registered: boolean; reason: string | null; devices: number } | null = null;
    proc.onMessage((msg) => {
      if (msg.type === 'probe-result') answer = msg;
      if (msg.type === 'failed')
        answer = { registered: false, reason: msg.error.message, devices: 0 };
    });
    proc.onExit(({ code, signal }) =>
      resolve(
        answer ?? {
          registered: false,
          reason: `loading ${library} ended the checking process (${signal ?? `exit code ${code}`}): it is not a library this ONNX Runtime can use`,
          devices: 0,
        },
      ),
    );
    proc.send({ type: 'probe', library, name });
  });
}
