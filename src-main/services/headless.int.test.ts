// The headless use-cases with a real engine host and compile worker (dist/, built by the test
// setup), CPU: findCompiled — what `crucible run` and `crucible bench --compiled` start from —
// puts a compiled entry to its provider (ORT's GetModelCompatibilityForEpDevices through the
// engine host) as the app's cache service does, and an entry the provider refuses is not used.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileOptionsSchema } from '../ipc/contract';
import { nodeChildSpawner } from '../engine/host/engine-client';
import { composeHeadless, type Headless, type HeadlessModel } from './headless';

const root = path.resolve(__dirname, '..', '..');
const spawnEngine = nodeChildSpawner(path.join(root, 'dist', 'engine', 'engine-host.js'));
const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-headless-'));
const asked: string[] = [];
let app: Headless;
let model: HeadlessModel;

beforeAll(async () => {
  app = await composeHeadless({
    dataRoot,
    spawnEngine,
    // The engine host's real answer, recorded (CPU: ORT has nothing to say, 'not-applicable').
    compatibility: async (entry) => {
      asked.push(entry.provider);
      return app.engine.request('cache.compatibility', entry);
    },
  });
  model = await app.model(path.join(root, 'models', 'mlp-tiny.onnx'), null);
  const job = await app.compileOnce(model, 'cpu', CompileOptionsSchema.parse({}));
  expect(job.state, job.error?.message).toBe('done');
});

afterAll(() => app.close());

describe('headless findCompiled', () => {
  it('asks the provider before using an entry, and uses it when the provider does not refuse', async () => {
    const found = await app.findCompiled(model, 'cpu', {});
    expect(found).toMatchObject({ provider: 'cpu', modelId: model.id });
    expect(asked).toContain('cpu');
  });

  it('does not use an entry its provider calls unsupported', async () => {
    const refusing = await composeHeadless({
      dataRoot,
      spawnEngine,
      compatibility: async () => ({ answer: 'unsupported', askedEp: 'CPUExecutionProvider' }),
    });
    try {
      expect(await refusing.findCompiled(model, 'cpu', {})).toBeNull();
      // The same entry is found again once the provider accepts it: nothing was removed.
      expect(await app.findCompiled(model, 'cpu', {})).not.toBeNull();
    } finally {
      refusing.close();
    }
  });
});
