/**
 * The one process-wide OrtEnv, created with CreateEnvWithCustomLogger before anything else.
 *
 * ORT's env is a refcounted singleton: every later create returns the same env and ignores its
 * arguments, and onnxruntime-node creates one lazily on its first session. Creating ours first (in
 * the same library) makes our callback the logger. Log lines reach JS listeners; they are the source
 * of compile progress.
 *
 * Threading: ORT may log from its own threads. koffi runs such a callback by queueing it to the JS
 * thread and blocking the native thread until it ran (koffi docs, "Asynchronous callbacks"). So a
 * synchronous FFI call that blocks the JS thread while an ORT thread logs would deadlock: every long
 * call (session creation, Run, compile) goes through koffi's async calls instead.
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

/** Options for {@link initOrt}. */
export interface OrtEnvOptions {
  /** Directory holding the ORT library, or the library file. Default: onnxruntime-node's copy. */
  libraryLocation?: string;
  /** Minimum severity ORT logs. Default 'warning'. */
  logLevel?: LogLevel;
  /** The env's log id. Default 'crucible'. */
  logId?: string;
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
  /** The logger callback pointer, also used for per-session loggers. */
  readonly loggerPtr: Ptr;
  /** Current minimum severity. */
  readonly logLevel: LogLevel;
  /** Changes the minimum severity (UpdateEnvWithCustomLogLevel). */
  setLogLevel(level: LogLevel): void;
  /** Adds a log listener; returns its removal. */
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
  // Registered (not transient): ORT keeps the pointer for the life of the env.
  const loggerPtr = koffi.register(deliver, loggingFunctionType) as Ptr;
  let level = options.logLevel ?? 'warning';
  const out: [NPtr] = [null];
  check(
    api.CreateEnvWithCustomLogger(
      loggerPtr,
      null,
      logLevelNumber(level),
      options.logId ?? 'crucible',
      out,
    ),
    'creating the ONNX Runtime environment',
  );
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
