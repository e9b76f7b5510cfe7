import { createPreloadApi } from './preload-client';
import type { RendererApi } from './types';
import { createWsApi } from './ws-client';

/** The client for how this page is being served: Electron's preload bridge, else the host's socket. */
export function createApi(): RendererApi {
  return window.crucible ? createPreloadApi(window.crucible) : createWsApi();
}

export type { RendererApi } from './types';
