import type { AppErrorData } from './errors';

/** The outcome of an invoke call as it crosses IPC: expected errors travel as data, not throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };

/** Wraps a value as a success. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps error data as a failure. */
export function fail<T = never>(error: AppErrorData): Result<T> {
  return { ok: false, error };
}
