/**
 * Test support only (imported by *.int.test.ts, never by the app): a library entry for a built-in
 * demo model as the model library makes one (sha256 id, inspection from the file), and a GPU
 * monitor of a machine without an NVIDIA GPU — what the services' integration tests start from.
 */
import path from 'node:path';
import type { ModelEntry } from '../ipc/contract';
import { sha256File } from '../engine/cache/hash';
import { inspectModel } from '../engine/model/inspect';

/** The repository's models/ folder. */
export const MODELS_DIR = path.resolve(__dirname, '..', '..', 'models');

/** The library entry of models/`file`, named by its file name. */
export async function builtInEntry(file: string): Promise<ModelEntry> {
  const p = path.join(MODELS_DIR, file);
  return {
    id: await sha256File(p),
    name: file,
    path: p,
    builtIn: true,
    addedAt: 0,
    inspection: await inspectModel(p),
    error: null,
  };
}

/** A GPU monitor that finds no NVIDIA GPU. */
export const noGpuMonitor = {
  snapshot: async () => ({
    source: 'none' as const,
    reason: 'no NVIDIA GPU',
    driverVersion: null,
    cudaDriverVersion: null,
    gpus: [],
    sampledAt: 0,
  }),
  watch: () => () => undefined,
  close: () => undefined,
};
