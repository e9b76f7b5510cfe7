import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AppError } from '../shared/errors';
import { EventBus } from '../services/events';
import { junkFrames } from '../services/junk-test-support';
import { engineStatus, stubServices } from './test-host';
import { startHost, type RunningHost } from './server';

let host: RunningHost;
let refusals: string[];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-host-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(dir, 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, '..', 'secret.txt'), 'secret').catch(() => undefined);
  const bus = new EventBus();
  const services = stubServices(dir, bus);
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
    // The fuzz test sends thousands of frames at once; the rate budget has its own test.
    maxRequestsPerSecond: 1_000_000,
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

  it('refuses an API request without the token', async () => {
    const res = await request(
      '/api/upload?name=m.onnx',
      { ...hostHeader(), origin: host.origin },
      'POST',
      Buffer.alloc(8),
    );
    expect(res.status).toBe(401);
  });

  it('refuses a wrong token in the launch URL', async () => {
    const res = await request('/?token=wrong', hostHeader());
    expect(res.status).toBe(401);
  });

  // Before the fix the launch URL set a cookie `crucible_<port>=<token>` for 127.0.0.1: browsers
  // send a host's cookies to every port of it, so any other local server the user visited got
  // the token. Now the credential never leaves this origin: no cookie is set, none is accepted.
  it('binds the credential to this host and port: no cookie set, a cookie never accepted', async () => {
    const launch = await request('/?token=test-token-0123456789', hostHeader());
    expect(launch.status).toBe(200);
    expect(launch.headers['set-cookie']).toBeUndefined();
    expect(launch.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = { cookie: `crucible_${host.port}=test-token-0123456789` };
    const upload = await request(
      '/api/upload?name=m.onnx',
      { ...hostHeader(), ...cookie, origin: host.origin },
      'POST',
      Buffer.alloc(8),
    );
    expect(upload.status).toBe(401);
    const socket = await new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, {
        headers: { origin: host.origin, ...cookie },
      });
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(socket).toBe(401);
  });

  it('opens the socket with the token as a subprotocol (what the page does), answering only "crucible"', async () => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${host.port}/ws`,
      ['crucible', 'crucible-token.test-token-0123456789'],
      { headers: { origin: host.origin } },
    );
    await new Promise((r) => ws.on('open', r));
    expect(ws.protocol).toBe('crucible');
    const reply = await new Promise<unknown>((resolve) => {
      ws.on('message', (d) => resolve(JSON.parse(d.toString())));
      ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'engine:status', input: {} }));
    });
    expect(reply).toMatchObject({ id: 1, result: { ok: true } });
    ws.close();
    const wrong = await new Promise<number | 'open'>((resolve) => {
      const w = new WebSocket(
        `ws://127.0.0.1:${host.port}/ws`,
        ['crucible', 'crucible-token.nope'],
        { headers: { origin: host.origin } },
      );
      w.on('open', () => resolve('open'));
      w.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      w.on('error', () => undefined);
    });
    expect(wrong).toBe(401);
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

describe('the socket door refuses every message that is not an invoke envelope', () => {
  const connect = async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, {
      headers: { origin: host.origin, authorization: 'Bearer test-token-0123456789' },
    });
    await new Promise((r) => ws.on('open', r));
    return ws;
  };
  const status = (ws: WebSocket, id: number) =>
    new Promise<unknown>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { id?: number };
        if (m.id === id) resolve(m);
      });
      ws.send(JSON.stringify({ type: 'invoke', id, channel: 'engine:status', input: {} }));
    });

  // Before the fix, the first of these killed the host: `msg.type` read on JSON.parse's null.
  it('null, numbers, strings and arrays as frames: logged and ignored, the host keeps answering', async () => {
    const ws = await connect();
    for (const text of ['null', '0', '"invoke"', 'true', '[]', '[{"type":"invoke"}]'])
      ws.send(text);
    ws.send(JSON.stringify({ type: 'invoke', id: -1, channel: 'engine:status' }));
    ws.send(JSON.stringify({ type: 'invoke', id: 5, channel: { deep: [1] } }));
    ws.send(JSON.stringify({ type: 'invoke', id: 6, channel: 'engine:status', extra: 1 }));
    expect(await status(ws, 99)).toMatchObject({ id: 99, result: { ok: true } });
    expect(refusals.some((l) => l.includes('must be an object, not null'))).toBe(true);
    expect(refusals.some((l) => l.includes('must be an object, not an array'))).toBe(true);
    ws.close();
  });

  it('fuzz: 2,000 junk frames (JSON values, bad envelopes, 20,000-deep nesting, random bytes) never kill the host', async () => {
    const frames = junkFrames('socket-fuzz', 2000);
    let sent = 0;
    let reconnects = 0;
    let answered = 0;
    const counted = async () => {
      const socket = await connect();
      socket.on('message', () => answered++);
      return socket;
    };
    let ws = await counted();
    for (const frame of frames) {
      if (ws.readyState !== WebSocket.OPEN) {
        // Invalid UTF-8 in a text frame is a protocol error: ws closes that client (1007).
        reconnects++;
        ws = await counted();
      }
      if ('text' in frame) ws.send(frame.text);
      else ws.send(frame.bytes, { binary: true });
      sent++;
      if (sent % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    ws.close();
    const after = await connect();
    expect(await status(after, 4242)).toMatchObject({ id: 4242, result: { ok: true } });
    after.close();
    console.log(
      `socket fuzz: ${sent} frames sent, ${reconnects} reconnects, ${answered} replies, host alive`,
    );
    expect(sent).toBe(2000);
  });
});

