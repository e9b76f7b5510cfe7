/**
 * Hash routes (#/gpu, #/models, …): the area survives a reload, and no server routing is needed
 * for either the file:// page Electron loads or the browser-mode host.
 */

export const AREAS = ['gpu', 'models', 'compile', 'run', 'bench', 'settings'] as const;
export type Area = (typeof AREAS)[number];

/** The sidebar's labels, in its order. */
export const AREA_LABELS: Record<Area, string> = {
  gpu: 'GPU',
  models: 'Models',
  compile: 'Compile queue',
  run: 'Run',
  bench: 'Benchmarks',
  settings: 'Settings',
};

/** The area first shown: the user sees their GPU at once. */
export const DEFAULT_AREA: Area = 'gpu';

/** The area a location hash names; anything else gives the default area. */
export function areaFromHash(hash: string): Area {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (AREAS as readonly string[]).includes(name) ? (name as Area) : DEFAULT_AREA;
}

/** The hash that opens an area. */
export function hashForArea(area: Area): string {
  return `#/${area}`;
}
