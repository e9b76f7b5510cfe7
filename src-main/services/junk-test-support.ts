/**
 * Junk for the fuzz tests of both transports (host/server.test.ts throws it at the WebSocket,
 * app/ipc-handler.test.ts at the Electron IPC handler): every JSON value kind at the top level,
 * invoke envelopes with each field wrong, structures nested far past any stack, and random bytes.
 * Deterministic (seeded), so a failure names a message that can be sent again.
 */
import { Prng } from '../../models/prng';

const CHANNELS = ['engine:status', 'models:add', 'settings:set', 'run:execute', 'shell:exec'];
const KEYS = ['type', 'id', 'channel', 'input', '__proto__', 'constructor', 'path', 'x'];

/** A random JSON-able value, up to `depth` levels of arrays and objects. */
export function junkValue(rng: Prng, depth = 3): unknown {
  const pick = rng.nextUint32() % (depth <= 0 ? 5 : 7);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rng.nextUint32() % 2 === 0;
    case 2:
      return [0, -1, 1e308, -0, 0.5, 2 ** 53 + 1, -(2 ** 31)][rng.nextUint32() % 7];
    case 3:
      return ['', 'invoke', 'x'.repeat(5000), '\u0000', 'constructor', ...CHANNELS][
        rng.nextUint32() % 10
      ];
    case 4:
      return rng.nextUint32() % 2 === 0 ? [] : {};
    case 5:
      return Array.from({ length: rng.nextUint32() % 4 }, () => junkValue(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.nextUint32() % 5; i > 0; i--) {
        o[KEYS[rng.nextUint32() % KEYS.length] as string] = junkValue(rng, depth - 1);
      }
      return o;
    }
  }
}

/** `[[[…]]]` or `{"a":{"a":…}}` as text, `depth` levels deep (built as text: no stack used). */
export function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);
}

/** An invoke envelope whose fields are each right or junk. */
export function junkEnvelope(rng: Prng): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  const r = () => rng.nextUint32() % 3;
  if (r()) env.type = r() ? 'invoke' : junkValue(rng, 1);
  if (r()) env.id = r() ? rng.nextUint32() : junkValue(rng, 1);
  if (r()) env.channel = r() ? CHANNELS[rng.nextUint32() % CHANNELS.length] : junkValue(rng, 1);
  if (r()) env.input = junkValue(rng, 3);
  if (rng.nextUint32() % 8 === 0) env[KEYS[rng.nextUint32() % KEYS.length] as string] = 1;
  return env;
}

/** One frame for the socket: text (JSON or not) or binary bytes. */
export type JunkFrame = { text: string } | { bytes: Buffer };

/** `count` frames of every kind, in a seeded order. */
export function junkFrames(seed: string, count: number): JunkFrame[] {
  const rng = new Prng(seed);
  const frames: JunkFrame[] = [];
  for (let i = 0; i < count; i++) {
    switch (rng.nextUint32() % 6) {
      case 0:
        frames.push({ text: JSON.stringify(junkValue(rng)) ?? 'null' });
        break;
      case 1:
      case 2:
        frames.push({ text: JSON.stringify(junkEnvelope(rng)) });
        break;
      case 3: {
        const depth = [100, 5000, 20_000][rng.nextUint32() % 3] as number;
        const inner = nestedText(depth, rng.nextUint32() % 2 === 0 ? 'array' : 'object');
        // Deep at the top, or deep inside an otherwise good envelope.
        frames.push({
          text:
            rng.nextUint32() % 2 === 0
              ? inner
              : `{"type":"invoke","id":${i},"channel":"${CHANNELS[rng.nextUint32() % CHANNELS.length]}","input":${inner}}`,
        });
        break;
      }
      case 4: {
        const bytes = Buffer.alloc(rng.nextUint32() % 256);
        for (let j = 0; j < bytes.length; j++) bytes[j] = rng.nextUint32() & 0xff;
        frames.push({ bytes });
        break;
      }
      default:
        frames.push({
          text: ['null', '0', '"x"', 'true', '[]', '[null]', 'not json', '{', '1e999'][
            rng.nextUint32() % 9
          ] as string,
        });
    }
  }
  return frames;
}
