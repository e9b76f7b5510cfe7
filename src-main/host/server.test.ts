import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineStatus, GpuSnapshot } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { EventBus } from '../services/events';
import { pendingHandlers } from '../services/pending-handlers';
import { createServices } from '../services/services';
import { startHost, type RunningHost } from './server';

const engineStatus: EngineStatus = {
  state: 'ready',
  ortVersion: '1.30.0',
  libraryPath: '/x/libonnxruntime.so.1',
  providers: [],
  restarts: 0,
  lastError: null,
};
const noGpu: GpuSnapshot = {
  source: 'none',
  reason: 'test',
  driverVersion: null,
  cudaDriverVersion: null,
  gpus: [],
  sampledAt: 0,
};

let host: RunningHost;
let refusals: string[];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-host-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(dir, 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, '..', 'secret.txt'), 'secret').catch(() => undefined);
  const bus = new EventBus();
  const services = createServices({
    info: {
      name: 'Crucible',
      version: 't',
      mode: 'browser',
      platform: 'linux',
      arch: 'x64',
      userDataDir: dir,
      cacheDir: dir,
    },
    bus,
    gpu: { snapshot: async () => noGpu, watch: () => () => undefined, close: () => undefined },
    engine: {
      status: () => engineStatus,
      onChange: () => () => undefined,
      run: async () => {
        throw new AppError('NOT_FOUND', 'no model');
      },
    },
    library: {
      list: () => [],
      get: () => undefined,
      add: async (p) => {
        throw new AppError('FILE_NOT_FOUND', `${p} does not exist`);
      },
      remove: async () => false,
      onChange: () => () => undefined,
    },
    domains: {
      ...pendingHandlers(),
      'settings:get': async () => ({ trtRtxDir: null }),
      'settings:set': async () => ({ trtRtxDir: null }),
      'run:image': async () => {
        throw new AppError('NOT_FOUND', 'no model');
      },
    },
  });
  refusals = [];
  host = await startHost({
    services,
    bus,
    rendererDir: dir,
    token: 'test-token-0123456789',
    uploadDir: path.join(dir, 'incoming'),
    importUpload: async () => {
      throw new AppError('MODEL_INVALID', 'x.onnx is not an ONNX model');
    },
    maxUploadBytes: 1024,
    maxConnections: 3,
    log: (l) => refusals.push(l),
  });
});

afterAll(async () => {
  await host.close();
});

/** A raw HTTP request (fetch would not let us set Host/Origin freely). */
function request(
  pathname: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: host.port, path: pathname, method, headers },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const hostHeader = () => ({ host: `127.0.0.1:${host.port}` });
const auth = () => ({ ...hostHeader(), authorization: 'Bearer test-token-0123456789' });

describe('browser-mode host', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
  });

  it('refuses a request without the token', async () => {
    const res = await request('/', hostHeader());
    expect(res.status).toBe(401);
    expect(res.body).toContain('token');
  });

  it('refuses a wrong token in the launch URL', async () => {
    const res = await request('/?token=wrong', hostHeader());
    expect(res.status).toBe(401);
  });

  it('exchanges the launch token for an HttpOnly SameSite=Strict cookie that then works', async () => {
    const res = await request('/?token=test-token-0123456789', hostHeader());
    expect(res.status).toBe(303);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await request('/', { ...hostHeader(), cookie: cookie.split(';')[0] as string });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('refuses a foreign Origin even with the token', async () => {
    const res = await request('/', { ...auth(), origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const res = await request('/', {
      host: `evil.example:${host.port}`,
      authorization: 'Bearer test-token-0123456789',
    });
    expect(res.status).toBe(421);
  });

  it('serves only the renderer files: no path traversal', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/etc/passwd']) {
      const res = await request(p, auth());
      expect(res.status, p).toBe(404);
    }
    expect((await request('/app.js', auth())).status).toBe(200);
  });

  it('refuses an upload over the size limit and a traversing name', async () => {
    const big = await request(
      '/api/upload?name=m.onnx',
      { ...auth(), origin: host.origin, 'content-length': '4096' },
      'POST',
      Buffer.alloc(4096),
    );
    expect(big.status).toBe(413);
    const evil = await request(
      '/api/upload?name=..%2Fm.onnx',
      { ...auth(), origin: host.origin },
      'POST',
      Buffer.alloc(8),
    );
    expect(evil.status).toBe(400);
    const bad = await request(
      '/api/upload?name=m.onnx',
      { ...auth(), origin: host.origin },
      'POST',
      Buffer.alloc(8),
    );
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID' } });
  });

  it('refuses a socket without the token or from a foreign origin, and accepts ours', async () => {
    const open = (headers: Record<string, string>) =>
      new Promise<'open' | number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    expect(await open({ origin: host.origin })).toBe(401);
    expect(
      await open({ origin: 'http://evil.example', authorization: 'Bearer test-token-0123456789' }),
    ).toBe(403);
    expect(await open({ origin: host.origin, authorization: 'Bearer test-token-0123456789' })).toBe(
      'open',
    );
  });

  it('answers invokes over the socket, and refuses malformed ones with BAD_REQUEST', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, {
      headers: { origin: host.origin, authorization: 'Bearer test-token-0123456789' },
    });
    await new Promise((r) => ws.on('open', r));
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'engine:status', input: {} }));
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'models:add', input: { path: 42 } }));
    ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'shell:exec', input: {} }));
    ws.send('not json');
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    expect(replies).toContainEqual({
      type: 'result',
      id: 1,
      result: { ok: true, value: engineStatus },
    });
    expect(replies).toContainEqual(
      expect.objectContaining({
        id: 2,
        result: expect.objectContaining({
          ok: false,
          error: expect.objectContaining({ code: 'BAD_REQUEST' }),
        }),
      }),
    );
    expect(replies).toContainEqual(
      expect.objectContaining({ id: 3, result: expect.objectContaining({ ok: false }) }),
    );
    expect(refusals.some((l) => l.includes('malformed'))).toBe(true);
  });
});
