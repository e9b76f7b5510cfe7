/**
 * The one process-wide OrtEnv, created before anything else, with one of two log sinks:
 *
 * - `js` (CreateEnvWithCustomLogger): log lines reach JS listeners; they are the source of compile
 *   progress (the compile worker). ORT may log from its own threads; koffi runs such a callback by
 *   queueing it to the JS thread and blocking the native thread until it ran (koffi docs,
 *   "Asynchronous callbacks"). So a synchronous FFI call that blocks the JS thread while an ORT
 *   thread logs would deadlock: long calls go through koffi's async calls, and only a
 *   single-threaded CPU session may run synchronously (Session.canRunSync).
 * - `stderr` (CreateEnv): ORT's own sink writes each line to stderr, where the parent process parses
 *   it back into log records (engine/host/ort-log-lines.ts). No ORT thread ever calls into JS, so
 *   nothing can wait on a JS thread blocked in a synchronous Run: every session, any provider and
 *   thread count, may run synchronously. The engine host uses this one.
 *
 * ORT's env is a refcounted singleton: every later create returns the same env and ignores its
 * arguments, and onnxruntime-node creates one lazily on its first session. Creating ours first (in
 * the same library) makes our sink the one.
 */
import koffi from '../../native/koffi-setup';
import { AppError } from '../../shared/errors';
import { ortBinding } from './api';
import type { Ptr, NPtr } from './api';
import { check } from './status';

/** ORT log severities, least severe first (OrtLoggingLevel). */
export const LOG_LEVELS = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One line from ORT's logger. */
export interface OrtLogRecord {
  severity: LogLevel;
  category: string;
  logid: string;
  codeLocation: string;
  message: string;
  /** The tag a session's options gave with useLogger() (SetUserLoggingFunction), else null. */
  tag: number | null;
}

export type OrtLogListener = (record: OrtLogRecord) => void;

/** Where an env's log lines go (see the file comment). */
export type LogSink = 'js' | 'stderr';

/** Options for {@link initOrt}. */
export interface OrtEnvOptions {
  /** Directory holding the ORT library, or the library file. Default: onnxruntime-node's copy. */
  libraryLocation?: string;
  /** Minimum severity ORT logs. Default 'warning'. */
  logLevel?: LogLevel;
  /** The env's log id. Default 'crucible'. */
  logId?: string;
  /**
   * Where ORT's log lines go: 'js' (default) to {@link OrtEnvironment.onLog} listeners through a
   * koffi callback; 'stderr' to ORT's own sink on stderr, so that no ORT thread ever calls into JS.
   */
  logSink?: LogSink;
  /**
   * ONNX Runtime's own telemetry events. Default: off, unless CRUCIBLE_ORT_TELEMETRY=1 (the
   * Settings opt-in, passed to the engine processes by services/compose.ts).
   */
  telemetry?: boolean;
}

/** The process-wide ORT environment. */
export interface OrtEnvironment {
  /** The OrtEnv pointer (never released: it lives as long as the process). */
  readonly ptr: Ptr;
  /** ORT's version string. */
  readonly version: string;
  /** Absolute path of the loaded library. */
  readonly libraryPath: string;
  /** Where log lines go. */
  readonly logSink: LogSink;
  /** The JS logger callback pointer, also used for per-session loggers; null with 'stderr'. */
  readonly loggerPtr: Ptr | null;
  /** Current minimum severity. */
  readonly logLevel: LogLevel;
  /** Changes the minimum severity (UpdateEnvWithCustomLogLevel). */
  setLogLevel(level: LogLevel): void;
  /** Adds a log listener; returns its removal. Throws with the 'stderr' sink (nothing to hear). */
  onLog(listener: OrtLogListener): () => void;
}

/** The OrtLoggingLevel number of a level. */
export function logLevelNumber(level: LogLevel): number {
  const n = LOG_LEVELS.indexOf(level);
  if (n < 0) throw new AppError('BAD_REQUEST', `unknown log level '${String(level)}'`);
  return n;
}

const listeners = new Set<OrtLogListener>();
let env: OrtEnvironment | null = null;

