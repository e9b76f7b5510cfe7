/**
 * The one place that binds the contract to Electron's ipcMain. Every handler is `ipc-handler.ts`'s
 * door: the sender must be our own window's main frame, then the same dispatch (schema parse,
 * errors as data) as the browser-mode host. Push events go to our windows only.
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { invokeChannels, type InvokeChannel } from '../ipc/contract';
import type { EventBus } from '../services/events';
import type { Services } from '../services/services';
import { ipcInvokeHandler } from './ipc-handler';

/** Registers a handler for every invoke channel and forwards bus events to `windows()`. */
export function bindIpcMain(
  services: Services,
  bus: EventBus,
  windows: () => BrowserWindow[],
  isTrustedUrl: (url: string) => boolean,
): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];
  const deps = {
    handlers: services.handlers,
    windowIds: () => windows().map((w) => w.webContents.id),
    isTrustedUrl,
  };
  for (const channel of channels) ipcMain.handle(channel, ipcInvokeHandler(channel, deps));
  const offBus = bus.onAny((event, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(event, payload);
  });
  return () => {
    offBus();
    for (const c of channels) ipcMain.removeHandler(c);
  };
}
