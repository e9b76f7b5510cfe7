// The Electron IPC door under fuzz: junk of every kind structured clone can carry, thrown at every
// contract channel's handler from our window and from strangers. Every call must settle with a
// Result (never throw: Electron would hand the renderer a bare rejected promise and log a stack),
// strangers must never reach a handler, and a handler only ever sees input its schema accepts.
import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { Prng } from '../../models/prng';
import { invokeChannels, type InvokeChannel } from '../ipc/contract';
import type { Handlers } from '../services/dispatch';
import { junkEnvelope, junkValue } from '../services/junk-test-support';
import { ipcInvokeHandler } from './ipc-handler';

const TRUSTED = 'file:///app/renderer/index.html';

function recordingHandlers() {
  const calls: { channel: string; input: unknown }[] = [];
  const handlers = Object.fromEntries(
    Object.keys(invokeChannels).map((c) => [
      c,
      async (input: unknown) => {
        calls.push({ channel: c, input });
        return null;
      },
    ]),
  ) as unknown as Handlers;
  return { handlers, calls };
}

/** An object or array nested `depth` levels, built without recursion. */
function deep(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { path: v };
  return v;
}

/** What structured clone can bring that JSON cannot, and JSON junk besides. */
function cloneJunk(rng: Prng): unknown {
  switch (rng.nextUint32() % 10) {
    case 0:
      return new Map([[junkValue(rng, 1), junkValue(rng, 1)]]);
    case 1:
      return new Set([junkValue(rng, 1)]);
    case 2:
      return new Date(rng.nextUint32());
    case 3:
      return new Float64Array(rng.nextUint32() % 16);
    case 4:
      return BigInt(rng.nextUint32());
    case 5:
      return deep(
        [10, 5000, 20_000][rng.nextUint32() % 3] as number,
        rng.nextUint32() % 2 ? 'array' : 'object',
      );
    case 6:
      return { modelId: deep(20_000, 'object'), provider: 'cpu' };
    case 7:
      return junkEnvelope(rng);
    case 8:
      return undefined;
    default:
      return junkValue(rng, 4);
  }
}

/** An invoke event as Electron builds it; `stranger` picks one of the ways a sender is not ours. */
function event(rng: Prng, stranger: boolean): IpcMainInvokeEvent {
  const ours = { sender: { id: 1 }, senderFrame: { url: TRUSTED, parent: null } };
  if (!stranger) return ours as unknown as IpcMainInvokeEvent;
  const variants: unknown[] = [
    { sender: { id: 2 }, senderFrame: { url: TRUSTED, parent: null } },
    { sender: { id: 1 }, senderFrame: null },
    { sender: { id: 1 }, senderFrame: { url: TRUSTED, parent: {} } },
    { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } },
    { sender: null, senderFrame: null },
    {},
  ];
  return variants[rng.nextUint32() % variants.length] as IpcMainInvokeEvent;
}

describe('the Electron IPC door', () => {
  it('fuzz: 3,000 junk inputs at every channel, from our window and strangers: always a Result, strangers never reach a handler', async () => {
    const { handlers, calls } = recordingHandlers();
    const logged: string[] = [];
    const deps = {
      handlers,
      windowIds: () => [1],
      isTrustedUrl: (u: string) => u === TRUSTED,
      log: (l: string) => logged.push(l),
    };
    const channels = Object.keys(invokeChannels) as InvokeChannel[];
    const rng = new Prng('ipc-fuzz');
    const counts = { ok: 0, refused: 0, strangers: 0, other: 0 };
    for (let i = 0; i < 3000; i++) {
      const channel = channels[rng.nextUint32() % channels.length] as InvokeChannel;
      const stranger = rng.nextUint32() % 4 === 0;
      const input = cloneJunk(rng);
      const before = calls.length;
      const r = await ipcInvokeHandler(channel, deps)(event(rng, stranger), input);
      expect(r, `${channel} #${i}`).toHaveProperty('ok');
      if (stranger) {
        counts.strangers++;
        expect(calls.length).toBe(before);
        expect(r).toEqual({
          ok: false,
          error: { code: 'BAD_REQUEST', message: 'untrusted sender' },
        });
      } else if (r.ok) {
        counts.ok++;
        const seen = calls[calls.length - 1]?.input;
        expect(invokeChannels[channel].input.safeParse(seen).success, channel).toBe(true);
      } else if (r.error.code === 'BAD_REQUEST') counts.refused++;
      else counts.other++;
    }
    console.log(
      `ipc fuzz: 3000 calls over ${channels.length} channels: ok=${counts.ok} refused=${counts.refused} strangers=${counts.strangers} other=${counts.other}`,
    );
    expect(counts.other).toBe(0);
    expect(counts.strangers + counts.refused + counts.ok).toBe(3000);
  });
});
