/**
 * The Electron IPC door, kept apart from `ipcMain` so it can be tested without Electron: the
 * sender must be our own window's top frame on our bundled page, then the call goes through the
 * same dispatch (schema parse, errors as data) as the browser-mode host. Whatever the renderer
 * sends (structured clone carries null, arrays, typed arrays, Maps, deep nesting), the handler
 * answers a Result and never throws.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { dispatch, type Handlers } from '../services/dispatch';
import { fail, type Result } from '../shared/result';

/** What the handler needs to know about the app's windows. */
export interface IpcDoorDeps {
  handlers: Handlers;
  /** webContents ids of our windows. */
  windowIds: () => number[];
  isTrustedUrl: (url: string) => boolean;
  log?: (line: string) => void;
}

/** The function `ipcMain.handle(channel, …)` is given for one contract channel. */
export function ipcInvokeHandler(
  channel: string,
  deps: IpcDoorDeps,
): (event: IpcMainInvokeEvent, input: unknown) => Promise<Result<unknown>> {
  const log = deps.log ?? ((l: string) => console.warn(l));
  return async (event, input) => {
    try {
      const frame = event?.senderFrame;
      const senderId = event?.sender?.id;
      const ours = typeof senderId === 'number' && deps.windowIds().includes(senderId);
      if (!ours || !frame || frame.parent !== null || !deps.isTrustedUrl(String(frame.url))) {
        log(`refused ${channel} from an untrusted sender (${String(frame?.url ?? 'no frame')})`);
        return fail({ code: 'BAD_REQUEST', message: 'untrusted sender' });
      }
      return await dispatch(deps.handlers, channel, input, { clientId: `wc-${senderId}` }, log);
    } catch (err) {
      // dispatch answers expected errors as data; anything that still throws is a bug, logged,
      // and the renderer gets a generic answer instead of a rejected invoke.
      log(`${channel} failed: ${(err as Error)?.stack ?? String(err)}`);
      return fail({ code: 'INTERNAL', message: `${channel} failed` });
    }
  };
}
