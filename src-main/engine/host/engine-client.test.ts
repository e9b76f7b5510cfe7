// The protocol's main side over an in-memory channel pair: a scripted host stands in for the
// process, so every path (handshake, ids, timeouts, cancel, crash and restart) is exercised
// deterministically. engine-host.int.test.ts runs the same client against the real process.
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { ProviderStatus } from '../../ipc/contract';
import { EngineClient, type HostProcess } from './engine-client';
import { PROTOCOL_VERSION, type FromHost, type LogLine, type ToHost } from './protocol';

const cpu: ProviderStatus = {
  id: 'cpu',
  ortName: 'CPUExecutionProvider',
  available: true,
  reason: null,
  compiles: false,
  device: null,
};

/** A fake host: records what it is sent and lets the test answer or die. */
class FakeHost implements HostProcess {
  sent: ToHost[] = [];
  private messageListeners: ((m: FromHost) => void)[] = [];
  private exitListeners: ((i: { code: number | null; signal: string | null }) => void)[] = [];
  killed = false;
  stderr: NodeJS.ReadableStream | null = null;
  constructor(private readonly onSend: (msg: ToHost, host: FakeHost) => void = () => undefined) {}
  send(msg: ToHost): void {
    this.sent.push(msg);
    this.onSend(msg, this);
  }
  onMessage(l: (m: FromHost) => void): void {
    this.messageListeners.push(l);
  }
  onExit(l: (i: { code: number | null; signal: string | null }) => void): void {
    this.exitListeners.push(l);
  }
  kill(): void {
    this.killed = true;
  }
  emit(m: FromHost): void {
    for (const l of this.messageListeners) l(m);
  }
  die(signal = 'SIGSEGV'): void {
    for (const l of this.exitListeners) l({ code: null, signal });
  }
  hello(protocol = PROTOCOL_VERSION): void {
    this.emit({
      type: 'hello',
      protocol,
      ortVersion: '1.30.0',
      libraryPath: '/lib/libonnxruntime.so.1',
      providers: [cpu],
      pid: 1,
    });
  }
}

/** A spawner whose hosts say hello at once and answer `session.list` (ids echo back). */
function spawner(hosts: FakeHost[], answer = true) {
  return () => {
    const h = new FakeHost((msg, self) => {
      if (answer && msg.type === 'request' && msg.op === 'session.list') {
        queueMicrotask(() =>
          self.emit({
            type: 'response',
            id: msg.id,
            ok: true,
            value: { sessionIds: [String(msg.id)] },
          }),
        );
      }
    });
    hosts.push(h);
    queueMicrotask(() => h.hello());
    return h;
  };
}

