/**
 * Electron's client of the contract: the preload exposes `window.crucible` (invoke/on for every
 * contract channel, and getPathForFile for drops); this adapts it to RendererApi.
 */
import type { CrucibleApi, ModelEntry } from '../../src-main/ipc/contract';
import type { Result } from '../../src-main/shared/result';
import type { RendererApi } from './types';

/** What src-main/app/preload/preload.ts exposes through contextBridge. */
export interface PreloadBridge extends CrucibleApi {
  getPathForFile(file: File): string;
}

declare global {
  interface Window {
    crucible?: PreloadBridge;
  }
}

/** Wraps the preload bridge; files are added by their path on this machine. */
export function createPreloadApi(bridge: PreloadBridge): RendererApi {
  return {
    invoke: (channel, input) => bridge.invoke(channel, input),
    on: (event, listener) => bridge.on(event, listener),
    pathForFile: (file) => bridge.getPathForFile(file),
    async addFiles(files: File[]) {
      const results: Result<ModelEntry>[] = [];
      // Models are referenced where they are, so a model's external-data files dropped with it
      // need no sending: the main side finds them beside it. A dropped folder (no .onnx among
      // the files) goes as its path, and the main side finds the model inside.
      const isModel = (f: File) => f.name.toLowerCase().endsWith('.onnx');
      const hasModel = files.some(isModel);
      for (const file of files) {
        if (hasModel && !isModel(file)) continue;
        const path = bridge.getPathForFile(file);
        results.push(
          path
            ? await bridge.invoke('models:add', { path })
            : {
                ok: false,
                error: { code: 'FILE_NOT_FOUND', message: `${file.name}: no path on this machine` },
              },
        );
      }
      return results;
    },
  };
}
