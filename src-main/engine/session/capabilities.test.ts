import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS } from '../../ipc/contract';
import { GRAPH_CAPTURE_PROVIDERS, providerLabel } from '../../ipc/providers';
import { PROVIDERS } from '../providers/catalog';
import { GRAPH_CAPTURE, graphCaptureProblem } from './capabilities';

describe('the renderer’s provider facts agree with the engine’s', () => {
  it('graph mode is offered exactly where the engine can capture graphs', () => {
    expect([...GRAPH_CAPTURE_PROVIDERS].sort()).toEqual(Object.keys(GRAPH_CAPTURE).sort());
    for (const id of PROVIDER_IDS) {
      expect(graphCaptureProblem(id) === null).toBe(GRAPH_CAPTURE_PROVIDERS.includes(id));
    }
  });

  it('every ORT provider name the engine knows has the label of its id', () => {
    for (const id of PROVIDER_IDS) {
      expect(providerLabel(PROVIDERS[id].ortName)).toBe(providerLabel(id));
    }
  });
});