describe('upload groups (a model with its external data, or a folder)', () => {
  let groupHost: RunningHost;
  let uploadDir: string;
  /** What importUpload saw: the model's name and the files beside it at that moment. */
  let imports: { name: string; siblings: string[]; bytes: string }[];

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-groups-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    uploadDir = path.join(dir, 'incoming');
    imports = [];
    const bus = new EventBus();
    groupHost = await startHost({
      services: stubServices(dir, bus),
      bus,
      rendererDir: dir,
      token: 'group-token-0123456789',
      uploadDir,
      importUpload: async (tmp, name) => {
        if (name.includes('broken')) throw new AppError('MODEL_INVALID', `${name} is broken`);
        imports.push({
          name,
          siblings: (await readdir(path.dirname(tmp))).sort(),
          bytes: await readFile(tmp, 'utf8'),
        });
        return {
          id: name,
          name,
          path: tmp,
          builtIn: false,
          addedAt: 0,
          inspection: null,
          error: null,
        };
      },
      maxUploadBytes: 1000,
    });
  });
  afterAll(() => groupHost.close());

  const post = (
    pathname: string,
    body: string | Buffer = '',
    headers: Record<string, string> = {},
  ) =>
    new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: groupHost.port,
          path: pathname,
          method: 'POST',
          headers: {
            host: `127.0.0.1:${groupHost.port}`,
            origin: groupHost.origin,
            authorization: 'Bearer group-token-0123456789',
            ...headers,
          },
        },
        (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString()));
          res.on('end', () => {
            let json: unknown = data;
            try {
              json = JSON.parse(data);
            } catch {
              // a plain-text refusal
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const stage = (group: string, name: string, body: string | Buffer) =>
    post(`/api/upload?group=${encodeURIComponent(group)}&name=${encodeURIComponent(name)}`, body);

  it('stages a model with its data files (and a folder layout), then imports each model with its siblings', async () => {
    const g = 'drop-aaaaaaaa';
    expect((await stage(g, 'convnet/model.onnx', 'MODEL')).status).toBe(200);
    expect((await stage(g, 'convnet/weights.bin', 'W'.repeat(100))).status).toBe(200);
    expect((await stage(g, 'convnet/data/extra.bin', 'E')).status).toBe(200);
    expect((await stage(g, 'other.onnx', 'OTHER')).status).toBe(200);
    expect((await stage(g, 'broken.onnx', 'B')).status).toBe(200);
    const res = await post(`/api/upload/commit?group=${g}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ok: true,
      value: [
        { ok: false, error: { code: 'MODEL_INVALID', message: 'broken.onnx is broken' } },
        { ok: true, value: { name: 'convnet/model.onnx' } },
        { ok: true, value: { name: 'other.onnx' } },
      ],
    });
    expect(imports).toEqual([
      {
        name: 'convnet/model.onnx',
        siblings: ['data', 'model.onnx', 'weights.bin'],
        bytes: 'MODEL',
      },
      { name: 'other.onnx', siblings: ['broken.onnx', 'convnet', 'other.onnx'], bytes: 'OTHER' },
    ]);
    // The staging folder is gone, and the group with it.
    expect(await readdir(uploadDir)).toEqual([]);
    expect((await post(`/api/upload/commit?group=${g}`)).status).toBe(404);
  });

  it('answers a drop without any .onnx with one clear error per file', async () => {
    const g = 'drop-bbbbbbbb';
    await stage(g, 'weights.bin', 'W');
    await stage(g, 'notes.txt', 'hello');
    const res = await post(`/api/upload/commit?group=${g}`);
    expect(res.json).toEqual({
      ok: true,
      value: [
        {
          ok: false,
          error: { code: 'MODEL_INVALID', message: 'notes.txt is not an ONNX model (.onnx)' },
        },
        {
          ok: false,
          error: { code: 'MODEL_INVALID', message: 'weights.bin is not an ONNX model (.onnx)' },
        },
      ],
    });
  });

  it('refuses names that could leave the staging folder, bad group ids and repeated names', async () => {
    for (const name of [
      '../x.onnx',
      'a/../b.onnx',
      '.hidden/m.onnx',
      'a//m.onnx',
      'a\\m.onnx',
      'C:m.onnx',
      '/abs.onnx',
      'a/.',
      '',
    ]) {
      const res = await stage('drop-cccccccc', name, 'x');
      expect(res.status, name).toBe(400);
      expect(res.json, name).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    for (const group of ['short', '../../etc', 'x'.repeat(65), 'a b c d e f']) {
      expect((await stage(group, 'm.onnx', 'x')).status, group).toBe(400);
    }
    expect((await stage('drop-dddddddd', 'm.onnx', 'x')).status).toBe(200);
    expect((await stage('drop-dddddddd', 'm.onnx', 'y')).status).toBe(409);
    await post('/api/upload/commit?group=drop-dddddddd');
  });

  // Before the fix all 20 passed: each checked the group's size before any of them had finished.
  it('checks the drop limit atomically: 20 parallel 900-byte files into one 1000-byte drop, one accepted', async () => {
    const g = 'drop-parallel1';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stage(g, `w${i}.bin`, Buffer.alloc(900)).catch(() => ({ status: -1 })),
      ),
    );
    const accepted = results.filter((r) => r.status === 200).length;
    expect(accepted).toBe(1);
    expect(results.filter((r) => r.status === 413)).toHaveLength(19);
    await post(`/api/upload/commit?group=${g}`);
    expect(await readdir(uploadDir)).toEqual([]);
  });

  it('counts a body sent without a length (chunked) against the drop as it arrives', async () => {
    const g = 'drop-chunked1';
    const results = await Promise.all(
      Array.from(
        { length: 5 },
        (_, i) =>
          post(`/api/upload?group=${g}&name=c${i}.bin`, Buffer.alloc(400), {
            'transfer-encoding': 'chunked',
          }).catch(() => ({ status: -1 })), // cut off mid-body once the drop is full
      ),
    );
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(2);
    await post(`/api/upload/commit?group=${g}`);
  });

  it('counts the size limit over the whole drop, and keeps the token and origin checks', async () => {
    const g = 'drop-eeeeeeee';
    expect((await stage(g, 'model.onnx', Buffer.alloc(600))).status).toBe(200);
    const second = await stage(g, 'weights.bin', Buffer.alloc(600));
    expect(second.status).toBe(413);
    expect(second.json).toMatchObject({
      error: { message: expect.stringContaining('upload limit') },
    });
    await post(`/api/upload/commit?group=${g}`);

    expect(
      (await post('/api/upload?group=drop-ffffffff&name=m.onnx', 'x', { authorization: '' }))
        .status,
    ).toBe(401);
    expect(
      (
        await post('/api/upload?group=drop-ffffffff&name=m.onnx', 'x', {
          origin: 'http://evil.example',
        })
      ).status,
    ).toBe(403);
    expect(
      (await post('/api/upload/commit?group=drop-ffffffff', '', { authorization: '' })).status,
    ).toBe(401);
    expect(await readdir(uploadDir)).toEqual([]);
  });
});

describe('slow clients, many connections, oversize messages', () => {
  let limited: RunningHost;
  const lines: string[] = [];

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-limits-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    const bus = new EventBus();
    limited = await startHost({
      services: stubServices(dir, bus),
      bus,
      rendererDir: dir,
      token: 'limits-token-0123456789',
      uploadDir: path.join(dir, 'incoming'),
      importUpload: async () => {
        throw new AppError('MODEL_INVALID', 'not a model');
      },
      maxUploadBytes: 1 << 20,
      maxConnections: 2,
      headersTimeoutMs: 300,
      idleTimeoutMs: 400,
      maxMessageBytes: 1024,
      log: (l) => lines.push(l),
    });
  });
  afterAll(() => limited.close());

  const headers = () =>
    `Host: 127.0.0.1:${limited.port}\r\nAuthorization: Bearer limits-token-0123456789\r\nOrigin: ${limited.origin}\r\n`;

  /** A raw socket; resolves with what the server sent once it closed the connection. */
  function raw(send: (s: net.Socket) => void): Promise<{ data: string; closed: boolean }> {
    return new Promise((resolve) => {
      const s = net.connect(limited.port, '127.0.0.1', () => send(s));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve({ data, closed: true }));
      s.on('error', () => undefined);
    });
  }

  it('drops a client that sends its headers too slowly (slow loris)', async () => {
    const r = await raw((s) => {
      s.write(`GET / HTTP/1.1\r\n${headers()}`);
      // ...and never the blank line that ends the headers.
    });
    expect(r.closed).toBe(true);
    expect(r.data).not.toContain('200 OK');
  });

  it('drops an upload whose body stalls', async () => {
    const r = await raw((s) => {
      s.write(
        `POST /api/upload?name=m.onnx HTTP/1.1\r\n${headers()}Content-Length: 100000\r\n\r\n`,
      );
      s.write(Buffer.alloc(1000));
      // ...then nothing more.
    });
    expect(r.closed).toBe(true);
    expect(r.data).not.toContain('"ok":true');
  });

  it('refuses connections past the limit, and serves again once they are gone', async () => {
    // maxConnections 2 → 8 HTTP connections at once; hold 14 idle ones open.
    const held: net.Socket[] = [];
    const closedEarly: boolean[] = [];
    await Promise.all(
      Array.from(
        { length: 14 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const s = net.connect(limited.port, '127.0.0.1', () => resolve());
            closedEarly[i] = false;
            s.on('close', () => (closedEarly[i] = true));
            s.on('error', () => undefined);
            held.push(s);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 150));
    const dropped = closedEarly.filter(Boolean).length;
    expect(dropped).toBeGreaterThanOrEqual(6);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const page = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: limited.port,
            path: '/',
            headers: {
              host: `127.0.0.1:${limited.port}`,
              authorization: 'Bearer limits-token-0123456789',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(page).toBe(200);
  });

  const openSocket = () =>
    new Promise<WebSocket | number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${limited.port}/ws`, {
        headers: { origin: limited.origin, authorization: 'Bearer limits-token-0123456789' },
      });
      ws.on('open', () => resolve(ws));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });

  it('refuses a WebSocket past the limit with 503', async () => {
    const a = await openSocket();
    const b = await openSocket();
    const c = await openSocket();
    expect(a).toBeInstanceOf(WebSocket);
    expect(b).toBeInstanceOf(WebSocket);
    expect(c).toBe(503);
    expect(lines.some((l) => l.includes('too many connections'))).toBe(true);
    for (const ws of [a, b]) if (ws instanceof WebSocket) ws.close();
    await new Promise((r) => setTimeout(r, 100));
  });

  it('closes a socket that sends an oversize message (1009), and keeps serving the others', async () => {
    const big = await openSocket();
    const other = await openSocket();
    if (!(big instanceof WebSocket) || !(other instanceof WebSocket)) throw new Error('no socket');
    const code = await new Promise<number>((resolve) => {
      big.on('close', (c) => resolve(c));
      big.send(
        JSON.stringify({
          type: 'invoke',
          id: 1,
          channel: 'models:add',
          input: { path: 'x'.repeat(4096) },
        }),
      );
    });
    expect(code).toBe(1009);
    const reply = await new Promise<unknown>((resolve) => {
      other.on('message', (d) => resolve(JSON.parse(d.toString())));
      other.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'engine:status', input: {} }));
    });
    expect(reply).toMatchObject({ type: 'result', id: 7, result: { ok: true } });
    other.close();
  });

  it('keeps an open WebSocket past the idle timeout (it is not a stalled request)', async () => {
    const ws = await openSocket();
    if (!(ws instanceof WebSocket)) throw new Error('no socket');
    await new Promise((r) => setTimeout(r, 700));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});

