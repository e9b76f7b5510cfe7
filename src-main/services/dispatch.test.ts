// The one door: every call is schema-checked before a handler sees it, a malformed one is refused
// with BAD_REQUEST and logged, and junk of every shape thrown at every channel never reaches a
// handler unparsed nor throws out of dispatch.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../models/prng';
import { invokeChannels, type InvokeChannel } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { dispatch, type Handlers } from './dispatch';

/** Handlers that record what they were given; one throws an AppError, one a bug. */
function recordingHandlers() {
  const calls: { channel: string; input: unknown }[] = [];
  const handlers = Object.fromEntries(
    Object.keys(invokeChannels).map((c) => [
      c,
      async (input: unknown) => {
        calls.push({ channel: c, input });
        if (c === 'models:remove') throw new AppError('NOT_FOUND', 'no such model');
        if (c === 'cache:list') throw new TypeError('a bug');
        return { echoed: input };
      },
    ]),
  ) as unknown as Handlers;
  return { handlers, calls };
}

const ctx = { clientId: 'test-client' };

describe('dispatch refuses malformed calls with BAD_REQUEST and logs them', () => {
  const cases: [string, unknown, unknown, RegExp][] = [
    ['unknown channel', 'shell:exec', {}, /unknown channel/],
    ['channel that is not a string', 42, {}, /unknown channel/],
    ['channel from Object.prototype', 'constructor', {}, /unknown channel/],
    ['channel __proto__', '__proto__', {}, /unknown channel/],
    ['event channel used as invoke', 'gpu:sample', {}, /unknown channel/],
    ['path of the wrong type', 'models:add', { path: 42 }, /invalid input for models:add at path/],
    ['empty path', 'models:add', { path: '' }, /models:add at path/],
    [
      'unknown key on a strict input',
      'models:add',
      { path: '/m.onnx', shell: 'rm -rf /' },
      /models:add/,
    ],
    ['input that is a string', 'models:add', '/m.onnx', /models:add/],
    ['input that is an array', 'models:remove', ['x'], /models:remove/],
    [
      'unknown provider',
      'run:execute',
      { modelId: 'a', provider: 'evil' },
      /run:execute at provider/,
    ],
    ['negative dim', 'run:execute', { modelId: 'a', provider: 'cpu', dims: { n: -1 } }, /dims\.n/],
    [
      'fractional dim',
      'run:execute',
      { modelId: 'a', provider: 'cpu', dims: { n: 1.5 } },
      /dims\.n/,
    ],
    ['gpu:watch at 1000 Hz', 'gpu:watch', { on: true, hz: 1000 }, /gpu:watch at hz/],
    [
      'bench of 10^9 iterations',
      'bench:run',
      { modelId: 'a', provider: 'cpu', iterations: 1e9 },
      /iterations/,
    ],
    [
      'bench with unknown option',
      'bench:run',
      { modelId: 'a', provider: 'cpu', shell: 1 },
      /bench:run/,
    ],
    [
      'compile with free-form provider options',
      'compile:enqueue',
      { modelId: 'a', provider: 'cpu', options: { trt_dump: '/etc' } },
      /compile:enqueue at options/,
    ],
    [
      'image 100k px wide',
      'run:image',
      { modelId: 'a', provider: 'cpu', image: { width: 100_000, height: 1, rgbaBase64: '' } },
      /image\.width/,
    ],
    [
      'settings with an unknown key',
      'settings:set',
      { trtRtxDir: null, evil: true },
      /settings:set/,
    ],
    ['settings dir of the wrong type', 'settings:set', { trtRtxDir: 7 }, /trtRtxDir/],
    ['export format not csv/json', 'bench:export', { format: 'html' }, /format/],
  ];
  it.each(cases)('%s', async (_what, channel, input, message) => {
    const { handlers, calls } = recordingHandlers();
    const log: string[] = [];
    const r = await dispatch(handlers, channel, input, ctx, (m) => log.push(m));
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    if (!r.ok) expect(r.error.message).toMatch(message);
    expect(calls).toEqual([]);
    expect(log).toHaveLength(1);
    expect(log[0]).toContain('test-client');
  });
});

