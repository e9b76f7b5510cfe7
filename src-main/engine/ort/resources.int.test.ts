// Resource test: native handles are released, not leaked. Run alone with
//   npx vitest run src-main/engine/ort/resources.int.test.ts
import { describe, expect, it } from 'vitest';
import { initOrt } from './env';
import { Session } from './session';
import { identityModel } from './test-models';
import { OrtValue } from './value';

initOrt({ logLevel: 'error' });

const MiB = 1024 * 1024;

function rssMiB(): number {
  // With --expose-gc, collect JS garbage first so the figure is native memory, not pending garbage.
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / MiB;
}

// Measured on the dev machine (Linux x64, Node 20, ORT 1.30 CPU, 2 cores): sessions +7 to +9 MiB,
// everything +29 to +47 MiB (allocator and V8 high-water marks: 4 more rounds of 100,000 tensors
// stay on the same plateau). Leaking each session (hundreds of KiB apiece) would blow the first.
const SESSIONS_BOUND_MIB = 32;
const TOTAL_BOUND_MIB = 64;

describe('native resources', () => {
  it('1,000 sessions and 100,000 tensors created and released leave RSS flat', async () => {
    const model = identityModel('float32', ['n', 4]);
    const x = { dtype: 'float32' as const, dims: [2, 4], data: new Float32Array(8) };
    // Warm-up: allocator arenas, koffi's pools and V8's heap settle first.
    for (let i = 0; i < 50; i++) {
      const s = await Session.fromBytes(model);
      await s.run({ X: x });
      s.release();
    }
    for (let i = 0; i < 20_000; i++) OrtValue.fromHost(x).release();
    const before = rssMiB();

    for (let i = 0; i < 1000; i++) {
      const s = await Session.fromBytes(model);
      if (i % 10 === 0) await s.run({ X: x });
      s.release();
    }
    const afterSessions = rssMiB();
    const strings = { dtype: 'string' as const, dims: [2], data: ['a', 'bb'] };
    for (let i = 0; i < 100_000; i++) {
      const v = OrtValue.fromHost(i % 10 === 0 ? strings : x);
      if (i % 100 === 0) v.toHost();
      v.release();
    }
    const after = rssMiB();
    console.log(
      `RSS: ${before.toFixed(1)} MiB before, ${afterSessions.toFixed(1)} after 1,000 sessions, ` +
        `${after.toFixed(1)} after 100,000 tensors (bounds +${SESSIONS_BOUND_MIB} and +${TOTAL_BOUND_MIB} MiB)`,
    );
    expect(afterSessions - before).toBeLessThan(SESSIONS_BOUND_MIB);
    expect(after - before).toBeLessThan(TOTAL_BOUND_MIB);
  }, 300_000);
});
