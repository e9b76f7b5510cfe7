/**
 * Who the app is and the engine host's state: app:info once, engine:status at start, then every
 * engine:changed. The header and the Run area's provider list read it.
 */
import { create } from 'zustand';
import type { AppInfo, EngineStatus, ProviderStatus } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';

export interface EngineState {
  info: AppInfo | null;
  status: EngineStatus | null;
  /** Set when app:info or engine:status could not be read at all. */
  error: AppErrorData | null;
}

const initial: EngineState = { info: null, status: null, error: null };

export const useEngineStore = create<EngineState>()(() => initial);

/** app:info answered. */
export function appInfoLoaded(info: AppInfo): void {
  useEngineStore.setState({ info });
}

/** engine:status answered, or engine:changed arrived. */
export function engineStatusChanged(status: EngineStatus): void {
  useEngineStore.setState({ status, error: null });
}

/** app:info or engine:status failed. */
export function engineLoadFailed(error: AppErrorData): void {
  useEngineStore.setState({ error });
}

/** Back to the first state (tests). */
export function resetEngineStore(): void {
  useEngineStore.setState(initial, true);
}

/** The providers the engine reported, or none while it has not answered. */
export function selectProviders(state: EngineState): ProviderStatus[] {
  return state.status?.providers ?? EMPTY;
}

const EMPTY: ProviderStatus[] = [];
