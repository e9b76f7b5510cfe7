/**
 * Asks the provider whether a compiled cache entry still fits this machine's devices: the
 * compatibility string an EP stamped into its EP-context model (ORT's GetCompatibilityInfoFromModel)
 * put to the EP's devices (GetModelCompatibilityForEpDevices). The TensorRT-RTX plugin answers from
 * the GPU, driver and its own version; built-in EPs and optimised-only models answer "not
 * applicable", and then the cache key (GPU, driver, ORT, EP library) is all there is. Runs in the
 * engine host (it has the EP devices); the compile cache acts on the answer.
 */
import type { ProviderId } from '../../ipc/contract';
import { getEpDevices } from '../ort';
import { compatibilityInfoFromModel, modelCompatibility } from '../ort/compatibility';
import type { ModelCompatibility } from '../ort/compatibility';
import { PROVIDERS } from './catalog';

/** What the provider said about one compiled model. */
export interface EntryCompatibility {
  answer: ModelCompatibility;
  /** The EP that was asked, null when it has no device here to ask (answer: not applicable). */
  askedEp: string | null;
  /** Whether the model carried a compatibility string for that EP. */
  stamped: boolean;
}

/**
 * The provider's answer for the compiled model at `modelPath`. `epName` is the plugin's
 * registration name where one was registered (TensorRT-RTX); `kind` says whether the model is an
 * EP-context model (only those carry a compatibility string).
 */
export function compiledModelCompatibility(
  provider: ProviderId,
  epName: string | null,
  modelPath: string,
  kind: 'ep-context' | 'optimized',
): EntryCompatibility {
  const name = epName ?? PROVIDERS[provider].ortName;
  const devices = getEpDevices().filter((d) => d.epName === name);
  const first = devices[0];
  if (!first) return { answer: 'not-applicable', askedEp: null, stamped: false };
  // An optimised model has no EP stamp; the EP is still asked (with an empty string) so that a
  // provider which wants to veto every stamp-less model can.
  const info = kind === 'ep-context' ? compatibilityInfoFromModel(modelPath, first.epName) : null;
  return {
    answer: modelCompatibility(devices, info ?? ''),
    askedEp: first.epName,
    stamped: info !== null,
  };
}
