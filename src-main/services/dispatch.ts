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
    log(`refused call to unknown channel ${JSON.stringify(channel)} from ${ctx.clientId}`);
    return fail({ code: 'BAD_REQUEST', message: `unknown channel ${String(channel)}` });
  }
  const parsed = invokeChannels[channel].input.safeParse(rawInput ?? {});
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

/** Narrows dispatch output for callers that know the channel (tests, the CLI). */
export async function call<C extends InvokeChannel>(
  handlers: Handlers,
  channel: C,
  input: unknown,
  ctx: CallContext = { clientId: 'local' },
): Promise<Result<InvokeOutput<C>>> {
  return (await dispatch(handlers, channel, input, ctx)) as Result<InvokeOutput<C>>;
}
