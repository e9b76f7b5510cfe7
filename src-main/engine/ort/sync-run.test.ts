// Synchronous runs of single-threaded CPU sessions: which sessions qualify (from the options they
// were created with), that the others refuse, and that sync and async runs give the same bits.
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { HostTensor, TensorData } from '../tensor';
import { asyncCallsInFlight } from './api';
import { initOrt } from './env';
import { IoBinding } from './io-binding';
import { MemoryInfo } from './memory-info';
import { Session } from './session';
import {
  SessionOptions,
  SINGLE_THREADED_CPU,
  singleThreadedCpuReason,
  type SessionOptionsInit,
  type ThreadingSettings,
} from './session-options';
import { matmulChainModel } from './test-models';
import { OrtValue } from './value';

initOrt({ logLevel: 'error' });

const root = path.resolve(__dirname, '..', '..', '..');
const tiny = path.join(root, 'models', 'mlp-tiny.onnx');

async function sessionWith(init: SessionOptionsInit | null, model = tiny): Promise<Session> {
  if (!init) return Session.create(model);
  const so = SessionOptions.create(init);
  try {
    return await Session.create(model, { options: so });
  } finally {
    so.release();
  }
}

function bytesOf(d: TensorData): Uint8Array {
  if (Array.isArray(d)) throw new Error('strings have no bytes');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function input(seed: number): HostTensor {
  const data = new Float32Array(16);
  for (let i = 0; i < 16; i++) data[i] = Math.sin(seed * 31 + i) * 3;
  return { dtype: 'float32', dims: [1, 16], data };
}

describe('single-threaded CPU: what the options recorded', () => {
  const base: ThreadingSettings = {
    intraOpThreads: 1,
    interOpThreads: null,
    executionMode: 'sequential',
    providers: [],
  };
  it.each<[string, Partial<ThreadingSettings>, RegExp | null]>([
    ['one intra-op thread, sequential, CPU only', {}, null],
    ['inter-op threads are ignored in sequential mode', { interOpThreads: 4 }, null],
    ['intra-op threads unset (ORT default pool)', { intraOpThreads: null }, /not set/],
    ['two intra-op threads', { intraOpThreads: 2 }, /intra-op threads 2/],
    ['parallel execution (inter-op pool)', { executionMode: 'parallel' }, /parallel/],
    ['a provider appended', { providers: ['WebGPU'] }, /WebGPU/],
  ])('%s', (_, change, reason) => {
    const why = singleThreadedCpuReason({ ...base, ...change });
    if (reason === null) expect(why).toBeNull();
    else expect(why).toMatch(reason);
  });

  it('SessionOptions records its thread settings, and a clone keeps them', () => {
    const so = SessionOptions.create({ ...SINGLE_THREADED_CPU });
    const copy = so.clone();
    try {
      expect(so.threading).toEqual({
        intraOpThreads: 1,
        interOpThreads: 1,
        executionMode: 'sequential',
        providers: [],
      });
      expect(copy.threading).toEqual(so.threading);
      copy.setExecutionMode('parallel');
      expect(copy.threading.executionMode).toBe('parallel');
      expect(so.threading.executionMode).toBe('sequential');
      expect(SessionOptions.create().threading.intraOpThreads).toBeNull();
    } finally {
      so.release();
      copy.release();
    }
  });
});

describe('runSync', () => {
  it('runs a single-threaded CPU session and gives the same bits as the async run', async () => {
    const s = await sessionWith({ ...SINGLE_THREADED_CPU });
    const threaded = await sessionWith(null);
    try {
      expect(s.singleThreadedCpu).toBe(true);
      expect(s.canRunSync).toBe(true);
      for (let seed = 0; seed < 5; seed++) {
        const x = input(seed);
        const sync = s.runSync({ x });
        const async = await s.run({ x });
        const other = await threaded.run({ x });
        expect(sync.y?.dims).toEqual([1, 4]);
        expect(bytesOf(sync.y?.data as TensorData)).toEqual(bytesOf(async.y?.data as TensorData));
        expect(bytesOf(sync.y?.data as TensorData)).toEqual(bytesOf(other.y?.data as TensorData));
      }
    } finally {
      s.release();
      threaded.release();
    }
  });

  it('IoBinding.runSync writes the same bits as IoBinding.run', async () => {
    const s = await sessionWith({ ...SINGLE_THREADED_CPU });
    const x = OrtValue.fromHost(input(3), 'x');
    const cpu = MemoryInfo.cpu('device', 'default');
    const binding = IoBinding.create(s);
    try {
      binding.bindInput('x', x).bindOutputToDevice('y', cpu);
      binding.runSync();
      const sync = binding.outputs();
      await binding.run();
      const async = binding.outputs();
      expect(sync.y?.dims).toEqual([1, 4]);
      expect(bytesOf(sync.y?.data as TensorData)).toEqual(bytesOf(async.y?.data as TensorData));
      expect(bytesOf(sync.y?.data as TensorData)).toEqual(
        bytesOf(s.runSync({ x: input(3) }).y?.data as TensorData),
      );
    } finally {
      binding.release();
      cpu.release();
      x.release();
      s.release();
    }
  });

  it('checks inputs like run does', async () => {
    const s = await sessionWith({ ...SINGLE_THREADED_CPU });
    try {
      expect(() =>
        s.runSync({ x: { dtype: 'float32', dims: [1, 8], data: new Float32Array(8) } }),
      ).toThrow(/dimension 1 must be 16/);
      expect(() => s.runSync({ x: input(1) }, ['nope'])).toThrow(/unknown output 'nope'/);
    } finally {
      s.release();
    }
  });

  it.each<[string, SessionOptionsInit | null, RegExp]>([
    ["ORT's default threads", null, /intra-op threads not set/],
    ['two intra-op threads', { intraOpThreads: 2 }, /intra-op threads 2/],
    ['parallel execution', { intraOpThreads: 1, executionMode: 'parallel' }, /parallel/],
  ])('refuses a session with %s (plain and IO binding)', async (_, init, reason) => {
    const s = await sessionWith(init);
    const binding = IoBinding.create(s);
    try {
      expect(s.singleThreadedCpu).toBe(false);
      expect(s.canRunSync).toBe(false);
      expect(() => s.runSync({ x: input(1) })).toThrow(reason);
      expect(() => s.runSync({ x: input(1) })).toThrow(/single-threaded CPU session/);
      expect(() => binding.runSync()).toThrow(reason);
      // The async path still works on it.
      expect((await s.run({ x: input(1) })).y?.dims).toEqual([1, 4]);
    } finally {
      binding.release();
      s.release();
    }
  });

  it('canRunSync is false while another native call runs on a worker thread', async () => {
    const s = await sessionWith({ ...SINGLE_THREADED_CPU });
    const slow = await Session.fromBytes(matmulChainModel(8, 64));
    try {
      // Sessions are released on worker threads too: let earlier tests' releases finish.
      await vi.waitFor(() => expect(asyncCallsInFlight()).toBe(0));
      expect(s.canRunSync).toBe(true);
      const pending = slow.run({
        X: { dtype: 'float32', dims: [4, 64], data: new Float32Array(256) },
      });
      expect(asyncCallsInFlight()).toBe(1);
      expect(s.canRunSync).toBe(false);
      await pending;
      expect(asyncCallsInFlight()).toBe(0);
      expect(s.canRunSync).toBe(true);
    } finally {
      s.release();
      slow.release();
    }
  });

  it('a session release on a worker thread keeps the sync path off until it is done', async () => {
    const s = await sessionWith({ ...SINGLE_THREADED_CPU });
    const other = await Session.fromBytes(matmulChainModel(2, 16));
    await vi.waitFor(() => expect(asyncCallsInFlight()).toBe(0));
    other.release();
    expect(asyncCallsInFlight()).toBe(1);
    expect(s.canRunSync).toBe(false);
    await vi.waitFor(() => expect(asyncCallsInFlight()).toBe(0));
    expect(s.canRunSync).toBe(true);
    s.release();
  });
});

describe('copyTensorsSync', () => {
  it('is refused where ORT logs to JS (a pool thread could wait for this thread)', async () => {
    const { copyTensorsCanRunSync, copyTensorsSync } = await import('./io-binding');
    expect(copyTensorsCanRunSync()).toBe(false);
    expect(() => copyTensorsSync([], [])).toThrow(
      /ORT logs to JS in this process; use copyTensors/,
    );
  });
});
