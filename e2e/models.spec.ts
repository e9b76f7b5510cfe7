// Issue #4 in browser mode: drop models onto the window with real drop events carrying a
// DataTransfer (the Files are made inside the page from the bytes of files in the repo), see the
// inspection, run, drop a picture on the image model, and drop files that are not models.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type { Page } from '@playwright/test';
import { artifacts, expect, test } from './fixtures/app';

const root = path.resolve(__dirname, '..');
const demo = (p: string) => readFileSync(path.join(root, 'models', p));

interface DropFile {
  name: string;
  base64: string;
}

/**
 * Dispatches dragenter, dragover and drop on `selector` (the window's body by default) with a
 * DataTransfer holding Files built in the page from the given bytes.
 */
async function drop(page: Page, files: DropFile[], selector = 'body'): Promise<void> {
  await page.evaluate(
    ({ files, selector }) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bin = atob(f.base64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        dt.items.add(new File([bytes], f.name));
      }
      const target = document.querySelector(selector);
      if (target === null) throw new Error(`no ${selector} to drop on`);
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }),
        );
      }
    },
    { files, selector },
  );
}

const file = (name: string, bytes: Uint8Array | string): DropFile => ({
  name,
  base64: Buffer.from(bytes).toString('base64'),
});

/**
 * The external-data demo with another graph name: new bytes (so a new library entry, not the
 * built-in one), same weights file.
 */
function externalDataVariant(graphName = 'e2e-convnet'): Uint8Array {
  const model = onnx.ModelProto.decode(demo('with-external-data/model.onnx'));
  if (model.graph) model.graph.name = graphName;
  return onnx.ModelProto.encode(model).finish();
}

// Playwright reads a hook's fixtures from its destructuring pattern: none here.
// eslint-disable-next-line no-empty-pattern
test.beforeEach(({}, testInfo) => {
  test.skip(
    testInfo.project.name !== 'browser',
    'Files made in the page have no path on disk, which Electron drops need',
  );
});

test('drop a demo model, see its inspection, run it, see the output', async ({ app }, testInfo) => {
  const { page } = app;
  const shot = (name: string) =>
    page.screenshot({
      path: path.join(artifacts, `${testInfo.project.name}-${name}.png`),
      fullPage: true,
    });
  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('model-row')).toHaveCount(5);

  await drop(page, [file('transformer-block.onnx', demo('transformer-block.onnx'))]);
  const detail = page.getByTestId('model-detail');
  await expect(detail).toContainText('transformer-block');
  await expect(page.getByTestId('model-inputs')).toContainText('tokens');
  await expect(page.getByTestId('model-inputs')).toContainText('sequence');
  await expect(page.getByTestId('ops-histogram')).toContainText('LayerNormalization');
  // The same bytes as the built-in model: recognised, not added twice.
  await expect(page.getByTestId('model-row')).toHaveCount(5);
  await shot('models-inspection');

  await detail.getByRole('link', { name: 'Run…' }).click();
  await expect(page.getByTestId('area-run')).toBeVisible();
  await expect(page.getByTestId('run-model')).toHaveValue(/.+/);
  await expect(page.getByTestId('run-model').locator('option:checked')).toHaveText(
    'transformer-block',
  );
  await page.getByTestId('run-dim-sequence').fill('7');
  await page.getByTestId('run-execute').click();
  const output = page.getByTestId('run-output');
  await expect(output).toContainText('hidden', { timeout: 60_000 });
  await expect(output).toContainText('[1, 7, 256]');
  await expect(page.getByTestId('run-provider-ran')).toHaveText('CPU');
  await shot('models-run-result');
});

