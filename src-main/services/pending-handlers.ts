/**
 * Channels whose services are being built in this iteration (compile pipeline, image
 * runs). Until each lands, its channel answers UNSUPPORTED with what is missing — never a fake
 * result. Each domain replaces its entries here with its own module's handlers.
 */
import { AppError } from '../shared/errors';
import type { DomainHandlers } from './services';

const notYet = (what: string) => async (): Promise<never> => {
  throw new AppError('UNSUPPORTED', `${what} is not available in this build yet`);
};

/** Handlers for channels that are not built yet; empty lists where an empty list is the truth. */
export function pendingHandlers(): Omit<
  DomainHandlers,
  'settings:get' | 'settings:set' | 'run:image' | 'bench:run' | 'bench:history' | 'bench:export'
> {
  return {
    'compile:list': async () => [],
    'compile:status': async () => [],
    'cache:list': async () => [],
    'compile:enqueue': notYet('Compiling'),
    'compile:cancel': notYet('Compiling'),
    'cache:clear': notYet('Clearing the compile cache'),
    'providers:install-trt-rtx': notYet('Installing TensorRT for RTX from an archive'),
  };
}