describe('dispatch passes parsed inputs only, and errors as data', () => {
  it('strips what a schema does not know before the handler sees it (non-strict inputs)', async () => {
    const { handlers, calls } = recordingHandlers();
    const r = await dispatch(
      handlers,
      'run:execute',
      {
        modelId: 'a',
        provider: 'cpu',
        extra: 'dropped',
      },
      ctx,
    );
    expect(r.ok).toBe(true);
    expect(calls[0]?.input).toEqual({
      modelId: 'a',
      provider: 'cpu',
      policy: 'prefer-gpu',
      dims: {},
      fill: 'random',
      seed: 1,
    });
  });

  it('a __proto__ key in a JSON message pollutes nothing', async () => {
    const { handlers } = recordingHandlers();
    const input = JSON.parse(
      '{"modelId":"a","provider":"cpu","__proto__":{"polluted":true}}',
    ) as unknown;
    await dispatch(handlers, 'run:execute', input, ctx);
    await dispatch(handlers, 'settings:set', input, ctx, () => undefined);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('an AppError comes back as data; a bug as INTERNAL without its stack', async () => {
    const { handlers } = recordingHandlers();
    expect(await dispatch(handlers, 'models:remove', { id: 'x' }, ctx)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no such model' },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      const r = await dispatch(handlers, 'cache:list', {}, ctx);
      expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'a bug' } });
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });
});

describe('junk at every channel', () => {
  /** Values of every JSON shape and a few that only structured clone carries. */
  function junk(rng: Prng, depth = 0): unknown {
    const pick = rng.nextUint32() % (depth > 2 ? 8 : 11);
    switch (pick) {
      case 0:
        return null;
      case 1:
        return undefined;
      case 2:
        return rng.nextUint32() % 2 === 0;
      case 3:
        return [0, -1, 1e308, -0, NaN, Infinity, 2 ** 53 + 1, 0.5][rng.nextUint32() % 8];
      case 4:
        return ['', 'cpu', '../../etc/passwd', 'x'.repeat(10_000), '\u0000', 'constructor'][
          rng.nextUint32() % 6
        ];
      case 5:
        return BigInt(rng.nextUint32());
      case 6:
        return new Uint8Array(rng.nextUint32() % 64);
      case 7:
        return Symbol.for('x').description;
      case 8:
        return Array.from({ length: rng.nextUint32() % 4 }, () => junk(rng, depth + 1));
      default: {
        const keys = [
          'path',
          'id',
          'modelId',
          'provider',
          'on',
          'hz',
          'image',
          'options',
          'dims',
          '__proto__',
          'constructor',
        ];
        const o: Record<string, unknown> = {};
        for (let i = rng.nextUint32() % 5; i > 0; i--) {
          Object.defineProperty(o, keys[rng.nextUint32() % keys.length] as string, {
            value: junk(rng, depth + 1),
            enumerable: true,
            configurable: true,
            writable: true,
          });
        }
        return o;
      }
    }
  }

  it('2,000 junk calls: every answer is ok or BAD_REQUEST; a handler only ever sees input its schema accepts', async () => {
    const { handlers, calls } = recordingHandlers();
    const rng = new Prng('dispatch-junk');
    const channels = Object.keys(invokeChannels) as InvokeChannel[];
    const counts = { ok: 0, refused: 0, handlerErrors: 0 };
    const quiet = () => undefined;
    const original = console.error;
    console.error = quiet;
    try {
      for (let i = 0; i < 2000; i++) {
        const channel = channels[rng.nextUint32() % channels.length] as InvokeChannel;
        const input = junk(rng);
        const before = calls.length;
        const r = await dispatch(handlers, channel, input, ctx, quiet);
        if (r.ok) counts.ok++;
        else if (r.error.code === 'BAD_REQUEST') counts.refused++;
        else counts.handlerErrors++;
        if (calls.length > before) {
          // Whatever reached the handler is what the schema produced.
          const seen = calls[calls.length - 1]?.input;
          expect(invokeChannels[channel].input.safeParse(seen).success, channel).toBe(true);
        } else {
          expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        }
      }
    } finally {
      console.error = original;
    }
    console.log(
      `dispatch junk: 2000 calls over ${channels.length} channels: ok=${counts.ok} refused=${counts.refused} handler errors as data=${counts.handlerErrors}`,
    );
    expect(counts.refused).toBeGreaterThan(1000);
  });
});
