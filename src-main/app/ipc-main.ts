/**
 * The one place that binds the contract to Electron's ipcMain. Every handler checks that the sender
 * is our own window's main frame, then goes through the same dispatch (schema parse, errors as data)
 * as the browser-mode host. Push events go to our windows only.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { invokeChannels, type InvokeChannel } from '../ipc/contract';
import { fail } from '../shared/result';
import { dispatch } from '../services/dispatch';
import type { EventBus } from '../services/events';
import type { Services } from '../services/services';

/** Registers a handler for every invoke channel and forwards bus events to `windows()`. */
export function bindIpcMain(
  services: Services,
  bus: EventBus,
  windows: () => BrowserWindow[],
  isTrustedUrl: (url: string) => boolean,
): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];
  for (const channel of channels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown) => {
      const frame = event.senderFrame;
      const ours = windows().some((w) => w.webContents.id === event.sender.id);
      if (!ours || !frame || frame.parent !== null || !isTrustedUrl(frame.url)) {
        console.warn(`refused ${channel} from an untrusted sender (${frame?.url ?? 'no frame'})`);
        return fail({ code: 'BAD_REQUEST', message: 'untrusted sender' });
      }
      return dispatch(services.handlers, channel, input, { clientId: `wc-${event.sender.id}` });
    });
  }
  const offBus = bus.onAny((event, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(event, payload);
  });
  return () => {
    offBus();
    for (const c of channels) ipcMain.removeHandler(c);
  };
}
