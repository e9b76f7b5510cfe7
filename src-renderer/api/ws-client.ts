/**
 * Browser mode's client of the contract: one WebSocket to the host, requests by id, events fanned
 * out to `on()` listeners. Reconnects with backoff; calls made while disconnected wait for the
 * socket.
 *
 * The per-launch token comes in the printed URL (`/?token=…`); {@link launchToken} keeps it in
 * sessionStorage — which belongs to this origin, port included — and takes it out of the address
 * bar. It goes to the host as a WebSocket subprotocol and as `Authorization: Bearer` on uploads,
 * never as a cookie (a 127.0.0.1 cookie would be sent to every other local server too).
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

const TOKEN_KEY = 'crucible-token';

/** The launch token: from the URL the first time (then kept, and removed from the URL), else kept. */
export function launchToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Creates the WebSocket client for the page served at `origin`. */
export function createWsApi(
  origin: string = window.location.origin,
  token: string = launchToken(),
): RendererApi {
  const wsUrl = origin.replace(/^http/, 'ws') + '/ws';
  const auth = { authorization: `Bearer ${token}` };
  const listeners = new Map<EventChannel, Set<Listener>>();
  const pending = new Map<number, (r: Result<unknown>) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let open: Promise<WebSocket> | null = null;
  let attempt = 0;

  const connect = (): Promise<WebSocket> => {
    open ??= new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(wsUrl, ['crucible', `crucible-token.${token}`]);
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
    /**
     * One drop is one upload group: every file is staged under its name inside the drop (a
     * folder's files keep their layout), then the host imports each .onnx with the files beside
     * it, so a model and its external data arrive together. One Result per model, plus one per
     * file that could not be sent.
     */
    async addFiles(files: File[]) {
      const group = uploadGroupId();
      const results: Result<ModelEntry>[] = [];
      let staged = 0;
      for (const file of files) {
        const name = file.webkitRelativePath || file.name;
        try {
          const res = await fetch(
            `${origin}/api/upload?group=${group}&name=${encodeURIComponent(name)}`,
            {
              method: 'POST',
              body: file,
              headers: { 'content-type': 'application/octet-stream', ...auth },
            },
          );
          const body = (await res.json()) as Result<unknown>;
          if (body.ok) staged += 1;
          else results.push(body);
        } catch (err) {
          results.push({
            ok: false,
            error: { code: 'IO_ERROR', message: `${name}: upload failed (${String(err)})` },
          });
        }
      }
      if (staged === 0) return results;
      try {
        const res = await fetch(`${origin}/api/upload/commit?group=${group}`, {
          method: 'POST',
          headers: auth,
        });
        const body = (await res.json()) as Result<Result<ModelEntry>[]>;
        return body.ok ? [...results, ...body.value] : [...results, body];
      } catch (err) {
        return [
          ...results,
          {
            ok: false,
            error: {
              code: 'IO_ERROR',
              message: `${files.map((f) => f.name).join(', ')}: import failed (${String(err)})`,
            },
          },
        ];
      }
    },
  };
}

/** A random id for one drop's upload group (letters and digits, as the host requires). */
function uploadGroupId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
