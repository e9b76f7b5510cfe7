/**
 * Channels whose services are being built in this iteration (compile pipeline, image
 * runs). Until each lands, its channel answers UNSUPPORTED with what is missing — never a fake
 * result. Each domain replaces its entries here with its own module's handlers.
 */
import type { DomainHandlers } from './services';

/** Handlers for channels that are not built yet; empty lists where an empty list is the truth. */
export function pendingHandlers(): Omit<
  DomainHandlers,
  | 'app:notices' // notices.ts
  | 'settings:get'
  | 'settings:set'
  | 'run:image'
  | 'bench:run'
  | 'bench:history'
  | 'bench:export'
  // compile-service.ts
  | 'compile:list'
  | 'compile:status'
  | 'cache:list'
  | 'compile:enqueue'
  | 'compile:cancel'
  | 'cache:clear'
  | 'providers:install-trt-rtx'
> {
  return {};
}
