import type { CrucibleApi, ModelEntry } from '../../src-main/ipc/contract';
import type { Result } from '../../src-main/shared/result';

/**
 * The renderer's view of the main side: the contract's invoke/on, plus what only a page can do.
 * Both clients (Electron preload, browser-mode WebSocket) implement it.
 */
export interface RendererApi extends CrucibleApi {
  /**
   * Adds dropped or picked files to the model library. Electron passes their paths to the main
   * side; browser mode streams them to the host. One Result per model added (or per failed file).
   */
  addFiles(files: File[]): Promise<Result<ModelEntry>[]>;
}
