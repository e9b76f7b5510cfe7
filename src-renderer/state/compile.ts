/**
 * The compile queue: compile:list at start, then every compile:progress event, newest job first.
 */
import { create } from 'zustand';
import type { CompileJob } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';

export interface CompileState {
  jobs: CompileJob[];
  loaded: boolean;
  error: AppErrorData | null;
}

const initial: CompileState = { jobs: [], loaded: false, error: null };

export const useCompileStore = create<CompileState>()(() => initial);

/** compile:list answered (newest first). */
export function compileJobsLoaded(jobs: CompileJob[]): void {
  useCompileStore.setState({ jobs, loaded: true, error: null });
}

/** compile:list failed. */
export function compileJobsFailed(error: AppErrorData): void {
  useCompileStore.setState({ error, loaded: true });
}

/** A job moved: it replaces its older self in place, or joins the front when new. */
export function compileProgressReceived(job: CompileJob): void {
  useCompileStore.setState((state) => {
    const index = state.jobs.findIndex((j) => j.id === job.id);
    if (index === -1) return { jobs: [job, ...state.jobs] };
    const jobs = state.jobs.slice();
    jobs[index] = job;
    return { jobs };
  });
}

/** Back to the first state (tests). */
export function resetCompileStore(): void {
  useCompileStore.setState(initial, true);
}
