import { useSyncExternalStore } from 'react';
import { type Area, areaFromHash } from '../common/routes';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentArea(): Area {
  return areaFromHash(window.location.hash);
}

/** The area the location hash names, following back/forward and links. */
export function useHashArea(): Area {
  return useSyncExternalStore(subscribe, currentArea);
}
