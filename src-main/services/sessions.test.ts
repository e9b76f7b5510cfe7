// The session owner's bookkeeping over a recording engine host: one session per key even when
// asked concurrently, the live-session bound (least recently used idle one released), sessions in
// use never released, unavailable providers refused before anything is created.
import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../ipc/contract';
import { SessionOwner, type OwnerEngine } from './sessions';

function engine() {
  const sent: { op: string; args: { sessionId: string; modelPath?: string } }[] = [];
  let listener: (s: EngineStatus) => void = () => undefined;
  const e = {
    sent,
    change: (s: Partial<EngineStatus>) => listener(s as EngineStatus),
    async request(op: string, args: { sessionId: string }) {
      sent.push({ op, args });
      await new Promise((r) => setTimeout(r, 5));
      if (op === 'session.create') {
        return {
          sessionId: args.sessionId,
          inputs: [],
          outputs: [],
          createMs: 7,
          provider: 'CPUExecutionProvider',
          runPath: { sync: false, reason: '' },
        };
      }
      return { released: true };
    },
    status: () =>
      ({
        state: 'ready',
        providers: [
          { id: 'cpu', available: true },
          { id: 'webgpu', available: false, ortName: 'WebGpuExecutionProvider', reason: 'no GPU' },
        ],
      }) as unknown as EngineStatus,
    onChange: (l: (s: EngineStatus) => void) => {
      listener = l;
      return () => undefined;
    },
  };
  return e;
}

const m = (id: string) => ({ id, path: `/models/${id}.onnx` });
const creates = (e: ReturnType<typeof engine>) => e.sent.filter((s) => s.op === 'session.create');
const releases = (e: ReturnType<typeof engine>) => e.sent.filter((s) => s.op === 'session.release');

describe('SessionOwner', () => {
  it('creates one session per key, also for concurrent asks', async () => {
    const e = engine();
    const owner = new SessionOwner(e as unknown as OwnerEngine);
    const [a, b] = await Promise.all([
      owner.acquire(m('a'), { provider: 'cpu', dims: { n: 1 } }),
      owner.acquire(m('a'), { provider: 'cpu', dims: { n: 1 } }),
    ]);
    expect(a.session.id).toBe(b.session.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const other = await owner.acquire(m('a'), { provider: 'cpu', dims: { n: 2 } });
    expect(other.session.id).not.toBe(a.session.id);
    expect(creates(e)).toHaveLength(2);
    expect([...owner.creationCounts().values()]).toEqual([1, 1]);
  });

  it('keeps at most maxLive sessions, releasing the least recently used idle one', async () => {
    const e = engine();
    const owner = new SessionOwner(e as unknown as OwnerEngine, { maxLive: 2 });
    const a = await owner.acquire(m('a'), { provider: 'cpu', dims: {} });
    a.done();
    const b = await owner.acquire(m('b'), { provider: 'cpu', dims: {} });
    b.done();
    // 'a' used again: 'b' is now the least recently used.
    (await owner.acquire(m('a'), { provider: 'cpu', dims: {} })).done();
    const c = await owner.acquire(m('c'), { provider: 'cpu', dims: {} });
    await new Promise((r) => setTimeout(r, 20));
    expect(releases(e).map((r) => r.args.sessionId)).toEqual([b.session.id]);
    expect(owner.liveKeys().map((k) => k.split('|')[0])).toEqual(['a', 'c']);
    // A session in use is never released for the bound: 'c' is held while 'd' and 'e' come.
    (await owner.acquire(m('d'), { provider: 'cpu', dims: {} })).done();
    (await owner.acquire(m('e'), { provider: 'cpu', dims: {} })).done();
    expect(owner.liveKeys().map((k) => k.split('|')[0])).toContain('c');
    c.done();
  });

  it('keeps the model weights of live sessions under maxBytes (file + external data)', async () => {
    const e = engine();
    const owner = new SessionOwner(e as unknown as OwnerEngine, { maxLive: 10, maxBytes: 1000 });
    const big = (id: string, file: number, ext: number) => ({
      ...m(id),
      inspection: { sizeBytes: file, externalData: [{ bytes: ext }] },
    });
    const a = await owner.acquire(big('a', 100, 300), { provider: 'cpu', dims: {} });
    expect(a.session.bytes).toBe(400);
    a.done();
    (await owner.acquire(big('b', 400, 0), { provider: 'cpu', dims: {} })).done();
    expect(releases(e)).toHaveLength(0);
    // 400 + 400 + 300 > 1000: the least recently used ('a') goes.
    (await owner.acquire(big('c', 300, 0), { provider: 'cpu', dims: {} })).done();
    await new Promise((r) => setTimeout(r, 20));
    expect(releases(e).map((r) => r.args.sessionId)).toEqual([a.session.id]);
    expect(owner.liveKeys().map((k) => k.split('|')[0])).toEqual(['b', 'c']);
  });

  it('refuses an unavailable provider before creating anything, and forgets all on a restart', async () => {
    const e = engine();
    const owner = new SessionOwner(e as unknown as OwnerEngine);
    await expect(owner.acquire(m('a'), { provider: 'webgpu', dims: {} })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'WebGPU is not available here: no GPU',
    });
    expect(e.sent).toHaveLength(0);
    await owner.acquire(m('a'), { provider: 'cpu', dims: {} });
    e.change({ state: 'restarting' });
    expect(owner.liveKeys()).toEqual([]);
  });

  it('uses a compiled entry only for its provider and dims, and says so', async () => {
    const e = engine();
    const owner = new SessionOwner(e as unknown as OwnerEngine);
    owner.addCompiled({
      entryId: 'cpu/x/y/z/a/opts',
      modelId: 'a',
      provider: 'cpu',
      modelPath: '/cache/a/model.optimized.onnx',
      providerOptions: {},
      graphOptimizationLevel: 'disabled',
      dims: { n: 4 },
      createdAt: 1,
    });
    const other = await owner.acquire(m('a'), { provider: 'cpu', dims: { n: 2 } });
    expect(other.session).toMatchObject({ variant: 'original', entryId: null });
    const hit = await owner.acquire(m('a'), { provider: 'cpu', dims: { n: 4 } });
    expect(hit.session).toMatchObject({ variant: 'compiled', entryId: 'cpu/x/y/z/a/opts' });
    expect(creates(e).map((c) => c.args.modelPath)).toEqual([
      '/models/a.onnx',
      '/cache/a/model.optimized.onnx',
    ]);
    await expect(
      owner.acquire(m('a'), { provider: 'cpu', dims: { n: 2 }, variant: 'compiled' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    owner.forgetCompiled(['cpu/x/y/z/a/opts']);
    await new Promise((r) => setTimeout(r, 20));
    expect(releases(e).map((r) => r.args.sessionId)).toEqual([hit.session.id]);
    const back = await owner.acquire(m('a'), { provider: 'cpu', dims: { n: 4 } });
    expect(back.session.variant).toBe('original');
  });
});
