/**
 * Browser mode's client of the contract: one WebSocket to the host (authenticated by the session
 * cookie the host set when the tokened URL was opened), requests by id, events fanned out to `on()`
 * listeners. Reconnects with backoff; calls made while disconnected wait for the socket.
 */
import type {
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeInput,
  InvokeOutput,
  ModelEntry,
} from '../../src-main/ipc/contract';
import type { Result } from '../../src-main/shared/result';
import type { RendererApi } from './types';

type Listener = (payload: unknown) => void;

/** Creates the WebSocket client for the page served at `origin`. */
export function createWsApi(origin: string = window.location.origin): RendererApi {
  const wsUrl = origin.replace(/^http/, 'ws') + '/ws';
  const listeners = new Map<EventChannel, Set<Listener>>();
  const pending = new Map<number, (r: Result<unknown>) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let open: Promise<WebSocket> | null = null;
  let attempt = 0;

  const connect = (): Promise<WebSocket> => {
    open ??= new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.onopen = () => {
        attempt = 0;
        socket = ws;
        resolve(ws);
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as
          | { type: 'result'; id: number; result: Result<unknown> }
          | { type: 'event'; event: EventChannel; payload: unknown };
        if (msg.type === 'result') {
          pending.get(msg.id)?.(msg.result);
          pending.delete(msg.id);
        } else if (msg.type === 'event') {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
      ws.onclose = () => {
        socket = null;
        open = null;
        for (const [id, done] of pending) {
          done({
            ok: false,
            error: { code: 'ENGINE_CRASHED', message: 'lost the connection to Crucible' },
          });
          pending.delete(id);
        }
        const delay = Math.min(250 * 2 ** attempt++, 5000);
        setTimeout(() => void connect().then(resolve), delay);
      };
    });
    return open;
  };
  void connect();

  return {
    async invoke<C extends InvokeChannel>(channel: C, input: InvokeInput<C>) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise<Result<InvokeOutput<C>>>((resolve) => {
        pending.set(id, resolve as (r: Result<unknown>) => void);
        ws.send(JSON.stringify({ type: 'invoke', id, channel, input }));
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    async addFiles(files: File[]) {
      const results: Result<ModelEntry>[] = [];
      for (const file of files) {
        try {
          const res = await fetch(`${origin}/api/upload?name=${encodeURIComponent(file.name)}`, {
            method: 'POST',
            body: file,
            headers: { 'content-type': 'application/octet-stream' },
          });
          results.push((await res.json()) as Result<ModelEntry>);
        } catch (err) {
          results.push({
            ok: false,
            error: { code: 'IO_ERROR', message: `${file.name}: upload failed (${String(err)})` },
          });
        }
      }
      return results;
    },
  };
}