function deliver(
  param: NPtr,
  severity: number,
  category: string | null,
  logid: string | null,
  codeLocation: string | null,
  message: string | null,
): void {
  const record: OrtLogRecord = {
    severity: LOG_LEVELS[severity] ?? 'fatal',
    category: category ?? '',
    logid: logid ?? '',
    codeLocation: codeLocation ?? '',
    message: message ?? '',
    tag: param ? Number(param) : null,
  };
  if (listeners.size === 0) {
    // Nobody listens yet: keep ORT's own habit of printing warnings and errors.
    if (severity >= 2) process.stderr.write(`[ORT ${record.severity}] ${record.message}\n`);
    return;
  }
  for (const listener of listeners) {
    try {
      listener(record);
    } catch {
      // A listener's bug must not become an exception inside ORT's thread.
    }
  }
}

/**
 * Loads ORT and creates the env (once per process); later calls return it and apply a new log
 * level. Call this first, before any other ORT use (onnxruntime-node's included).
 */
export function initOrt(options: OrtEnvOptions = {}): OrtEnvironment {
  if (env) {
    if (options.libraryLocation !== undefined) ortBinding(options.libraryLocation);
    if (options.logSink !== undefined && options.logSink !== env.logSink) {
      throw new Error(
        `the ONNX Runtime env of this process logs to '${env.logSink}'; it cannot change to '${options.logSink}'`,
      );
    }
    if (options.logLevel !== undefined) env.setLogLevel(options.logLevel);
    return env;
  }
  // Off unless the user opted in: Crucible sends nothing anywhere the user did not ask for, and
  // writes nothing outside its folders (docs/SECURITY.md). ORT's Linux telemetry (the 1DS SDK)
  // starts with the env, before DisableTelemetryEvents can be called, and then writes
  // ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and $TMPDIR/mat-debug-<pid>.log;
  // ORT_DISABLE_TELEMETRY, read when the env is created, keeps it from starting at all.
  const telemetry = options.telemetry ?? process.env.CRUCIBLE_ORT_TELEMETRY === '1';
  if (!telemetry) process.env.ORT_DISABLE_TELEMETRY = '1';
  const { api, library, loggingFunctionType } = ortBinding(options.libraryLocation);
  const logSink = options.logSink ?? 'js';
  let level = options.logLevel ?? 'warning';
  const logId = options.logId ?? 'crucible';
  const out: [NPtr] = [null];
  let loggerPtr: Ptr | null = null;
  if (logSink === 'stderr') {
    check(
      api.CreateEnv(logLevelNumber(level), logId, out),
      'creating the ONNX Runtime environment',
    );
  } else {
    // Registered (not transient): ORT keeps the pointer for the life of the env.
    loggerPtr = koffi.register(deliver, loggingFunctionType) as Ptr;
    check(
      api.CreateEnvWithCustomLogger(loggerPtr, null, logLevelNumber(level), logId, out),
      'creating the ONNX Runtime environment',
    );
  }
  const ptr = out[0];
  if (!ptr) throw new Error('CreateEnvWithCustomLogger returned no env');
  // And the events themselves (Windows' ETW path does not read the variable above).
  check(
    telemetry ? api.EnableTelemetryEvents(ptr) : api.DisableTelemetryEvents(ptr),
    `turning ONNX Runtime telemetry ${telemetry ? 'on' : 'off'}`,
  );
  env = {
    ptr,
    version: library.version,
    libraryPath: library.path,
    logSink,
    loggerPtr,
    get logLevel() {
      return level;
    },
    setLogLevel(next: LogLevel) {
      check(
        api.UpdateEnvWithCustomLogLevel(ptr, logLevelNumber(next)),
        `setting the ORT log level to ${next}`,
      );
      level = next;
    },
    onLog(listener: OrtLogListener) {
      if (logSink === 'stderr') {
        throw new Error(
          "this ONNX Runtime env logs to stderr (logSink 'stderr'): its lines never reach JS listeners; the parent process parses them",
        );
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  return env;
}

/** The env, created with default options if {@link initOrt} was not called yet. */
export function ortEnv(): OrtEnvironment {
  return env ?? initOrt();
}
