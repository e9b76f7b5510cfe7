/**
 * The main side of the engine host protocol (see protocol.ts): starts the host process, waits for
 * its hello, sends requests with ids, timeouts and cancellation, and supervises it — when the host
 * dies, every request in flight fails with ENGINE_CRASHED and a new host starts with backoff.
 */
import type { EngineStatus } from '../../ipc/contract';
import { AppError, isAppErrorData, type AppErrorData } from '../../shared/errors';
import {
  HelloSchema,
  PROTOCOL_VERSION,
  type BenchProgress,
  type FromHost,
  type LogLine,
  type Op,
  type OpArgsIn,
  type OpResults,
  type ToHost,
} from './protocol';
import { forkChild } from '../child-process';
import { OrtLogLineParser } from './ort-log-lines';

/** One running host process, whatever starts it (Node child, Electron utilityProcess, in-memory). */
export interface HostProcess {
  send(msg: ToHost): void;
  onMessage(listener: (msg: FromHost) => void): void;
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
  /**
   * The host's stderr, when piped: ORT's log lines are read from it into {@link LogLine}s
   * (ort-log-lines.ts, the host's env logs to stderr), the rest goes on to this process's stderr.
   */
  stderr?: NodeJS.ReadableStream | null;
}

export type SpawnHost = () => HostProcess;