describe('half-sent requests cannot lock new clients out (slow loris)', () => {
  let patient: RunningHost;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-loris-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    const bus = new EventBus();
    patient = await startHost({
      services: stubServices(dir, bus),
      bus,
      rendererDir: dir,
      token: 'loris-token-0123456789',
      uploadDir: path.join(dir, 'incoming'),
      importUpload: async () => {
        throw new AppError('MODEL_INVALID', 'not a model');
      },
      // The defaults: 16 sockets → 64 HTTP connections, 10 s to send headers.
      log: () => undefined,
    });
  });
  afterAll(() => patient.close());

  // Before the fix the 70 held every slot until their 10 s header timeout: the page got ECONNRESET.
  it('70 connections holding half-sent headers: a new client is still served at once', async () => {
    const held: net.Socket[] = [];
    await Promise.all(
      Array.from(
        { length: 70 },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect(patient.port, '127.0.0.1', () => {
              s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${patient.port}\r\n`);
              resolve();
            });
            s.on('error', () => undefined);
            held.push(s);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        await new Promise<number>((resolve) => {
          http
            .get(
              {
                host: '127.0.0.1',
                port: patient.port,
                path: '/',
                agent: false,
                headers: {
                  host: `127.0.0.1:${patient.port}`,
                  authorization: 'Bearer loris-token-0123456789',
                },
              },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            )
            .on('error', () => resolve(-1));
        }),
      );
    }
    const tookMs = Date.now() - started;
    for (const s of held) s.destroy();
    expect(statuses).toEqual([200, 200, 200]);
    expect(tookMs).toBeLessThan(5000); // the header timeout (10 s) never had to free a slot
  });
});

describe('a client whose replies are not drained', () => {
  let slow: RunningHost;
  let bus: EventBus;
  const lines: string[] = [];
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-drain-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    bus = new EventBus();
    slow = await startHost({
      services: stubServices(dir, bus),
      bus,
      rendererDir: dir,
      token: 'drain-token-0123456789',
      uploadDir: path.join(dir, 'incoming'),
      importUpload: async () => {
        throw new AppError('MODEL_INVALID', 'not a model');
      },
      maxQueuedReplyBytes: 1 << 20,
      drainTimeoutMs: 500,
      log: (l) => lines.push(l),
    });
  });
  afterAll(() => slow.close());

  const open = () =>
    new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${slow.port}/ws`, {
        headers: { origin: slow.origin, authorization: 'Bearer drain-token-0123456789' },
      });
      ws.once('open', () => resolve(ws));
    });

  it('is cut off once its queued frames stay over the limit; a client that reads keeps getting them', async () => {
    const stuck = await open();
    (stuck as unknown as { _socket: { pause(): void } })._socket.pause(); // never reads
    const reader = await open();
    let received = 0;
    reader.on('message', () => received++);
    // 64 pushes of 512 KiB: far more than the kernel's socket buffers hold for the stuck client.
    const big = 'x'.repeat(512 << 10);
    for (let i = 0; i < 64; i++) {
      bus.emit('app:notice', { id: `n${i}`, level: 'info', message: big, at: 0 } as never);
      await new Promise((r) => setTimeout(r, 5));
    }
    const started = Date.now();
    while (!lines.some((l) => l.includes('replies not read')) && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines.some((l) => /cut off ws-\d+: replies not read/.test(l))).toBe(true);
    const reply = await new Promise<unknown>((resolve) => {
      reader.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; id?: number };
        if (m.type === 'result' && m.id === 3) resolve(m);
      });
      reader.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'engine:status', input: {} }));
    });
    expect(reply).toMatchObject({ id: 3, result: { ok: true } });
    expect(received).toBeGreaterThanOrEqual(64);
    reader.close();
    stuck.terminate();
  });
});

