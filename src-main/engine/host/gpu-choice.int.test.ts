// The GPU chosen in Settings as the real engine host process sees it (CRUCIBLE_GPU in its
// environment, as services/engine-env.ts sets it): its hello lists the GPUs ORT sees and says of
// each GPU provider whether it has a device on the chosen GPU; a session on a provider without one
// is refused before it opens, naming the GPU. This machine has no GPU, so the chosen one is absent.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, nodeChildSpawner } from './engine-client';

const root = path.resolve(__dirname, '..', '..', '..');
const hostScript = path.join(root, 'dist', 'engine', 'engine-host.js');

let engine: EngineClient;

beforeAll(async () => {
  engine = new EngineClient(
    nodeChildSpawner(hostScript, { ...process.env, CRUCIBLE_GPU: 'pci:00000000:41:00.0' }),
    { backoffMs: [10] },
  );
  await engine.start();
});
afterAll(() => engine.close());

describe('an engine host started with a chosen GPU', () => {
  it('lists the GPUs ORT sees and says WebGPU has no device on the chosen one', () => {
    const status = engine.status();
    expect(status.gpus).toEqual([]);
    const webgpu = status.providers.find((p) => p.id === 'webgpu');
    expect(webgpu?.available).toBe(false);
    expect(webgpu?.reason).toMatch(
      /WebGpuExecutionProvider has no device on the GPU at PCI 0000:41:00\.0 \(the GPU chosen in Settings → GPU\)/,
    );
    expect(status.providers.find((p) => p.id === 'cpu')?.available).toBe(true);
  });

  it('refuses a WebGPU session before it opens, naming the GPU; CPU runs as ever', async () => {
    const modelPath = path.join(root, 'models', 'mlp-tiny.onnx');
    await expect(
      engine.request('session.create', { sessionId: 'g1', modelPath, provider: 'webgpu' }),
    ).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/no device on the GPU at PCI 0000:41:00\.0/),
    });
    const cpu = await engine.request('session.create', {
      sessionId: 'g2',
      modelPath,
      provider: 'cpu',
    });
    expect(cpu.provider).toBe('CPUExecutionProvider');
  });
});
