/**
 * The select choices every form that picks a model or a provider shares (Run, Benchmark, Compile),
 * so the three lists name and explain things the same way. Pure.
 */
import type { ModelEntry, ProviderId, ProviderStatus } from '../../src-main/ipc/contract';
import { PROVIDER_LABELS } from '../../src-main/ipc/providers';
import type { SelectOption } from './field';

/** The library's models as select choices, by name. */
export function modelChoices(models: readonly ModelEntry[]): SelectOption<string>[] {
  return models.map((m) => ({ value: m.id, label: m.name }));
}

/**
 * The Run form's providers: "Auto" first (ONNX Runtime picks through its EP selection policy,
 * preferring a GPU; the result says which EP it chose), then every provider by name.
 */
export function runProviderChoices(
  providers: readonly ProviderStatus[],
): SelectOption<ProviderId | 'auto'>[] {
  return [
    {
      value: 'auto',
      label: 'Auto (ONNX Runtime picks, GPU first)',
      title: "ONNX Runtime's EP selection policy (prefer GPU) chooses; the result names its choice",
    },
    ...providerChoices(providers),
  ];
}

/**
 * Execution providers as select choices by their people-facing name; an unavailable one stays
 * listed but disabled, saying why on hover.
 */
export function providerChoices(providers: readonly ProviderStatus[]): SelectOption<ProviderId>[] {
  return providers.map((p) => ({
    value: p.id,
    label: p.available ? PROVIDER_LABELS[p.id] : `${PROVIDER_LABELS[p.id]} (not available)`,
    disabled: !p.available,
    title: p.reason ?? undefined,
  }));
}
