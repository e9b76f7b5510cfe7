import { describe, expect, it } from 'vitest';
import { AREAS, AREA_LABELS, areaFromHash, hashForArea } from './routes';

describe('hash routes', () => {
  it.each([
    ['#/models', 'models'],
    ['#models', 'models'],
    ['#/bench/', 'bench'],
    ['#/run?model=abc', 'run'],
    ['#/settings', 'settings'],
    ['', 'gpu'],
    ['#/', 'gpu'],
    ['#/nowhere', 'gpu'],
  ])('%s → %s', (hash, area) => {
    expect(areaFromHash(hash)).toBe(area);
  });

  it('round-trips every area and labels each', () => {
    for (const area of AREAS) {
      expect(areaFromHash(hashForArea(area))).toBe(area);
      expect(AREA_LABELS[area].length).toBeGreaterThan(0);
    }
  });
});
