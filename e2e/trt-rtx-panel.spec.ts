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
  const csv = path.join(scratch, 'rtx4090.csv');
  writeFileSync(
    csv,
    'name, compute_cap, driver_version, memory.total [MiB]\nNVIDIA GeForce RTX 4090, 8.9, 595.71.05, 24564 MiB\n',
  );
  const smi = path.join(scratch, 'nvidia-smi');
  writeFileSync(
    smi,
    `#!/usr/bin/env node\nif (process.argv.length > 2) process.stdout.write(require('fs').readFileSync(${JSON.stringify(csv)}, 'utf8'));\nelse console.log('| NVIDIA-SMI 595.71.05   Driver Version: 595.71.05   CUDA Version: 13.0 |');\n`,
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
