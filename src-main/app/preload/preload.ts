/**
 * The preload: exposes exactly the contract (one invoke per channel, on() returning an unsubscribe)
 * and getPathForFile for drops — never ipcRenderer itself, never sendSync.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { eventChannels, invokeChannels, type EventChannel } from '../../ipc/contract';

const invokeNames = new Set(Object.keys(invokeChannels));
const eventNames = new Set(Object.keys(eventChannels));

contextBridge.exposeInMainWorld('crucible', {
  invoke(channel: string, input: unknown) {
    if (!invokeNames.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'BAD_REQUEST', message: `unknown channel ${channel}` },
      });
    }
    return ipcRenderer.invoke(channel, input);
  },
  on(event: EventChannel, listener: (payload: unknown) => void) {
    if (!eventNames.has(event)) throw new Error(`unknown event ${event}`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
  getPathForFile(file: File) {
    return webUtils.getPathForFile(file);
  },
});