describe('EngineClient over an in-memory host', () => {
  it('waits for the hello, then reports ready with the ORT version and providers', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(spawner(hosts));
    expect(client.status().state).toBe('starting');
    await client.start();
    expect(client.status()).toMatchObject({
      state: 'ready',
      ortVersion: '1.30.0',
      providers: [cpu],
    });
    client.close();
  });

  it('matches responses to requests by id, whatever their order', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(spawner(hosts));
    const [a, b] = await Promise.all([
      client.request('session.list', {}),
      client.request('session.list', {}),
    ]);
    expect(a.sessionIds[0]).not.toBe(b.sessionIds[0]);
    client.close();
  });

  it('fails a request that takes too long with ENGINE_TIMEOUT and tells the host to cancel it', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(spawner(hosts, false));
    await expect(client.request('session.list', {}, { timeoutMs: 30 })).rejects.toMatchObject({
      code: 'ENGINE_TIMEOUT',
    });
    expect(hosts[0]?.sent.some((m) => m.type === 'cancel')).toBe(true);
    client.close();
  });

  it('sends cancel when the caller aborts, and the request ends with the host answer', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(spawner(hosts, false));
    await client.start();
    const ac = new AbortController();
    const pending = client.request('session.list', {}, { signal: ac.signal });
    const host = hosts[0] as FakeHost;
    await expect.poll(() => host.sent.length).toBe(1);
    ac.abort();
    const cancel = host.sent.find((m) => m.type === 'cancel');
    expect(cancel).toBeDefined();
    host.emit({
      type: 'response',
      id: (cancel as { id: number }).id,
      ok: false,
      error: { code: 'CANCELLED', message: 'cancelled' },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    client.close();
  });

  it('fails in-flight requests with ENGINE_CRASHED when the host dies, then restarts it', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(spawner(hosts, false), { backoffMs: [5] });
    await client.start();
    const states: string[] = [];
    client.onChange((s) => states.push(s.state));
    const pending = client.request('session.create', {
      sessionId: 's',
      modelPath: '/m.onnx',
      provider: 'cpu',
    });
    await expect.poll(() => hosts[0]?.sent.length).toBe(1);
    hosts[0]?.die('SIGABRT');
    await expect(pending).rejects.toMatchObject({
      code: 'ENGINE_CRASHED',
      message: expect.stringContaining('signal SIGABRT'),
    });
    await expect.poll(() => client.status().state).toBe('ready');
    expect(hosts).toHaveLength(2);
    expect(states).toEqual(['restarting', 'ready']);
    expect(client.status().restarts).toBe(1);
    client.close();
  });

  it('restart() replaces the host at once: in-flight requests say why, and it is not counted as a crash', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(() => {
      const h = spawner(hosts, false)();
      // A real process exits when killed; the fake says so.
      const kill = h.kill.bind(h);
      h.kill = () => {
        kill();
        queueMicrotask(() => h.die('SIGKILL'));
      };
      return h;
    });
    await client.start();
    const pending = client.request('session.list', {});
    await expect.poll(() => hosts[0]?.sent.length).toBe(1);
    await client.restart('a provider library was installed');
    await expect(pending).rejects.toMatchObject({
      code: 'ENGINE_CRASHED',
      message: expect.stringContaining('restarted (a provider library was installed)'),
    });
    expect(hosts).toHaveLength(2);
    expect(client.status()).toMatchObject({ state: 'ready', restarts: 0 });
    client.close();
  });

  it('gives up after too many crashes in a minute and says so', async () => {
    const hosts: FakeHost[] = [];
    const client = new EngineClient(spawner(hosts, false), {
      backoffMs: [1],
      maxCrashesPerMinute: 2,
    });
    await client.start();
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => client.status().state).toBe('ready');
      hosts[hosts.length - 1]?.die();
    }
    await expect.poll(() => client.status().state).toBe('failed');
    expect(client.status().lastError?.code).toBe('ENGINE_CRASHED');
    client.close();
  });

  it('refuses a host that speaks another protocol version', async () => {
    const client = new EngineClient(() => {
      const h = new FakeHost();
      queueMicrotask(() => h.hello(PROTOCOL_VERSION + 1));
      return h;
    });
    await expect(client.start()).rejects.toMatchObject({
      message: expect.stringContaining('protocol version'),
    });
    expect(client.status().state).toBe('failed');
  });

  it('reports a host that could not load ONNX Runtime, with its reason', async () => {
    const client = new EngineClient(() => {
      const h = new FakeHost();
      queueMicrotask(() =>
        h.emit({
          type: 'hello-failed',
          error: { code: 'ORT_LOAD_FAILED', message: 'ONNX Runtime not found in /x' },
        }),
      );
      return h;
    });
    await expect(client.start()).rejects.toMatchObject({ code: 'ORT_LOAD_FAILED' });
    expect(client.status()).toMatchObject({
      state: 'failed',
      lastError: { code: 'ORT_LOAD_FAILED' },
    });
  });

  it("reads ORT's lines from the host's stderr into log records and passes the rest on", async () => {
    const stderr = new PassThrough();
    const client = new EngineClient(() => {
      const h = new FakeHost();
      h.stderr = stderr;
      queueMicrotask(() => h.hello());
      return h;
    });
    const lines: LogLine[] = [];
    client.onLog((l) => lines.push(l));
    const passed: string[] = [];
    const write = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => passed.push(String(chunk)) > 0);
    try {
      await client.start();
      stderr.write(
        '\x1b[0;93m2026-12-07 00:22:47.821903749 [W:onnxruntime:crucible, graph.cc:12 F] a warning\x1b[m\n',
      );
      stderr.write('(node:7) Warning: not ORT\n');
      await expect.poll(() => passed.length).toBe(1);
      expect(lines).toEqual([
        { severity: 2, category: 'onnxruntime', logid: 'crucible', message: 'a warning' },
      ]);
      expect(passed).toEqual(['(node:7) Warning: not ORT\n']);
    } finally {
      write.mockRestore();
      client.close();
    }
  });
});
