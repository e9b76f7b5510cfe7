/**
 * The run path of a session: whether its runs may go synchronously on the JS thread (no koffi
 * worker-thread hop: about 40 µs a call on this project's 2-core build machine, as much as a whole
 * small model's inference) or always through koffi's async call.
 *
 * Whether a synchronous run is safe depends on the process's ORT env, not on the model
 * (engine/ort/env.ts, Session.canRunSync): in the engine host the env logs to stderr, no ORT thread
 * ever calls into JS, so every session — any provider, ORT's default threads, any size — may run
 * synchronously. Whether it should is measured, per session, by {@link SyncRunGuard}: runs start
 * asynchronous, go synchronous once their measured median is at most {@link SYNC_RUN_MAX_MS}, and
 * go back when synchronous runs are slower than that, so the host's event loop (cancel, progress)
 * is never held for long. No FLOPs estimate or model shape decides anything here.
 *
 * Used by the engine host's `session.run` and the benchmark runner alike.
 */
import { ortEnv } from '../ort/env';
import type { Session } from '../ort/session';

/**
 * Runs whose median (ms) is at most this may go synchronously. The hop saved is ~40 µs here, so a
 * run of 1 ms pays at most ~4% for going asynchronous above this bound, and the event loop is never
 * held for more than about a millisecond at a time by a session that stays synchronous.
 */
export const SYNC_RUN_MAX_MS = 1;

/**
 * One synchronous run longer than this (ms) sends the session back to asynchronous runs at once,
 * without waiting for a median: a model whose inputs grew (new dims) must not hold the event loop
 * for several such runs. The benchmark loop yields to the event loop every 20 ms as well.
 */
export const SYNC_RUN_LONGEST_MS = 20;

/**
 * Decides, run by run, whether a session's next run goes synchronously, from the measured time of
 * its last runs: the median of the last {@link SyncRunGuard.WINDOW} runs made the current way (the
 * very first run left out: ORT allocates and plans then, about 1 ms even for mlp-tiny here).
 * Runs start asynchronous, so a slow model (or a first GPU run) never blocks the event loop
 * before it was measured; asynchronous runs whose median is at most {@link SYNC_RUN_MAX_MS} —
 * their time includes the hop, so the model itself is faster still — switch to synchronous ones;
 * synchronous runs whose median is over the bound, or one over {@link SYNC_RUN_LONGEST_MS}, switch
 * back. A median, so a run preempted by another process (p99 over 1 ms on a busy 2-core machine)
 * changes nothing.
 */
export class SyncRunGuard {
  static readonly WINDOW = 7;
  #sync = false;
  #first = true;
  #last: number[] = [];
  /** How many times the way of running changed (for notes). */
  switches = 0;

  /** Whether the next run should go synchronously. */
  get sync(): boolean {
    return this.#sync;
  }

  /**
   * Records one run's time (ms), made the way {@link sync} said before it; returns whether the
   * next run goes synchronously.
   */
  record(ms: number): boolean {
    if (this.#first) {
      this.#first = false;
      return this.#sync;
    }
    if (this.#sync && ms > SYNC_RUN_LONGEST_MS) return this.#switch();
    this.#last.push(ms);
    if (this.#last.length > SyncRunGuard.WINDOW) this.#last.shift();
    if (this.#last.length < Math.ceil(SyncRunGuard.WINDOW / 2)) return this.#sync;
    const sorted = [...this.#last].sort((a, b) => a - b);
    const fast = (sorted[Math.floor(sorted.length / 2)] as number) <= SYNC_RUN_MAX_MS;
    return fast === this.#sync ? this.#sync : this.#switch();
  }

  #switch(): boolean {
    this.#sync = !this.#sync;
    this.#last = [];
    this.switches++;
    return this.#sync;
  }
}

/** Whether a session may run synchronously in this process, and why (for notes and results). */
export interface RunPath {
  /** True: runs may go synchronously (a {@link SyncRunGuard} decides each one). */
  sync: boolean;
  reason: string;
}

/** Formats the run path for a figures note. */
export function runPathNote(runPath: RunPath): string {
  return runPath.sync
    ? `synchronous runs while measured fast: ${runPath.reason}`
    : `asynchronous runs: ${runPath.reason}`;
}

/** The run path of `session` in this process (see the file comment). */
export function runPathOf(session: Session): RunPath {
  const bound = `runs go synchronously while their measured median is <= ${SYNC_RUN_MAX_MS} ms`;
  if (ortEnv().logSink === 'stderr') {
    return {
      sync: true,
      reason: `ORT logs to stderr in this process (no JS logger), so no ORT thread can wait for the JS thread; ${bound}`,
    };
  }
  if (session.singleThreadedCpu) {
    return {
      sync: true,
      reason: `a single-threaded CPU session: ORT logs only on the calling thread; ${bound}`,
    };
  }
  return {
    sync: false,
    reason: `ORT logs to JS in this process and the session has ${session.notSingleThreadedReason ?? 'other threads'}: a synchronous run could deadlock`,
  };
}
