// Killing the host mid-compile leaves no process behind, and its upload temp files are swept at
// the next start. The real app (browser mode) adds a model whose warm-up never ends (a Loop of
// 2^62 Adds), so the background compile is inside ORT when the host is SIGKILLed. Before the fix
// the compile worker's `disconnect` handler called process.exit(), which waits for the ORT call
// in flight: the worker outlived its host (once for 6+ minutes in the issue); and
// library/incoming/*.upload files of killed uploads were never removed.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { processAlive } from '../engine/child-process';
import { startBrowserMode } from './browser-mode-test-support';
import { endlessLoopModel } from '../engine/model/test-helpers';

const survivors: number[] = [];

afterAll(() => {
  for (const pid of survivors) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** The pids whose parent is `ppid`, with their command lines (Linux /proc). */
function childrenOf(ppid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== ppid) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function startApp(dataDir: string): Promise<{ app: ChildProcess; url: URL }> {
  const { child, url } = await startBrowserMode({ dataDir });
  return { app: child, url };
}

describe.skipIf(process.platform !== 'linux')('the host killed mid-compile', () => {
  it('leaves no orphan process, and the next start sweeps upload temp files of dead uploads', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'crucible-orphan-'));
    const data = path.join(base, 'data');
    const incoming = path.join(data, 'library', 'incoming');
    await mkdir(incoming, { recursive: true });
    // A pid that certainly ended: a process that ran and exited.
    const deadPid = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    }).stdout.trim();
    await writeFile(path.join(incoming, `${deadPid}-0123456789abcdef.upload`), 'half an upload');
    await writeFile(path.join(incoming, `${process.pid}-fedcba9876543210.upload`), 'in flight');
    const model = path.join(base, 'endless.onnx');
    await writeFile(model, endlessLoopModel());

    const { app, url } = await startApp(data);
    // Swept at start: the dead upload's file; kept: one whose process (this test) is alive.
    expect(await readdir(incoming)).toEqual([`${process.pid}-fedcba9876543210.upload`]);

    const ws = new WebSocket(`ws://${url.host}/ws`, {
      headers: { origin: url.origin, authorization: `Bearer ${url.searchParams.get('token')}` },
    });
    await new Promise((r) => ws.once('open', r));
    let warmup = false;
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event?: string; payload?: { phase?: string } };
      if (m.event === 'compile:progress' && m.payload?.phase === 'warmup') warmup = true;
    });
    ws.send(
      JSON.stringify({ type: 'invoke', id: 1, channel: 'models:add', input: { path: model } }),
    );
    const started = Date.now();
    while (!warmup) {
      if (Date.now() - started > 60_000) throw new Error('the background compile never warmed up');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500)); // inside ORT's endless run
    const children = childrenOf(app.pid as number);
    const worker = children.find((c) => c.cmd.includes('compile-worker'));
    const engineHost = children.find((c) => c.cmd.includes('engine-host'));
    expect(worker, JSON.stringify(children)).toBeDefined();
    expect(engineHost).toBeDefined();
    survivors.push(...children.map((c) => c.pid));

    app.kill('SIGKILL');
    const killedAt = Date.now();
    while (Date.now() - killedAt < 5000 && children.some((c) => processAlive(c.pid))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const left = children.filter((c) => processAlive(c.pid));
    console.log(
      `parent death: host SIGKILLed with ${children.length} children; ${left.length} left after ${Date.now() - killedAt} ms`,
    );
    expect(left).toEqual([]);
    ws.terminate();
  }, 90_000);
});
