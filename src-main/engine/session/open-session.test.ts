// openSession against the real ORT library that onnxruntime-node ships (CPU and WebGPU builds, no
// CUDA): the CUDA V2 options calls, ORT's EP selection policy for "auto", graph capture refusals.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initOrt, SessionOptions } from '../ort';
import { failure } from '../ort/test-models';
import { EP_POLICIES } from '../../ipc/contract';
import { openSession, sessionOptionsFor } from './open-session';

initOrt({ logLevel: 'warning' });
const tiny = path.resolve(__dirname, '../../../models/mlp-tiny.onnx');

describe('the CUDA provider through the CUDA V2 options API', () => {
  it('a build without CUDA answers "CUDA is not in this ONNX Runtime build", never "Unknown provider name"', () => {
    const so = SessionOptions.create();
    try {
      let err: unknown;
      try {
        so.appendCuda({ device_id: '0', enable_cuda_graph: '1' });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      const e = err as { message: string; detail?: string };
      expect(e.message).toMatch(/^CUDA is not in this ONNX Runtime build/);
      // One line, naming what ORT could not load; ORT's own words in the detail.
      expect(e.message).not.toContain('\n');
      expect(e.message).toMatch(/could not load libonnxruntime_providers_shared/);
      expect(e.detail).toMatch(/^UpdateCUDAProviderOptions: ORT_FAIL: .*Failed to load library/s);
      expect(so.threading.providers).toEqual([]);
    } finally {
      so.release();
    }
  });

  it('the by-name append (what Crucible did before) is what ORT rejects with "Unknown provider name"', () => {
    const so = SessionOptions.create();
    try {
      expect(() => so.appendExecutionProvider('CUDA')).toThrow(/Unknown provider name 'CUDA'/);
    } finally {
      so.release();
    }
  });

  it('openSession on cuda fails with the same coded error before creating anything', async () => {
    const err = await failure(openSession({ modelPath: tiny, provider: 'cuda' }));
    expect(err.code).toBe('PROVIDER_UNAVAILABLE');
    expect(err.message).toMatch(/^CUDA is not in this ONNX Runtime build/);
  });
});

describe('"auto": ORT picks the EP by SessionOptionsSetEpSelectionPolicy', () => {
  it.each(EP_POLICIES)(
    'policy %s opens the session and says which EP ORT chose',
    async (policy) => {
      const opened = await openSession({ modelPath: tiny, provider: 'auto', policy });
      try {
        // This machine has no GPU adapter: ORT's policy falls back to its CPU EP device.
        expect(opened.ep).toBe('CPUExecutionProvider');
        expect(opened.session.epNamesForInputs()).toEqual(['CPUExecutionProvider']);
        expect(opened.runPath.sync).toBe(false);
        // The policy is recorded on the options: never a single-threaded CPU session by claim.
        expect(opened.session.threading.providers).toEqual([`policy:${policy}`]);
      } finally {
        opened.session.release();
      }
    },
  );

  it("a plain CPU session reads back the CPU EP and keeps ORT's default threads", async () => {
    const opened = await openSession({ modelPath: tiny, provider: 'cpu' });
    try {
      expect(opened.ep).toBe('CPUExecutionProvider');
      // No model is made single-threaded any more: threads are ORT's defaults for every session.
      expect(opened.session.singleThreadedCpu).toBe(false);
      expect(opened.session.threading.intraOpThreads).toBeNull();
      // This test process's env logs to JS (the engine host's logs to stderr), so no sync runs.
      expect(opened.runPath.sync).toBe(false);
      expect(opened.runPath.reason).toMatch(/ORT logs to JS in this process/);
    } finally {
      opened.session.release();
    }
  });
});

describe('graph capture', () => {
  it('is refused before any session for providers that cannot capture', () => {
    for (const provider of ['cpu', 'dml', 'auto'] as const) {
      expect(() => sessionOptionsFor({ modelPath: tiny, provider, graphCapture: true })).toThrow(
        /has no graph capture/,
      );
    }
  });
});
