/**
 * The one door every invoke call goes through, whichever transport brought it: the channel must be
 * in the contract, the input must parse with its schema, and expected errors come back as data.
 */
import {
  invokeChannels,
  isInvokeChannel,
  type InvokeChannel,
  type InvokeOutput,
  type InvokeParsedInput,
} from '../ipc/contract';
import { AppError, toErrorData } from '../shared/errors';
import { fail, ok, type Result } from '../shared/result';

/** Who is calling: lets services keep per-window state (e.g. GPU sampling subscriptions). */
export interface CallContext {
  clientId: string;
}

/** One async handler per invoke channel, receiving the parsed input. */
export type Handlers = {
  [C in InvokeChannel]: (input: InvokeParsedInput<C>, ctx: CallContext) => Promise<InvokeOutput<C>>;
};

/** Something that can be told about refused calls (malformed messages are logged, not thrown). */
export type RefusalLog = (message: string) => void;

/**
 * Validates and routes one call. Unknown channels and inputs that fail their schema are refused
 * with BAD_REQUEST and logged; AppErrors become `{ ok: false }`; bugs become INTERNAL and are logged
 * with their stack.
 */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  rawInput: unknown,
  ctx: CallContext,
  log: RefusalLog = (m) => console.warn(m),
): Promise<Result<unknown>> {
  if (typeof channel !== 'string' || !isInvokeChannel(channel)) {
    // The name as sent may be anything (a nested object, a huge string): only its kind or its
    // first 64 characters reach the log and the answer.
    const shown =
      typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : typeof channel;
    log(`refused call to unknown channel ${shown} from ${ctx.clientId}`);
    return fail({ code: 'BAD_REQUEST', message: `unknown channel ${shown}` });
  }
  let parsed: ReturnType<(typeof invokeChannels)[typeof channel]['input']['safeParse']>;
  try {
    parsed = invokeChannels[channel].input.safeParse(rawInput ?? {});
  } catch (err) {
    // A schema walking a structure nested deeper than the stack allows throws RangeError: that is
    // the caller's malformed input, not a bug of ours.
    log(`refused ${channel} from ${ctx.clientId}: ${(err as Error).name}`);
    return fail({ code: 'BAD_REQUEST', message: `invalid input for ${channel}: nested too deep` });
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    const message = `invalid input for ${channel}${where}: ${issue?.message ?? 'invalid'}`;
    log(`refused ${channel} from ${ctx.clientId}: ${message}`);
    return fail({ code: 'BAD_REQUEST', message });
  }
  try {
    const handler = handlers[channel] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    return ok(await handler(parsed.data, ctx));
  } catch (err) {
    if (!(err instanceof AppError)) console.error(`${channel} failed:`, err);
    return fail(toErrorData(err));
  }
}

/** An invoke message of the socket transport once its shape is checked. */
export interface InvokeFrame {
  id: number;
  channel: string;
  input: unknown;
}

/**
 * The socket transport's envelope check, before anything reads a field: a plain object (not null,
 * not an array) with `type: 'invoke'`, a non-negative safe-integer `id`, a string `channel` of at
 * most 64 characters and an optional `input`, and no other keys. Anything else gives the reason it
 * was refused — `JSON.parse` returns null, numbers, strings and arrays as readily as objects.
 */
export function parseInvokeFrame(value: unknown): InvokeFrame | { refused: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { refused: `a message must be an object, not ${describeKind(value)}` };
  }
  const msg = value as Record<string, unknown>;
  for (const key of Object.keys(msg)) {
    if (key !== 'type' && key !== 'id' && key !== 'channel' && key !== 'input') {
      return { refused: `unknown key ${JSON.stringify(key.slice(0, 40))}` };
    }
  }
  if (msg.type !== 'invoke') return { refused: 'type is not "invoke"' };
  if (typeof msg.id !== 'number' || !Number.isSafeInteger(msg.id) || msg.id < 0) {
    return { refused: 'id is not a non-negative integer' };
  }
  if (typeof msg.channel !== 'string' || msg.channel.length > 64) {
    return { refused: 'channel is not a short string' };
  }
  return { id: msg.id, channel: msg.channel, input: msg.input };
}

function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Narrows dispatch output for callers that know the channel (tests, the CLI). */
export async function call<C extends InvokeChannel>(
  handlers: Handlers,
  channel: C,
  input: unknown,
  ctx: CallContext = { clientId: 'local' },
): Promise<Result<InvokeOutput<C>>> {
  return (await dispatch(handlers, channel, input, ctx)) as Result<InvokeOutput<C>>;
}