test('drop a picture on the image model and see the result picture', async ({ app }, testInfo) => {
  const { page } = app;
  await page.getByTestId('nav-run').click();
  await page.getByTestId('run-model').selectOption({ label: 'upscale2x' });
  await expect(page.getByTestId('image-panel')).toBeVisible();

  // A 96×64 PNG drawn in the page: a gradient with a few sharp shapes, so sharpening shows.
  const png = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 96;
    canvas.height = 64;
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('no canvas');
    const g = ctx.createLinearGradient(0, 0, 96, 64);
    g.addColorStop(0, '#1e3a8a');
    g.addColorStop(1, '#f59e0b');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 96, 64);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(12, 12, 24, 24);
    ctx.fillStyle = '#dc2626';
    ctx.beginPath();
    ctx.arc(66, 32, 16, 0, Math.PI * 2);
    ctx.fill();
    const blob = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'),
    );
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  });
  await drop(page, [{ name: 'gradient.png', base64: png }], '[data-testid="image-drop"]');

  const result = page.getByTestId('image-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('image-source')).toHaveAttribute('data-width', '96');
  await expect(result).toHaveAttribute('data-width', '192');
  await expect(result).toHaveAttribute('data-height', '128');
  await expect(page.getByTestId('image-result-caption')).toContainText('192×128');
  // The drop went to the picture, not to the model library.
  await expect(page.getByTestId('drop-error')).toHaveCount(0);
  // The result is a picture, not a blank canvas: its centre of the white square is white.
  const centre = await result.evaluate((c: HTMLCanvasElement) =>
    Array.from(c.getContext('2d')?.getImageData(48, 48, 1, 1).data ?? []),
  );
  expect(centre).toEqual([255, 255, 255, 255]);
  await page.getByTestId('image-panel').screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-models-image-result.png`),
  });
});

test('a model dropped with its external-data file is imported with it and runs; alone it is refused', async ({
  app,
}) => {
  const { page } = app;
  await page.getByTestId('nav-models').click();
  const variant = externalDataVariant();
  await drop(page, [file('convnet.onnx', variant)]);
  const error = page.getByTestId('drop-error');
  await expect(error).toHaveAttribute('data-code', 'EXTERNAL_DATA_MISSING');
  await expect(error).toContainText('weights.bin');
  await expect(page.getByTestId('model-row')).toHaveCount(5);
  await error.getByRole('button', { name: 'Dismiss' }).click();

  await drop(page, [
    file('convnet.onnx', variant),
    file('weights.bin', demo('with-external-data/weights.bin')),
  ]);
  await expect(page.getByTestId('model-row')).toHaveCount(6);
  await expect(page.getByTestId('model-detail')).toContainText('convnet');
  await expect(page.getByTestId('external-data')).toContainText('weights.bin');
  await expect(page.getByTestId('drop-error')).toHaveCount(0);

  await page.getByTestId('model-detail').getByRole('link', { name: 'Run…' }).click();
  await page.getByTestId('run-execute').click();
  await expect(page.getByTestId('run-output')).toContainText('[1, 10]', { timeout: 60_000 });
});

test('dropping files that are not models shows why, and the library is untouched', async ({
  app,
}, testInfo) => {
  const { page } = app;
  await page.getByTestId('nav-models').click();
  const before = await page.getByTestId('model-row').count();
  const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
  await drop(page, [file('garbage.onnx', garbage)]);
  const error = page.getByTestId('drop-error');
  await expect(error).toHaveAttribute('data-code', 'MODEL_INVALID');
  await expect(error).toContainText('garbage.onnx');
  await expect(error).toContainText('This is not a valid ONNX model');
  await drop(page, [file('notes.txt', 'just some words')]);
  await expect(error.nth(1)).toContainText('notes.txt is not an ONNX model (.onnx)');
  await expect(page.getByTestId('model-row')).toHaveCount(before);
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-models-drop-error.png`),
    fullPage: true,
  });
});

test('a model folder picked with "Add folder…" keeps its layout and imports with its data', async ({
  app,
}) => {
  const { page } = app;
  await page.getByTestId('nav-models').click();
  const before = await page.getByTestId('model-row').count();
  const folder = path.join(
    mkdtempSync(path.join(os.tmpdir(), 'crucible-e2e-folder-')),
    'picked-net',
  );
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'model.onnx'), externalDataVariant('e2e-picked'));
  writeFileSync(path.join(folder, 'weights.bin'), demo('with-external-data/weights.bin'));
  await page.getByTestId('add-folder-input').setInputFiles(folder);
  await expect(page.getByTestId('model-row')).toHaveCount(before + 1);
  await expect(page.getByTestId('model-detail')).toContainText('picked-net');
  await expect(page.getByTestId('external-data')).toContainText('weights.bin');
  // Nothing failed, and a pick that added a model clears the earlier drops' errors (#13).
  await expect(page.getByTestId('drop-error')).toHaveCount(0);
});