/** Starts the engine host as a Node child process (browser mode, CLI, tests). */
export function nodeChildSpawner(script: string, env: NodeJS.ProcessEnv = process.env): SpawnHost {
  return () => {
    const child = forkChild(script, [], {
      serialization: 'advanced',
      env,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    return {
      stderr: child.stderr,
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (l) => child.on('message', (m) => l(m as FromHost)),
      onExit: (l) => child.on('exit', (code, signal) => l({ code, signal })),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

export interface RequestOptions {
  /** Fails the request with ENGINE_TIMEOUT after this long (default 120 s). */
  timeoutMs?: number;
  /** Aborting sends `cancel` to the host. */
  signal?: AbortSignal;
  /** Receives the host's `progress` messages for this request (benchmarks). */
  onProgress?: (progress: BenchProgress) => void;
}

interface Pending {
  op: Op;
  resolve: (v: unknown) => void;
  reject: (e: AppError) => void;
  timer: NodeJS.Timeout;
  cleanup: () => void;
  onProgress?: (progress: BenchProgress) => void;
}

export interface EngineClientOptions {
  helloTimeoutMs?: number;
  /** Restart delays after successive crashes; the last repeats. */
  backoffMs?: number[];
  /** More crashes than this within a minute → state 'failed', no more restarts. */
  maxCrashesPerMinute?: number;
}

/** Supervises the engine host and carries requests to it. */
export class EngineClient {
  private proc: HostProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly statusListeners = new Set<(s: EngineStatus) => void>();
  private readonly logListeners = new Set<(l: LogLine) => void>();
  private readonly crashes: number[] = [];
  private closed = false;
  private ready: Promise<void> | null = null;
  private state: EngineStatus = {
    state: 'starting',
    ortVersion: null,
    libraryPath: null,
    providers: [],
    restarts: 0,
    lastError: null,
  };

  constructor(
    private readonly spawn: SpawnHost,
    private readonly opts: EngineClientOptions = {},
  ) {}

  /** Starts the host (if not running) and resolves once it said hello. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('ENGINE_CRASHED', 'the engine is closed'));
    this.ready ??= this.launch();
    return this.ready;
  }

  status(): EngineStatus {
    return this.state;
  }

  onChange(listener: (s: EngineStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** ORT logger lines from the host (read from its stderr: {@link readStderr}). */
  onLog(listener: (l: LogLine) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /** Sends one request; resolves with its value or rejects with an AppError. */
  async request<O extends Op>(
    op: O,
    args: OpArgsIn<O>,
    options: RequestOptions = {},
  ): Promise<OpResults[O]> {
    await this.start();
    const proc = this.proc;
    if (!proc) throw new AppError('ENGINE_CRASHED', 'the engine host is not running');
    if (options.signal?.aborted) throw new AppError('CANCELLED', `${op} was cancelled`);
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? 120_000;
    return new Promise<OpResults[O]>((resolve, reject) => {
      const onAbort = () => proc.send({ type: 'cancel', id });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        proc.send({ type: 'cancel', id });
        this.settle(id, {
          code: 'ENGINE_TIMEOUT',
          message: `${op} did not finish within ${Math.round(timeoutMs / 1000)} s`,
        });
      }, timeoutMs);
      this.pending.set(id, {
        op,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        cleanup: () => options.signal?.removeEventListener('abort', onAbort),
        onProgress: options.onProgress,
      });
      proc.send({ type: 'request', id, op, args });
    });
  }

  /**
   * Replaces the host with a fresh one now (a provider library was installed, or a native call
   * wedged and ignores cancel). In-flight requests fail with ENGINE_CRASHED naming the restart;
   * this is not counted as a crash.
   */
  async restart(reason: string): Promise<void> {
    this.closedByHelloFailure = false;
    const proc = this.proc;
    if (proc) {
      this.restarting = reason;
      proc.kill();
      await new Promise<void>((resolve) => {
        const off = this.onChange((s) => {
          if (s.state !== 'ready' && s.state !== 'starting') return;
          off();
          resolve();
        });
      });
    }
    await this.start();
  }

  private restarting: string | null = null;

  /** Stops the host for good (app quit). In-flight requests fail with CANCELLED. */
  close(): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) {
      this.settle(id, { code: 'CANCELLED', message: 'the engine is shutting down' });
    }
    this.proc?.kill();
    this.proc = null;
  }

  private launch(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const proc = this.spawn();
      this.proc = proc;
      if (proc.stderr) this.readStderr(proc.stderr);
      let greeted = false;
      const helloTimer = setTimeout(() => {
        if (greeted) return;
        const err = {
          code: 'ENGINE_CRASHED' as const,
          message: 'the engine host did not start in time',
        };
        this.setState({ state: 'failed', lastError: err });
        proc.kill();
        reject(AppError.fromData(err));
      }, this.opts.helloTimeoutMs ?? 30_000);

      proc.onMessage((msg) => {
        if (msg.type === 'hello' || msg.type === 'hello-failed') {
          greeted = true;
          clearTimeout(helloTimer);
          if (msg.type === 'hello-failed') {
            this.setState({ state: 'failed', lastError: msg.error });
            this.closedByHelloFailure = true;
            return reject(AppError.fromData(msg.error));
          }
          const hello = HelloSchema.safeParse(msg);
          if (!hello.success || hello.data.protocol !== PROTOCOL_VERSION) {
            const err = {
              code: 'ENGINE_CRASHED' as const,
              message: `the engine host speaks another protocol version (${String(msg.protocol)}, expected ${PROTOCOL_VERSION})`,
            };
            this.setState({ state: 'failed', lastError: err });
            proc.kill();
            return reject(AppError.fromData(err));
          }
          this.setState({
            state: 'ready',
            ortVersion: hello.data.ortVersion,
            libraryPath: hello.data.libraryPath,
            providers: hello.data.providers,
            gpus: hello.data.gpus ?? [],
          });
          return resolve();
        }
        if (msg.type === 'progress') {
          this.pending.get(msg.id)?.onProgress?.(msg.progress);
          return;
        }
        if (msg.type === 'response') {
          const p = this.pending.get(msg.id);
          if (!p) return;
          if (msg.ok) {
            this.pending.delete(msg.id);
            clearTimeout(p.timer);
            p.cleanup();
            p.resolve(msg.value);
          } else {
            this.settle(
              msg.id,
              isAppErrorData(msg.error)
                ? msg.error
                : { code: 'INTERNAL', message: 'malformed error from the engine host' },
            );
          }
        }
      });

      proc.onExit(({ code, signal }) => {
        clearTimeout(helloTimer);
        if (this.proc !== proc) return;
        this.proc = null;
        this.ready = null;
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const planned = this.restarting;
        this.restarting = null;
        for (const [id, p] of [...this.pending]) {
          this.settle(id, {
            code: 'ENGINE_CRASHED',
            message: planned
              ? `the engine was restarted (${planned}) during ${p.op}`
              : `the engine process stopped unexpectedly (${how}) during ${p.op}; it is being restarted`,
          });
        }
        if (planned && !this.closed) {
          this.setState({ state: 'starting' });
          return;
        }
        if (this.closed || this.closedByHelloFailure) return;
        if (!greeted) {
          const err = {
            code: 'ENGINE_CRASHED' as const,
            message: `the engine host exited before it started (${how})`,
          };
          this.setState({ state: 'failed', lastError: err });
          return reject(AppError.fromData(err));
        }
        this.scheduleRestart(how);
      });
    });
  }

  private closedByHelloFailure = false;

  /** ORT's lines on the host's stderr become log lines; everything else is passed on. */
  private readStderr(stream: NodeJS.ReadableStream): void {
    const parser = new OrtLogLineParser(
      (line) => {
        for (const l of this.logListeners) l(line);
      },
      (text) => process.stderr.write(text),
    );
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => parser.write(chunk));
    stream.on('end', () => parser.end());
  }

  private scheduleRestart(how: string): void {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length && (this.crashes[0] as number) < now - 60_000) this.crashes.shift();
    const lastError = {
      code: 'ENGINE_CRASHED' as const,
      message: `the engine process stopped (${how})`,
    };
    if (this.crashes.length > (this.opts.maxCrashesPerMinute ?? 5)) {
      this.setState({ state: 'failed', lastError });
      return;
    }
    const backoff = this.opts.backoffMs ?? [250, 1000, 4000, 10_000];
    const delay = backoff[Math.min(this.crashes.length - 1, backoff.length - 1)] ?? 1000;
    this.setState({ state: 'restarting', restarts: this.state.restarts + 1, lastError });
    setTimeout(() => {
      if (!this.closed) this.start().catch(() => undefined);
    }, delay).unref();
  }

  private settle(id: number, error: AppErrorData): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.cleanup();
    p.reject(AppError.fromData(error));
  }

  private setState(patch: Partial<EngineStatus>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.statusListeners) l(this.state);
  }
}
