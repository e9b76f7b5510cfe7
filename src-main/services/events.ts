/**
 * The main side's push channel bus: services emit contract events here, each transport forwards
 * them (Electron: webContents.send through the window; browser mode: every authenticated socket).
 */
import type { EventChannel, EventPayload } from '../ipc/contract';

type AnyListener = (event: EventChannel, payload: unknown) => void;

/** Typed fan-out of contract events. */
export class EventBus {
  private readonly listeners = new Set<AnyListener>();

  /** Sends an event to every subscriber. A throwing subscriber does not stop the others. */
  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    for (const l of [...this.listeners]) {
      try {
        l(event, payload);
      } catch (err) {
        console.error(`event listener for ${event} failed:`, err);
      }
    }
  }

  /** Subscribes to every event; returns the unsubscribe. */
  onAny(listener: AnyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to one event; returns the unsubscribe. */
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.onAny((e, p) => {
      if (e === event) listener(p as EventPayload<E>);
    });
  }
}
