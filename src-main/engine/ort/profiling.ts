/**
 * ORT's session profiling: EnableProfiling on the session options (ORT then writes a Chrome-trace
 * JSON file `<prefix>_<date>.json` with one event per node and run), SessionEndProfiling to stop
 * and learn the file's name. Kept apart from session.ts / session-options.ts: only the benchmark's
 * per-operator profile uses it.
 */
import { ortBinding, readCString, type NPtr } from './api';
import { Allocator } from './memory-info';
import type { Session } from './session';
import type { SessionOptions } from './session-options';
import { check } from './status';

/** EnableProfiling: sessions created with these options write a profile starting with `prefix`. */
export function enableProfiling(options: SessionOptions, prefix: string): void {
  check(ortBinding().api.EnableProfiling(options.ptr, prefix), `enabling profiling to ${prefix}`);
}

/** SessionEndProfiling: stops profiling and returns the profile file's path ORT wrote. */
export function endProfiling(session: Session): string {
  const allocator = Allocator.default();
  const out: [NPtr] = [null];
  check(
    ortBinding().api.SessionEndProfiling(session.ptr, allocator.ptr, out),
    'ending the profile',
  );
  try {
    return readCString(out[0]) ?? '';
  } finally {
    if (out[0]) allocator.free(out[0]);
  }
}
