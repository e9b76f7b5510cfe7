import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, artifacts, startBrowserHost } from './fixtures/app';

// The first-run TensorRT for RTX panel against the real main side: the GPU monitor reads a
// stand-in nvidia-smi that prints an RTX 4090's answer (a line a third party recorded on one:
// name, compute capability 8.9, driver 595.71.05; src-main/gpu/trt-rtx-needs.test.ts), the engine
// host finds no TensorRT-RTX plugin, so the main side's verdict is "plugin missing" and the panel
// says what runs now and where to get the plugin. Dismissing it is remembered across a restart.
test('first run on an RTX 4090 without TensorRT for RTX: one dismissable panel', async ({
  browserName: _,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'browser', 'browser mode starts with a stand-in nvidia-smi');
  test.skip(process.platform === 'win32', 'the stand-in nvidia-smi is a #! script');
  test.skip(!!process.env.CRUCIBLE_TRT_RTX_DIR, 'CRUCIBLE_TRT_RTX_DIR points at a plugin here');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crucible-e2e-panel-'));
  // The stand-in answers the query the app really sends (gpu/nvidia-smi.ts QUERY_FIELDS, read
  // from its --query-gpu argument) the way nvidia-smi does: a header of the fields asked for (long
  // names and units, as nvidia-smi prints them), then one line of values; a field it does not know
  // is refused with nvidia-smi's own message. Name, compute capability, driver and memory are the
  // recorded RTX 4090 answer above; the readings are a stand-in's values for an idle RTX 4090
  // (its 450 W default limit, 600 W max, PCIe 4.0 x16), not a recording.
  const answers = path.join(scratch, 'rtx4090.json');
  writeFileSync(
    answers,
    JSON.stringify({
      index: ['index', '0'],
      name: ['name', 'NVIDIA GeForce RTX 4090'],
      uuid: ['uuid', 'GPU-5f1c2a4e-8b0d-4c3e-9a71-2d6e0f4b9c13'],
      'pci.bus_id': ['pci.bus_id', '00000000:01:00.0'],
      compute_cap: ['compute_cap', '8.9'],
      driver_version: ['driver_version', '595.71.05'],
      'memory.total': ['memory.total [MiB]', '24564'],
      'memory.used': ['memory.used [MiB]', '1187'],
      'memory.free': ['memory.free [MiB]', '22984'],
      'power.draw': ['power.draw [W]', '27.84'],
      'power.draw.instant': ['power.draw.instant [W]', '28.31'],
      'power.limit': ['power.limit [W]', '450.00'],
      'power.default_limit': ['power.default_limit [W]', '450.00'],
      'power.min_limit': ['power.min_limit [W]', '150.00'],
      'power.max_limit': ['power.max_limit [W]', '600.00'],
      'enforced.power.limit': ['enforced.power.limit [W]', '450.00'],
      'temperature.gpu': ['temperature.gpu', '38'],
      'fan.speed': ['fan.speed [%]', '30'],
      'clocks.sm': ['clocks.current.sm [MHz]', '210'],
      'clocks.max.sm': ['clocks.max.sm [MHz]', '3120'],
      'clocks.mem': ['clocks.current.memory [MHz]', '405'],
      'clocks.max.mem': ['clocks.max.memory [MHz]', '10501'],
      'utilization.gpu': ['utilization.gpu [%]', '1'],
      'utilization.memory': ['utilization.memory [%]', '2'],
      'pcie.link.gen.current': ['pcie.link.gen.current', '1'],
      'pcie.link.gen.max': ['pcie.link.gen.max', '4'],
      'pcie.link.width.current': ['pcie.link.width.current', '16'],
      'pcie.link.width.max': ['pcie.link.width.max', '16'],
      pstate: ['pstate', 'P8'],
      'clocks_event_reasons.active': ['clocks_event_reasons.active', '0x0000000000000001'],
    }),
  );
  const smi = path.join(scratch, 'nvidia-smi');
  writeFileSync(
    smi,
    `#!/usr/bin/env node
const answers = JSON.parse(require('fs').readFileSync(${JSON.stringify(answers)}, 'utf8'));
const query = process.argv.find((a) => a.startsWith('--query-gpu='));
if (!query) {
  console.log('| NVIDIA-SMI 595.71.05   Driver Version: 595.71.05   CUDA Version: 13.0 |');
  process.exit(0);
}
const fields = query.slice('--query-gpu='.length).split(',');
const unknown = fields.find((f) => !(f in answers));
if (unknown) {
  console.log('Field "' + unknown + '" is not a valid field to query.');
  process.exit(2);
}
console.log(fields.map((f) => answers[f][0]).join(', '));
console.log(fields.map((f) => answers[f][1]).join(', '));
`,
  );
  chmodSync(smi, 0o755);
  const dataDir = path.join(scratch, 'data');
  /** Browser mode on `dataDir` with the stand-in nvidia-smi in its environment. */
  const startHost = async () => {
    const before = process.env.CRUCIBLE_NVIDIA_SMI;
    process.env.CRUCIBLE_NVIDIA_SMI = smi;
    try {
      return await startBrowserHost(dataDir);
    } finally {
      if (before === undefined) delete process.env.CRUCIBLE_NVIDIA_SMI;
      else process.env.CRUCIBLE_NVIDIA_SMI = before;
    }
  };
  const first = await startHost();
  let child = first.child;
  const url = first.url;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    await page.goto(url);
    const panel = page.getByTestId('trt-rtx-panel');
    await expect(panel).toBeVisible({ timeout: 60_000 });
    await expect(panel).toContainText('Your NVIDIA GeForce RTX 4090 can run TensorRT for RTX.');
    await expect(page.getByTestId('trt-rtx-panel-now')).toContainText('CPU');
    await expect(panel).toContainText('onnxruntime-ep-nv-tensorrt-rtx');
    // The GPU area behind it reads the stand-in's values, not "Reading the GPU…".
    await expect(page.getByRole('heading', { name: 'NVIDIA GeForce RTX 4090' })).toBeVisible({
      timeout: 30_000,
    });
    await expect(page.getByText('Reading the GPU…')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByText('450 W').first()).toBeVisible();
    await page.screenshot({
      path: path.join(artifacts, 'browser-trt-rtx-panel.png'),
      fullPage: true,
    });
    await page.getByTestId('trt-rtx-panel-dismiss').click();
    await expect(panel).toHaveCount(0);
    // Remembered in settings, so the next start shows the GPU without the panel.
    const settingsFile = path.join(dataDir, 'stores', 'settings.json');
    await expect
      .poll(() => JSON.parse(readFileSync(settingsFile, 'utf8')).trtRtxPanelDismissed)
      .toBe(true);
    child.kill('SIGTERM');
    const again = await startHost();
    child = again.child;
    const next = await browser.newPage();
    await next.goto(again.url);
    await expect(next.getByRole('heading', { name: 'NVIDIA GeForce RTX 4090' })).toBeVisible({
      timeout: 60_000,
    });
    await expect(next.getByText('Engine ready')).toBeVisible({ timeout: 60_000 });
    await expect(next.getByTestId('trt-rtx-panel')).toHaveCount(0);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
  }
});
