// The preload against a stand-in for Electron's contextBridge, ipcRenderer and webUtils: the page
// gets exactly invoke / on / getPathForFile, every contract channel reaches ipcRenderer unchanged,
// an unknown invoke channel is answered BAD_REQUEST without reaching the main process, an unknown
// event is refused, and a listener sees the payload only (never Electron's event object, which
// carries the sender).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { eventChannels, invokeChannels } from '../../ipc/contract';

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(async (channel: string, input: unknown) => ({
    ok: true,
    value: { channel, input },
  })),
  on: vi.fn(),
  removeListener: vi.fn(),
  getPathForFile: vi.fn(() => '/dropped/model.onnx'),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: electron.invoke,
    on: electron.on,
    removeListener: electron.removeListener,
    send: vi.fn(),
    sendSync: vi.fn(),
  },
  webUtils: { getPathForFile: electron.getPathForFile },
}));

interface Bridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  getPathForFile(file: unknown): string;
}

let bridge: Bridge;

beforeAll(async () => {
  await import('./preload');
  bridge = electron.exposed.get('crucible') as Bridge;
});

describe('preload bridge', () => {
  it('exposes one object, crucible, with invoke, on and getPathForFile only', () => {
    expect([...electron.exposed.keys()]).toEqual(['crucible']);
    expect(Object.keys(bridge).sort()).toEqual(['getPathForFile', 'invoke', 'on']);
    // No Electron object leaks through as a property: only the three functions.
    for (const v of Object.values(bridge)) expect(typeof v).toBe('function');
  });

  it('passes every contract invoke channel to ipcRenderer.invoke unchanged', async () => {
    for (const channel of Object.keys(invokeChannels)) {
      electron.invoke.mockClear();
      const input = { probe: channel };
      await expect(bridge.invoke(channel, input)).resolves.toEqual({
        ok: true,
        value: { channel, input },
      });
      expect(electron.invoke).toHaveBeenCalledExactlyOnceWith(channel, input);
    }
  });

  it('refuses a channel the contract does not name, without reaching the main process', async () => {
    electron.invoke.mockClear();
    for (const channel of ['shell:openExternal', 'models:list ', '__proto__', 'constructor', '']) {
      await expect(bridge.invoke(channel, {})).resolves.toEqual({
        ok: false,
        error: { code: 'BAD_REQUEST', message: `unknown channel ${channel}` },
      });
    }
    expect(electron.invoke).not.toHaveBeenCalled();
  });

  it('subscribes to contract events, hands the listener the payload only, and unsubscribes', () => {
    const event = Object.keys(eventChannels)[0] as string;
    const seen: unknown[][] = [];
    const off = bridge.on(event, (...args: unknown[]) => seen.push(args));
    expect(electron.on).toHaveBeenCalledTimes(1);
    const [name, wrapped] = electron.on.mock.calls[0] as [string, (...a: unknown[]) => void];
    expect(name).toBe(event);
    wrapped({ sender: 'ipc event object' }, { n: 1 });
    expect(seen).toEqual([[{ n: 1 }]]);
    off();
    expect(electron.removeListener).toHaveBeenCalledExactlyOnceWith(event, wrapped);
  });

  it('refuses an event the contract does not name', () => {
    electron.on.mockClear();
    expect(() => bridge.on('app:quit', () => {})).toThrow('unknown event app:quit');
    expect(() => bridge.on('__proto__', () => {})).toThrow('unknown event');
    expect(electron.on).not.toHaveBeenCalled();
  });

  it('gives a dropped file’s path through webUtils', () => {
    expect(bridge.getPathForFile({ name: 'model.onnx' })).toBe('/dropped/model.onnx');
  });
});
