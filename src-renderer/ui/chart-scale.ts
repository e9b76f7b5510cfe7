/**
 * The arithmetic behind the hand-drawn SVG charts: domains, linear scales, nice upper bounds and
 * path strings. Kept apart from the components so it can be tested without a DOM.
 */

/** A linear map from a data domain onto a pixel range; a flat domain maps to the range's middle. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (span === 0 || !Number.isFinite(span)) {
    const middle = (r0 + r1) / 2;
    return () => middle;
  }
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/**
 * The smallest "nice" number (1, 2, 2.5, 5 times a power of ten) at or above a value, so an axis
 * ends on a round figure. Zero and negative values give 1.
 */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    // A relative tolerance so 0.3 (0.30000000000000004 after arithmetic) does not jump to 0.5.
    if (candidate >= value * (1 - 1e-9)) return candidate;
  }
  return 10 * power;
}

/**
 * The y domain for a series: from zero (these are all magnitudes: watts, %, MiB, °C, MHz) to a
 * nice value above the largest of the data and any reference lines. A fixed maximum (100 for
 * percentages) wins when given.
 */
export function yDomain(
  values: readonly (number | null)[],
  options: { fixedMax?: number; include?: readonly (number | null)[] } = {},
): [number, number] {
  if (options.fixedMax !== undefined) return [0, options.fixedMax];
  let max = 0;
  for (const v of [...values, ...(options.include ?? [])]) {
    if (v !== null && Number.isFinite(v) && v > max) max = v;
  }
  return [0, niceCeil(max)];
}

/**
 * An SVG path through the points; null values break the line (the GPU did not report that
 * reading), so a gap shows as a gap instead of a misleading slope.
 */
export function linePath(
  values: readonly (number | null)[],
  x: (index: number) => number,
  y: (value: number) => number,
): string {
  const parts: string[] = [];
  let penDown = false;
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      penDown = false;
      return;
    }
    parts.push(`${penDown ? 'L' : 'M'}${round2(x(index))},${round2(y(value))}`);
    penDown = true;
  });
  return parts.join(' ');
}

/** The share of a total as a fraction clamped to [0, 1], for meters and bars; 0 when unknown. */
export function fraction(value: number | null, total: number | null): number {
  if (value === null || total === null || !(total > 0)) return 0;
  return Math.min(1, Math.max(0, value / total));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
