/**
 * OrtRunOptions: tag, log level, config entries (e.g. gpu_graph_id), and terminate — which stops a
 * run in flight (ORT checks the flag between nodes).
 */
import { ortBinding } from './api';
import type { NPtr } from './api';
import { logLevelNumber, ortEnv } from './env';
import type { LogLevel } from './env';
import { NativeHandle } from './handle';
import { check } from './status';

/** Everything {@link RunOptions.create} can set at once. */
export interface RunOptionsInit {
  tag?: string;
  logLevel?: LogLevel;
  /** Run config entries, e.g. { gpu_graph_id: '1' }. */
  config?: Record<string, string>;
}

/** An OrtRunOptions handle. */
export class RunOptions extends NativeHandle {
  #terminated = false;

  private constructor(ptr: bigint) {
    super('OrtRunOptions', ptr, (p) => ortBinding().api.ReleaseRunOptions(p));
  }

  /** Creates run options and applies `init`. */
  static create(init: RunOptionsInit = {}): RunOptions {
    ortEnv();
    const out: [NPtr] = [null];
    check(ortBinding().api.CreateRunOptions(out), 'creating run options');
    const ro = new RunOptions(out[0] ?? 0n);
    try {
      if (init.tag !== undefined) ro.setTag(init.tag);
      if (init.logLevel !== undefined) ro.setLogLevel(init.logLevel);
      for (const [k, v] of Object.entries(init.config ?? {})) ro.addConfigEntry(k, v);
    } catch (err) {
      ro.release();
      throw err;
    }
    return ro;
  }

  /** RunOptionsSetRunTag: names the run in ORT's log lines. */
  setTag(tag: string): this {
    check(ortBinding().api.RunOptionsSetRunTag(this.ptr, tag), `setting run tag ${tag}`);
    return this;
  }

  /** RunOptionsSetRunLogSeverityLevel. */
  setLogLevel(level: LogLevel): this {
    check(
      ortBinding().api.RunOptionsSetRunLogSeverityLevel(this.ptr, logLevelNumber(level)),
      `setting the run log level to ${level}`,
    );
    return this;
  }

  /** AddRunConfigEntry. */
  addConfigEntry(key: string, value: string): this {
    check(
      ortBinding().api.AddRunConfigEntry(this.ptr, key, value),
      `setting run config ${key}=${value}`,
    );
    return this;
  }

  /** RunOptionsSetTerminate: runs using these options stop as soon as ORT sees the flag. */
  terminate(): void {
    check(ortBinding().api.RunOptionsSetTerminate(this.ptr), 'terminating a run');
    this.#terminated = true;
  }

  /** RunOptionsUnsetTerminate: these options can run again. */
  unsetTerminate(): void {
    check(ortBinding().api.RunOptionsUnsetTerminate(this.ptr), 'clearing run termination');
    this.#terminated = false;
  }

  /** True between terminate() and unsetTerminate(). */
  get terminated(): boolean {
    return this.#terminated;
  }
}
