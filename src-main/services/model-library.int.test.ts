// "Restarting the app keeps the library; a library file cut short on disk is reported and rebuilt
// from the models still present" — with the real app: browser mode (dist/host/browser-main.js,
// built by the test setup) started, stopped and started again on one data folder.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ModelEntry } from '../ipc/contract';
import { startBrowserMode } from '../host/browser-mode-test-support';

const root = path.resolve(__dirname, '..', '..');
const running: ChildProcess[] = [];

interface Started {
  origin: string;
  token: string;
  /** Everything it wrote to stderr until now. */
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts browser mode on `dataDir` and waits for the URL line. */
async function start(dataDir: string): Promise<Started> {
  const { child, url, stderr } = await startBrowserMode({ dataDir });
  running.push(child);
  return {
    origin: url.origin,
    token: url.searchParams.get('token') as string,
    stderr,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** models:list over the socket, as the page asks it. */
async function listModels(app: Started): Promise<ModelEntry[]> {
  const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/ws`, {
    headers: { origin: app.origin, authorization: `Bearer ${app.token}` },
  });
  await new Promise((r) => ws.once('open', r));
  const reply = new Promise<ModelEntry[]>((resolve) =>
    ws.on('message', (d) => {
      const msg = JSON.parse(d.toString()) as { type: string; result?: { value: ModelEntry[] } };
      if (msg.type === 'result') resolve(msg.result?.value ?? []);
    }),
  );
  ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'models:list', input: {} }));
  const models = await reply;
  ws.close();
  return models;
}

/** Uploads a model as the page does (one file, one group). */
async function upload(app: Started, name: string, bytes: Uint8Array): Promise<ModelEntry> {
  const headers = { origin: app.origin, authorization: `Bearer ${app.token}` };
  await fetch(`${app.origin}/api/upload?group=restart-test-1&name=${name}`, {
    method: 'POST',
    headers,
    body: bytes,
  });
  const res = await fetch(`${app.origin}/api/upload/commit?group=restart-test-1`, {
    method: 'POST',
    headers,
  });
  const body = (await res.json()) as { value: { ok: boolean; value: ModelEntry }[] };
  expect(body.value[0]?.ok).toBe(true);
  return body.value[0]?.value as ModelEntry;
}

afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
});

describe('the library across restarts of the real app', () => {
  it('keeps an uploaded model, and rebuilds a library.json cut short, saying so', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crucible-restart-'));
    // The upscale model with one byte of its producer version changed: not a built-in's bytes.
    const bytes = new Uint8Array(await readFile(path.join(root, 'models', 'upscale2x.onnx')));
    const at = Buffer.from(bytes).indexOf('crucible-models');
    bytes[at] = 'C'.charCodeAt(0);

    const first = await start(dataDir);
    const added = await upload(first, 'my-upscaler.onnx', bytes);
    expect(added.name).toBe('my-upscaler');
    const listed = (await listModels(first)).map((m) => m.id);
    expect(listed).toContain(added.id);
    await first.stop();

    const second = await start(dataDir);
    expect((await listModels(second)).map((m) => m.id)).toEqual(listed);
    expect(second.stderr()).not.toContain('damaged');
    await second.stop();

    const file = path.join(dataDir, 'library', 'library.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, Math.floor(text.length / 3)));
    const third = await start(dataDir);
    expect(third.stderr()).toMatch(
      /Crucible: The model library was damaged \(.*library\.json is not valid JSON.*\); it was kept as .*library\.json\.corrupt-.* and rebuilt: 1 of your model\(s\) found again on disk, and the 5 built-in one\(s\)\./,
    );
    const rebuilt = await listModels(third);
    expect(rebuilt.map((m) => m.id).sort()).toEqual([...listed].sort());
    expect(rebuilt.find((m) => m.id === added.id)).toMatchObject({
      name: 'my-upscaler',
      builtIn: false,
    });
    await third.stop();
  });
});
