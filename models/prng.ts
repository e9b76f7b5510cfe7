/**
 * Deterministic weights. The committed models must come out byte-identical on every platform and
 * Node version, so this uses only integer ops (Math.imul, shifts) and IEEE-exact float ops
 * (+, -, *, /, sqrt); never Math.random, and never sin/exp/log, whose last bits vary by platform.
 */

/** A xorshift32 stream seeded from a string, so each tensor's values depend only on its own name. */
export class Prng {
  private state: number;

  /** Seeds the stream from `seed` (FNV-1a over its UTF-16 code units; never the stuck zero state). */
  constructor(seed: string) {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    this.state = h === 0 ? 0x9e3779b9 : h;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/** `count` values uniform in [-bound, bound), from a stream seeded by `seed`. */
export function uniformArray(seed: string, count: number, bound: number): Float32Array {
  const prng = new Prng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = prng.uniform(-bound, bound);
  return out;
}
