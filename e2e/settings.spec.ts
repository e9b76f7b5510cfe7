import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifacts, expect, test } from './fixtures/app';

// The Settings area against the real main side and engine host: choosing a TensorRT-RTX folder
// restarts the engine, whose provider status then names that folder; installing from something
// that is not an archive fails with the main side's own message. The app is shared by every spec
// (one worker), so the folder is cleared again at the end.
test('Settings: a TensorRT-RTX folder without the library, and an install from a non-archive', async ({
  app,
}, testInfo) => {
  test.skip(!!process.env.CRUCIBLE_TRT_RTX_DIR, 'CRUCIBLE_TRT_RTX_DIR points at a library here');
  const { page } = app;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crucible-e2e-settings-'));
  try {
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('area-settings')).toBeVisible();
    await expect(page).toHaveURL(/#\/settings$/);
    const reason = page.getByTestId('trt-rtx-reason');
    await expect(reason).toContainText('the TensorRT-RTX provider library is not installed', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('trt-rtx-dir-current')).toHaveText('none chosen');

    // A folder that exists but holds no provider library.
    const folder = path.join(scratch, 'no-library-here');
    mkdirSync(folder);
    await page.getByTestId('trt-rtx-dir').fill(folder);
    await page.getByTestId('trt-rtx-dir-save').click();
    await expect(page.getByTestId('trt-rtx-dir-current')).toHaveText(folder);
    // The engine host restarts with the new folder; its provider status names it.
    await expect(reason).toContainText(`Settings points at ${folder}`, { timeout: 60_000 });
    await expect(reason).toContainText('which has no');
    await expect(page.getByTestId('settings-provider-nv-tensorrt-rtx')).toContainText(folder);

    // Install from a file that is not an archive.
    const notArchive = path.join(scratch, 'release-notes.txt');
    writeFileSync(notArchive, 'not a wheel\n');
    await page.getByTestId('trt-rtx-archive').fill(notArchive);
    await page.getByTestId('trt-rtx-install').click();
    const error = page.getByTestId('trt-rtx-install-error');
    await expect(error).toBeVisible({ timeout: 30_000 });
    await expect(error).toHaveAttribute('data-code', 'BAD_REQUEST');
    await expect(error).toContainText(`${notArchive} is not a zip archive`);
    await expect(error).toContainText('That request was not valid');
    await expect(page.getByTestId('trt-rtx-install-result')).toHaveCount(0);
    await page.screenshot({
      path: path.join(artifacts, `${testInfo.project.name}-settings.png`),
      fullPage: true,
    });

    // Back to no folder, for the specs after this one.
    await page.getByTestId('trt-rtx-dir').fill('');
    await page.getByTestId('trt-rtx-dir-save').click();
    await expect(page.getByTestId('trt-rtx-dir-current')).toHaveText('none chosen');
    await expect(reason).toContainText('is not installed', { timeout: 60_000 });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('Settings: ONNX Runtime telemetry is off until turned on; a compile deadline out of range is refused', async ({
  app,
}, testInfo) => {
  const { page } = app;
  await page.getByTestId('nav-settings').click();
  const telemetry = page.getByTestId('ort-telemetry');
  await expect(telemetry).not.toBeChecked();
  const deadline = page.getByTestId('compile-deadline');
  await expect(deadline).toHaveValue('30');
  await deadline.fill('0');
  await deadline.blur();
  const error = page.getByTestId('auto-compile-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-code', 'BAD_REQUEST');
  await deadline.fill('45');
  await deadline.blur();
  await expect(error).toHaveCount(0);
  await expect(page.getByTestId('compile-deadline')).toHaveValue('45');
  await page.getByTestId('settings-privacy').screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-settings-privacy.png`),
  });
  await deadline.fill('30');
  await deadline.blur();
  await expect(page.getByTestId('compile-deadline')).toHaveValue('30');
});

test('Settings → GPU: automatic, and on a machine where ONNX Runtime sees no GPU it says so', async ({
  app,
}, testInfo) => {
  const { page } = app;
  await page.getByTestId('nav-settings').click();
  const card = page.getByTestId('settings-gpu');
  await expect(card).toBeVisible();
  const select = page.getByTestId('gpu-choice');
  await expect(select).toHaveValue('auto');
  await expect(select.locator('option')).toHaveText(['Automatic (the NVIDIA GPU first)']);
  await expect(page.getByTestId('gpu-choice-none')).toHaveText(
    'ONNX Runtime sees no GPU here, so GPU providers have none to run on.',
  );
  await card.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-settings-gpu.png`),
  });
});
