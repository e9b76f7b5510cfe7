// Browser mode's WebSocket client against a scripted socket: calls wait for the socket and are
// answered by id, a dropped socket fails the calls in flight (they never hang), reconnects back
// off 250 ms, 500 ms, 1 s … up to 5 s and start again at 250 ms after a good connection, and events
// reach on() listeners until they unsubscribe.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWsApi } from './ws-client';

/** A WebSocket the test drives: it opens, answers and drops when told to. */
class ScriptedSocket {
  static all: ScriptedSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly sent: { type: string; id: number; channel: string; input: unknown }[] = [];
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {
    ScriptedSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  open(): void {
    this.onopen?.();
  }
  reply(id: number, result: unknown): void {
    this.onmessage?.({ data: JSON.stringify({ type: 'result', id, result }) });
  }
  event(event: string, payload: unknown): void {
    this.onmessage?.({ data: JSON.stringify({ type: 'event', event, payload }) });
  }
  drop(): void {
    this.onclose?.();
  }
}

const latest = (): ScriptedSocket => {
  const s = ScriptedSocket.all.at(-1);
  if (!s) throw new Error('no socket was opened');
  return s;
};

/** Lets promise continuations (connect().then, await in invoke) run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => {
  ScriptedSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', ScriptedSocket);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ws-client', () => {
  it('connects to the origin’s /ws, holds a call until the socket opens, and answers it by id', async () => {
    const api = createWsApi('http://127.0.0.1:5123', 'tok');
    expect(ScriptedSocket.all).toHaveLength(1);
    expect(latest().url).toBe('ws://127.0.0.1:5123/ws');
    // The token goes as a subprotocol, never as a cookie (server.ts says why).
    expect(latest().protocols).toEqual(['crucible', 'crucible-token.tok']);

    const call = api.invoke('app:info', {});
    await settle();
    expect(latest().sent).toEqual([]); // not open yet: nothing sent
    latest().open();
    await settle();
    expect(latest().sent).toEqual([{ type: 'invoke', id: 1, channel: 'app:info', input: {} }]);

    const other = api.invoke('models:list', {});
    await settle();
    latest().reply(2, { ok: true, value: [] });
    latest().reply(1, { ok: true, value: { name: 'Crucible' } });
    await expect(call).resolves.toEqual({ ok: true, value: { name: 'Crucible' } });
    await expect(other).resolves.toEqual({ ok: true, value: [] });
  });

  it('fails every call in flight when the socket drops, and sends later calls on the new socket', async () => {
    const api = createWsApi('http://h', 'tok');
    latest().open();
    const a = api.invoke('app:info', {});
    const b = api.invoke('models:list', {});
    await settle();
    expect(latest().sent).toHaveLength(2);

    latest().drop();
    const lost = {
      ok: false,
      error: { code: 'ENGINE_CRASHED', message: 'lost the connection to Crucible' },
    };
    await expect(a).resolves.toEqual(lost);
    await expect(b).resolves.toEqual(lost);

    // A call made while disconnected waits for the reconnect, then goes out on the new socket.
    const c = api.invoke('app:info', {});
    await vi.advanceTimersByTimeAsync(250);
    expect(ScriptedSocket.all).toHaveLength(2);
    latest().open();
    await settle();
    expect(latest().sent).toEqual([{ type: 'invoke', id: 3, channel: 'app:info', input: {} }]);
    latest().reply(3, { ok: true, value: 'again' });
    await expect(c).resolves.toEqual({ ok: true, value: 'again' });
    // A late answer for a failed call on the old socket changes nothing.
    ScriptedSocket.all[0]?.reply(1, { ok: true, value: 'late' });
  });

  it('backs off 250 ms, doubling up to 5 s, and starts at 250 ms again after a connection opens', async () => {
    createWsApi('http://h', 'tok');
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = ScriptedSocket.all.length;
      latest().drop(); // the connection attempt failed
      let waited = 0;
      while (ScriptedSocket.all.length === before) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
        if (waited > 10_000) throw new Error('no reconnect within 10 s');
      }
      waits.push(waited);
    }
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);

    latest().open();
    await settle();
    latest().drop();
    await vi.advanceTimersByTimeAsync(200);
    const count = ScriptedSocket.all.length;
    await vi.advanceTimersByTimeAsync(50);
    expect(ScriptedSocket.all.length).toBe(count + 1);
  });

  it('fans events out to on() listeners until they unsubscribe', async () => {
    const api = createWsApi('http://h', 'tok');
    latest().open();
    const seen: unknown[] = [];
    const off = api.on('gpu:sample', (p) => seen.push(p));
    latest().event('gpu:sample', { n: 1 });
    latest().event('models:changed', { n: 2 });
    off();
    latest().event('gpu:sample', { n: 3 });
    expect(seen).toEqual([{ n: 1 }]);
  });
});
