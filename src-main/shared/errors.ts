/**
 * Expected errors: coded, with a message for people and optional detail. They cross every process
 * boundary (engine host → main → renderer, CLI) as plain data. Bugs are not AppErrors: they throw.
 */

/** Every expected error code. The renderer maps each one to words and an action in one table. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'FILE_NOT_FOUND',
  'IO_ERROR',
  'MODEL_INVALID',
  'EXTERNAL_DATA_MISSING',
  'EXTERNAL_DATA_OUTSIDE',
  'INPUT_INVALID',
  'OUTPUT_NOT_TENSOR',
  'PROVIDER_UNAVAILABLE',
  'ORT_LOAD_FAILED',
  'ORT_ERROR',
  'ENGINE_CRASHED',
  'ENGINE_TIMEOUT',
  'CANCELLED',
  'STORE_CORRUPT',
  'CACHE_CORRUPT',
  'GPU_UNAVAILABLE',
  'UNSUPPORTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The wire shape of an expected error. */
export interface AppErrorData {
  code: ErrorCode;
  message: string;
  detail?: string;
}

/** An expected failure, thrown inside a process and turned into {@link AppErrorData} at its edge. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
  }

  /** Plain data for the wire. */
  toData(): AppErrorData {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }

  /** Rebuilds an AppError from wire data. */
  static fromData(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, data.detail);
  }
}

/** True for values that look like {@link AppErrorData} (used where data arrives untyped). */
export function isAppErrorData(value: unknown): value is AppErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}

/**
 * Turns anything caught into wire data. AppErrors keep their code; anything else is a bug and
 * becomes INTERNAL with its message (the stack stays in the process's log).
 */
export function toErrorData(err: unknown): AppErrorData {
  if (err instanceof AppError) return err.toData();
  if (isAppErrorData(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}
