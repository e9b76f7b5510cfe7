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
  /**
   * A dropped or picked file's path on this machine (Electron's getPathForFile). Absent in browser
   * mode: a page cannot see paths there, so a file for an input is named by its typed path.
   */
  pathForFile?(file: File): string;
}
