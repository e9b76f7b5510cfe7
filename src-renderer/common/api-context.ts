/**
 * The RendererApi handed to <App>, reachable from any component without threading it through
 * every prop list.
 */
import { createContext, useContext } from 'react';
import type { RendererApi } from '../api/types';

export const ApiContext = createContext<RendererApi | null>(null);

/** The API of the surrounding <App>; a component outside one is a bug. */
export function useApi(): RendererApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi() called outside <App>');
  return api;
}
