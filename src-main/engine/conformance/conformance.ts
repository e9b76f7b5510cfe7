/**
 * ONNX conformance through Crucible's own engine: every case runs in the engine host process over
 * the engine protocol, so a native crash on one case fails that case only (the client restarts the
 * host and the run goes on).
 */
import type { ProviderId } from '../../ipc/contract';
import { AppError } from '../../shared/errors';
import type { EngineClient } from '../host/engine-client';
import { findCases, runCase, type CaseEngine, type CaseSession } from './cases';
import { makeReport, type ConformanceCase, type ConformanceReport } from './report';

export type { ConformanceCase, ConformanceReport } from './report';

/** Options for {@link runConformance}. */
export interface ConformanceOptions {
  provider: ProviderId;
  engine: EngineClient;
  /** Called once the cases are known, with how many will run. */
  onStart?: (total: number) => void;
  /** Called after each case, in order (progress output). */
  onCase?: (c: ConformanceCase) => void;
  /** Time one case may take, session creation to release (default 60 s). */
  perCaseTimeoutMs?: number;
  /** Keeps the cases whose folder name matches. */
  filter?: RegExp;
}

export const DEFAULT_CASE_TIMEOUT_MS = 60_000;

/** Time a release may take; it only frees memory, so a stuck one is abandoned, not waited for. */
const RELEASE_TIMEOUT_MS = 10_000;

/** Reason given for a case during which the engine host died. */
export const ENGINE_CRASHED_REASON = 'the engine crashed on this case';

let runCounter = 0;

/** A {@link CaseEngine} over the engine host: one session per case, released after it. */
export function engineCaseEngine(engine: EngineClient, provider: ProviderId): CaseEngine {
  const run = ++runCounter;
  let n = 0;
  return {
    async open(modelPath, timeoutMs) {
      const sessionId = `conformance-${process.pid}-${run}-${++n}`;
      await engine.request('session.create', { sessionId, modelPath, provider }, { timeoutMs });
      const session: CaseSession = {
        async run(inputs, runTimeoutMs) {
          const res = await engine.request(
            'session.run',
            { sessionId, inputs, want: 'tensors' },
            { timeoutMs: runTimeoutMs },
          );
          if (!res.tensors)
            throw new AppError('INTERNAL', 'the engine host answered session.run without tensors');
          return res.tensors;
        },
        async release() {
          // After a crash the session is gone with the old host; releasing it again is harmless.
          await engine
            .request('session.release', { sessionId }, { timeoutMs: RELEASE_TIMEOUT_MS })
            .catch(() => undefined);
        },
      };
      return session;
    },
    explain(err, step) {
      const op = step === 'create' ? 'session.create' : 'session.run';
      if (err instanceof AppError) {
        if (err.code === 'ENGINE_CRASHED') return `${ENGINE_CRASHED_REASON}: ${err.message}`;
        if (err.code === 'ENGINE_TIMEOUT') return `timed out: ${err.message}`;
        const detail = err.detail ? ` (${err.detail})` : '';
        return `${op} failed: ${err.code}: ${err.message}${detail}`;
      }
      return `${op} failed: ${err instanceof Error ? err.message : String(err)}`;
    },
  };
}

/**
 * Runs ONNX test cases (see cases.ts for the layout) through the engine host on one provider and
 * reports every case. A DIR is a case folder or a folder of case folders. Case failures, crashes
 * and timeouts are results; the run always goes through every case. Throws only when no case can
 * be found (FILE_NOT_FOUND, INPUT_INVALID) or the engine host cannot start at all.
 */
export async function runConformance(
  dirs: string[],
  opts: ConformanceOptions,
): Promise<ConformanceReport> {
  const refs = await findCases(dirs, opts.filter);
  opts.onStart?.(refs.length);
  await opts.engine.start();
  const ortVersion = opts.engine.status().ortVersion;
  const caseEngine = engineCaseEngine(opts.engine, opts.provider);
  const timeoutMs = opts.perCaseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  const cases: ConformanceCase[] = [];
  for (const ref of refs) {
    const c = await runCase(ref, caseEngine, { timeoutMs });
    cases.push(c);
    opts.onCase?.(c);
  }
  return makeReport('crucible', opts.provider, ortVersion, cases);
}