describe('a page with more calls out than the in-flight budget', () => {
  it('gets every answer: calls past the budget wait for a slot instead of failing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crucible-inflight-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    const bus = new EventBus();
    const services = stubServices(dir, bus);
    let running = 0;
    let most = 0;
    const status = services.handlers['engine:status'];
    (services.handlers as Record<string, unknown>)['engine:status'] = async (
      ...args: Parameters<typeof status>
    ) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return status(...args);
    };
    const busy = await startHost({
      services,
      bus,
      rendererDir: dir,
      token: 'inflight-token-0123456789',
      uploadDir: path.join(dir, 'incoming'),
      importUpload: async () => {
        throw new AppError('MODEL_INVALID', 'not a model');
      },
      maxInFlight: 4,
      log: () => undefined,
    });
    const ws = new WebSocket(`ws://127.0.0.1:${busy.port}/ws`, {
      headers: { origin: busy.origin, authorization: 'Bearer inflight-token-0123456789' },
    });
    await new Promise((r) => ws.on('open', r));
    const answers = new Map<number, unknown>();
    const all = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; id: number; result: unknown };
        if (m.type === 'result') answers.set(m.id, m.result);
        if (answers.size === 40) resolve();
      }),
    );
    for (let id = 1; id <= 40; id++) {
      ws.send(JSON.stringify({ type: 'invoke', id, channel: 'engine:status', input: {} }));
    }
    await all;
    ws.close();
    await busy.close();
    expect([...answers.values()].every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBe(4);
  });
});
