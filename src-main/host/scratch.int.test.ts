// Nothing written outside the data folder: the real app (browser mode, with its engine host and a
// compile worker) and the CLI run with HOME and TMPDIR pointed at empty folders; afterwards HOME
// holds only the data folder and TMPDIR only the `crucible-*` folders the app made and removed.
// Before the fix ONNX Runtime's telemetry wrote HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/
// {deviceid,onnxruntime.db} and TMPDIR/mat-debug-<pid>.log (+ .ses) from every engine process.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserMode } from './browser-mode-test-support';

const root = path.resolve(__dirname, '..', '..');

/** Every path under `dir`, relative, folders included. */
async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(dir, p)));
  }
  return out;
}

describe.skipIf(process.platform !== 'linux')('scratch files', () => {
  it('the app and the CLI write nothing outside the data folder (HOME and TMPDIR isolated)', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'crucible-scratch-'));
    const home = path.join(base, 'home');
    const tmp = path.join(base, 'tmp');
    const data = path.join(home, 'crucible-data');
    await mkdir(tmp, { recursive: true });
    await mkdir(home, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      TMPDIR: tmp,
      CRUCIBLE_DATA_DIR: data,
    };
    delete env.ORT_DISABLE_TELEMETRY; // the app must turn it off itself
    delete env.XDG_CACHE_HOME;

    const { child: app, url } = await startBrowserMode({ env });
    const ws = new WebSocket(`ws://${url.host}/ws`, {
      headers: { origin: url.origin, authorization: `Bearer ${url.searchParams.get('token')}` },
    });
    await new Promise((r) => ws.once('open', r));
    let id = 0;
    const pending = new Map<number, (v: unknown) => void>();
    const jobs: { state: string; modelId: string }[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as {
        type: string;
        id?: number;
        result?: unknown;
        event?: string;
        payload?: { state: string; modelId: string };
      };
      if (m.type === 'result' && m.id !== undefined) pending.get(m.id)?.(m.result);
      if (m.type === 'event' && m.event === 'compile:progress' && m.payload) jobs.push(m.payload);
    });
    const invoke = (channel: string, input: unknown) =>
      new Promise<{ ok: boolean; value?: unknown; error?: unknown }>((resolve) => {
        pending.set(++id, resolve as (v: unknown) => void);
        ws.send(JSON.stringify({ type: 'invoke', id, channel, input }));
      });
    const list = (await invoke('models:list', {})) as { value: { id: string; name: string }[] };
    const tiny = list.value.find((m) => m.name === 'mlp-tiny');
    expect(tiny).toBeDefined();
    expect(await invoke('run:execute', { modelId: tiny?.id, provider: 'cpu' })).toMatchObject({
      ok: true,
    });
    const enq = await invoke('compile:enqueue', { modelId: tiny?.id, provider: 'cpu' });
    expect(enq).toMatchObject({ ok: true });
    const started = Date.now();
    while (!jobs.some((j) => j.modelId === tiny?.id && ['done', 'failed'].includes(j.state))) {
      if (Date.now() - started > 60_000) throw new Error('the compile did not finish in 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    ws.close();
    await new Promise<void>((resolve) => {
      app.once('exit', () => resolve());
      app.kill('SIGTERM');
    });

    const cli = spawnSync(
      process.execPath,
      [
        path.join(root, 'dist', 'cli', 'crucible.js'),
        'run',
        path.join(root, 'models', 'mlp-tiny.onnx'),
        '--provider',
        'cpu',
      ],
      { env, encoding: 'utf8' },
    );
    expect(cli.status, cli.stderr).toBe(0);

    const inHome = (await walk(home)).filter(
      (p) => p !== 'crucible-data' && !p.startsWith(`crucible-data${path.sep}`),
    );
    const inTmp = await walk(tmp);
    console.log(
      `scratch: HOME outside the data folder: [${inHome.join(', ')}]; TMPDIR: [${inTmp.join(', ')}]`,
    );
    expect(inHome).toEqual([]);
    expect(inTmp.filter((p) => !p.startsWith('crucible-'))).toEqual([]);
  }, 120_000);
});
