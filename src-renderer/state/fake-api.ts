/**
 * An in-memory RendererApi for unit tests of stores and wiring: each invoke channel answers from a
 * handler the test sets, every call is recorded, and events are pushed with emit(). Not used by the
 * app itself.
 */
import type {
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeInput,
  InvokeOutput,
  ModelEntry,
} from '../../src-main/ipc/contract';
import type { Result } from '../../src-main/shared/result';
import type { RendererApi } from '../api/types';

type Handler<C extends InvokeChannel> = (
  input: InvokeInput<C>,
) => Result<InvokeOutput<C>> | Promise<Result<InvokeOutput<C>>>;

export interface FakeApi extends RendererApi {
  /** Every invoke, in order. */
  calls: { channel: InvokeChannel; input: unknown }[];
  /** Sets how a channel answers. Unset channels answer UNSUPPORTED. */
  handle<C extends InvokeChannel>(channel: C, handler: Handler<C>): void;
  /** Sets how addFiles answers. */
  handleFiles(handler: (files: File[]) => Promise<Result<ModelEntry>[]>): void;
  /** Pushes an event to the listeners of that channel. */
  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void;
  /** How many listeners a channel has now (to check unsubscribes). */
  listenerCount(event: EventChannel): number;
}

/** A fresh fake API with no handlers and no listeners. */
export function createFakeApi(): FakeApi {
  const handlers = new Map<InvokeChannel, (input: unknown) => unknown>();
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  let filesHandler: (files: File[]) => Promise<Result<ModelEntry>[]> = async () => [];
  const calls: { channel: InvokeChannel; input: unknown }[] = [];

  const api: FakeApi = {
    calls,
    async invoke(channel, input) {
      calls.push({ channel, input });
      const handler = handlers.get(channel);
      if (handler === undefined) {
        return { ok: false, error: { code: 'UNSUPPORTED', message: `No fake for ${channel}` } };
      }
      return (await handler(input)) as never;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const entry = listener as (payload: unknown) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    addFiles(files) {
      return filesHandler(files);
    },
    handle(channel, handler) {
      handlers.set(channel, handler as (input: unknown) => unknown);
    },
    handleFiles(handler) {
      filesHandler = handler;
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    listenerCount(event) {
      return listeners.get(event)?.size ?? 0;
    },
  };
  return api;
}
