import { describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../src-main/ipc/contract';
import { runProviderChoices } from './choices';

const status = (id: ProviderStatus['id'], available: boolean, reason: string | null = null) =>
  ({ id, available, reason, ortName: id, compiles: false, device: null }) as ProviderStatus;

describe('run provider choices', () => {
  it("offers Auto (ONNX Runtime's EP selection policy) first, then each provider, unavailable ones disabled with why", () => {
    const choices = runProviderChoices([status('cpu', true), status('cuda', false, 'no CUDA')]);
    expect(choices.map((c) => [c.value, c.disabled ?? false])).toEqual([
      ['auto', false],
      ['cpu', false],
      ['cuda', true],
    ]);
    expect(choices[0]?.label).toMatch(/^Auto \(ONNX Runtime picks/);
    expect(choices[2]?.title).toBe('no CUDA');
  });
});
