/**
 * Benchmark history (bench:history), read when the Benchmarks area opens.
 */
import { create } from 'zustand';
import type { BenchResult } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import type { RendererApi } from '../api/types';

export interface BenchState {
  results: BenchResult[];
  loaded: boolean;
  loading: boolean;
  /** When the history was read; "5 min ago" is measured from here. */
  loadedAt: number | null;
  error: AppErrorData | null;
}

const initial: BenchState = {
  results: [],
  loaded: false,
  loading: false,
  loadedAt: null,
  error: null,
};

export const useBenchStore = create<BenchState>()(() => initial);

/** bench:history answered (newest first). */
export function benchHistoryLoaded(results: BenchResult[], now = Date.now()): void {
  useBenchStore.setState({ results, loaded: true, loading: false, loadedAt: now, error: null });
}

/** bench:history failed. */
export function benchHistoryFailed(error: AppErrorData): void {
  useBenchStore.setState({ error, loaded: true, loading: false });
}

/** The Benchmarks area opened (or the user asked again): read the history. */
export async function benchHistoryRequested(api: RendererApi): Promise<void> {
  useBenchStore.setState({ loading: true });
  const result = await api.invoke('bench:history', {});
  if (result.ok) benchHistoryLoaded(result.value);
  else benchHistoryFailed(result.error);
}

/** Back to the first state (tests). */
export function resetBenchStore(): void {
  useBenchStore.setState(initial, true);
}
