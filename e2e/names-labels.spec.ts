// Issue #13 in browser mode: a model saved as model.onnx, dropped in its folder with a labels
// file beside it, gets the folder's name and its labels; a picture the test writes runs through
// it and the result shows the picture beside its labelled top-5, with the pixel scaling used;
// a rename persists across a restart (a second app on the same data). A segmentation model's
// outputs are drawn over the picture that went in.
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { chromium, type Locator, type Page } from '@playwright/test';
import { artifacts, CHROMIUM_ARGS, expect, startBrowserHost, test } from './fixtures/app';

const LABELS = [
  'tabby cat',
  'golden retriever',
  'goldfish',
  'great white shark',
  'tree frog',
  'loggerhead turtle',
  'macaw',
  'koala',
  'red fox',
  'zebra',
];

/** A tiny picture classifier: x [1, 3, 8, 8] → mean per channel → Gemm 3×10 → Softmax. */
function classifier(): Uint8Array {
  const w = Array.from({ length: 30 }, (_, i) => ((i * 37) % 11) / 5 - 1);
  const info = (name: string, dims: number[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'pytorch',
    graph: {
      name: 'main_graph',
      node: [
        { opType: 'GlobalAveragePool', input: ['x'], output: ['p'] },
        { opType: 'Flatten', input: ['p'], output: ['f'] },
        { opType: 'Gemm', input: ['f', 'w', 'b'], output: ['logits'] },
        { opType: 'Softmax', input: ['logits'], output: ['scores'] },
      ],
      initializer: [
        { name: 'w', dataType: 1, dims: [3, 10], floatData: w },
        { name: 'b', dataType: 1, dims: [10], floatData: new Array(10).fill(0) },
      ],
      input: [info('x', [1, 3, 8, 8])],
      output: [info('scores', [1, 10])],
    },
  }).finish();
}

/**
 * A tiny segmenter: x [1, 3, height, width] → a 1×1 Conv scoring 5 classes per pixel
 * (background, fox = red, grass = green, sky = blue, snow = white) → `classes` [1, 5, H, W]; and
 * `redness` [1, H, W] = sigmoid(4R − 2G − 2B − 1), a one-channel map. Its metadata says it takes
 * pixels in [0, 1].
 */
function segmenter(): Uint8Array {
  const dims = (...d: (number | string)[]) => ({
    dim: d.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })),
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    // ONNX's image metadata (docs/MetadataProps.md): the scaling the Run form starts from.
    metadataProps: [{ key: 'Image.NominalPixelRange', value: 'Normalized_0_1' }],
    graph: {
      name: 'tiny_seg',
      node: [
        { opType: 'Conv', input: ['x', 'wc', 'bc'], output: ['classes'] },
        { opType: 'Conv', input: ['x', 'wr', 'br'], output: ['r'] },
        { opType: 'Sigmoid', input: ['r'], output: ['rs'] },
        { opType: 'Squeeze', input: ['rs', 'axis1'], output: ['redness'] },
      ],
      initializer: [
        {
          name: 'wc',
          dataType: 1,
          dims: [5, 3, 1, 1],
          floatData: [0, 0, 0, 1, -1, -1, -1, 1, -1, -1, -1, 1, 1, 1, 1],
        },
        { name: 'bc', dataType: 1, dims: [5], floatData: [0.1, 0, 0, 0, -2] },
        { name: 'wr', dataType: 1, dims: [1, 3, 1, 1], floatData: [4, -2, -2] },
        { name: 'br', dataType: 1, dims: [1], floatData: [-1] },
        { name: 'axis1', dataType: 7, dims: [1], int64Data: [1] },
      ],
      input: [
        { name: 'x', type: { tensorType: { elemType: 1, shape: dims(1, 3, 'height', 'width') } } },
      ],
      output: [
        {
          name: 'classes',
          type: { tensorType: { elemType: 1, shape: dims(1, 5, 'height', 'width') } },
        },
        {
          name: 'redness',
          type: { tensorType: { elemType: 1, shape: dims(1, 'height', 'width') } },
        },
      ],
    },
  }).finish();
}

/** A PNG (8-bit RGB) of `width` × `height` whose pixel (x, y) is `colour(x, y)`. */
function png(
  width: number,
  height: number,
  colour: (x: number, y: number) => [number, number, number],
): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(colour(x, y), y * (1 + width * 3) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The RGBA of pixel (x, y) of a canvas in the page. */
async function canvasPixel(canvas: Locator, x: number, y: number): Promise<number[]> {
  return canvas.evaluate(
    (el, [px, py]) => {
      const ctx = (el as HTMLCanvasElement).getContext('2d') as CanvasRenderingContext2D;
      return Array.from(ctx.getImageData(px as number, py as number, 1, 1).data);
    },
    [x, y],
  );
}

/**
 * A voice-activity-like model with a control input: x float32 [?, 4], sr int64 scalar; y = x × 2
 * when sr is 16000, else x × 3.
 */
function controlModel(): Uint8Array {
  const times = (k: string, out: string): onnx.IGraphProto => ({
    name: `times_${k}`,
    node: [{ opType: 'Mul', input: ['x', k], output: [out] }],
    output: [{ name: out, type: { tensorType: { elemType: 1 } } }],
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'vad_head',
      node: [
        { opType: 'Equal', input: ['sr', 'r16k'], output: ['is16k'] },
        {
          opType: 'If',
          input: ['is16k'],
          output: ['y'],
          attribute: [
            {
              name: 'then_branch',
              type: onnx.AttributeProto.AttributeType.GRAPH,
              g: times('two', 'y2'),
            },
            {
              name: 'else_branch',
              type: onnx.AttributeProto.AttributeType.GRAPH,
              g: times('three', 'y3'),
            },
          ],
        },
      ],
      initializer: [
        { name: 'r16k', dataType: 7, dims: [], int64Data: [16000] },
        { name: 'two', dataType: 1, dims: [], floatData: [2] },
        { name: 'three', dataType: 1, dims: [], floatData: [3] },
      ],
      input: [
        { name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{}, { dimValue: 4 }] } } } },
        { name: 'sr', type: { tensorType: { elemType: 7, shape: { dim: [] } } } },
      ],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
    },
  }).finish();
}

/** Drops files as a dropped folder delivers them: each with its path inside the drop. */
async function dropFolder(page: Page, files: { path: string; bytes: Uint8Array }[]): Promise<void> {
  await page.evaluate(
    (files) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bin = atob(f.base64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        const file = new File([bytes], f.path.split('/').pop() as string);
        Object.defineProperty(file, 'webkitRelativePath', { value: f.path });
        dt.items.add(file);
      }
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }),
        );
      }
    },
    files.map((f) => ({ path: f.path, base64: Buffer.from(f.bytes).toString('base64') })),
  );
}

// Playwright reads a hook's fixtures from its destructuring pattern: none here.
// eslint-disable-next-line no-empty-pattern
test.beforeEach(({}, testInfo) => {
  test.skip(
    testInfo.project.name !== 'browser',
    'Files made in the page have no path on disk, which Electron drops need',
  );
});

test('model.onnx with labels beside it: folder name, labelled top-5, rename kept across a restart', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const shot = (p: Page, name: string) =>
    p.screenshot({
      path: path.join(artifacts, `${testInfo.project.name}-${name}.png`),
      fullPage: true,
    });
  await page.getByTestId('nav-models').click();
  // A drop error belongs to the Models area: leaving it clears the banner, and so does a later
  // drop that adds a model; it never follows the user to Run.
  const dropError = page.getByTestId('drop-error').filter({ hasText: 'notes.txt' });
  await dropFolder(page, [{ path: 'notes.txt', bytes: Buffer.from('just some words') }]);
  await expect(dropError).toContainText('is not an ONNX model');
  await page.getByTestId('nav-run').click();
  await expect(dropError).toHaveCount(0);
  await page.getByTestId('nav-models').click();
  await dropFolder(page, [{ path: 'notes.txt', bytes: Buffer.from('just some words') }]);
  await expect(dropError).toHaveCount(1);
  await dropFolder(page, [
    { path: 'pet-classifier/model.onnx', bytes: classifier() },
    { path: 'pet-classifier/labels.txt', bytes: Buffer.from(`${LABELS.join('\n')}\n`) },
  ]);
  const detail = page.getByTestId('model-detail');
  await expect(detail.locator('.card-title')).toHaveText('pet-classifier');
  await expect(page.getByTestId('model-labels')).toHaveText('10 from labels.txt beside the model');
  await expect(dropError).toHaveCount(0);

  await detail.getByRole('link', { name: 'Run…' }).click();
  await expect(page.getByTestId('run-model').locator('option:checked')).toHaveText(
    'pet-classifier',
  );
  // A red picture, 64×48: the classifier takes 8×8, so it goes in resized. Its channel means are
  // (1, 0, 0) in [0, 1], which the classifier's weights score highest as class 8, "red fox" (random
  // inputs, means near 0.5, make "zebra" first), so the label shows the picture went in.
  await page.getByTestId('run-picture-file-x').setInputFiles({
    name: 'red.png',
    mimeType: 'image/png',
    buffer: png(64, 48, () => [255, 0, 0]),
  });
  await expect(page.getByTestId('run-pixels-x')).toHaveValue('unit');
  await page.getByTestId('run-execute').click();
  const labels = page.getByTestId('run-topk-label');
  await expect(labels).toHaveCount(5, { timeout: 60_000 });
  await expect(labels.first()).toHaveText('red fox');
  for (const l of await labels.allTextContents()) expect(LABELS).toContain(l);
  await expect(page.getByTestId('run-result-model')).toHaveText('pet-classifier');
  await expect(page.getByTestId('run-fed-caption')).toHaveText('red.png: 8×8 (resized from 64×48)');
  await expect(page.getByTestId('run-fed-pixels')).toHaveText(
    "Pixels [0, 1] (the default: the model's metadata does not say)",
  );
  expect(await canvasPixel(page.getByTestId('run-fed-canvas'), 3, 3)).toEqual([255, 0, 0, 255]);
  await expect(page.getByTestId('drop-error')).toHaveCount(0);
  await expect(page.getByText('is not an ONNX model')).toHaveCount(0);
  await shot(page, 'run-labels-top5');
  // ImageNet mean/std: red becomes (2.25, −2.04, −1.80), which these weights score as "goldfish".
  await page.getByTestId('run-pixels-x').selectOption('imagenet');
  await page.getByTestId('run-execute').click();
  await expect(page.getByTestId('run-fed-pixels')).toHaveText(
    'Pixels ImageNet mean/std (your choice)',
    { timeout: 60_000 },
  );
  await expect(labels.first()).toHaveText('goldfish');

  // Rename: the list, the run result and a second app on the same data folder all say it.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-row').filter({ hasText: 'pet-classifier' }).click();
  await page.getByTestId('rename-model').click();
  await page.getByTestId('rename-input').fill('Pets (10 classes)');
  await page.getByTestId('rename-save').click();
  await expect(detail.locator('.card-title')).toHaveText('Pets (10 classes)');
  await expect(page.getByTestId('model-row').filter({ hasText: 'Pets (10 classes)' })).toHaveCount(
    1,
  );

  const second = await startBrowserHost(app.dataDir);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page2 = await (await browser.newContext()).newPage();
    await page2.goto(second.url);
    await page2.getByTestId('nav-models').click();
    const renamed = page2.getByTestId('model-row').filter({ hasText: 'Pets (10 classes)' });
    await expect(renamed).toHaveCount(1);
    // Selected, so the screenshot shows the kept name in the list and in the detail.
    await renamed.click();
    await expect(page2.getByTestId('model-detail').locator('.card-title')).toHaveText(
      'Pets (10 classes)',
    );
    await renamed.scrollIntoViewIfNeeded();
    await shot(page2, 'rename-after-restart');
  } finally {
    await browser.close();
    second.child.kill('SIGTERM');
  }

  // Leave the shared app's library as the other specs expect it.
  page.once('dialog', (d) => void d.accept());
  await detail.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('model-row').filter({ hasText: 'Pets' })).toHaveCount(0);
});

test('a segmentation model: its class scores and its one-channel map drawn over the picture that went in', async ({
  app,
}, testInfo) => {
  const { page } = app;
  await page.getByTestId('nav-models').click();
  await dropFolder(page, [
    { path: 'tiny-seg/model.onnx', bytes: segmenter() },
    { path: 'tiny-seg/labels.txt', bytes: Buffer.from('background\nfox\ngrass\nsky\nsnow\n') },
  ]);
  const detail = page.getByTestId('model-detail');
  await expect(detail.locator('.card-title')).toHaveText('tiny-seg');
  await detail.getByRole('link', { name: 'Run…' }).click();
  // 48×32: the left half red with a white 8×8 square, the right half green above blue.
  const picture = png(48, 32, (x, y) =>
    x >= 8 && x < 16 && y >= 12 && y < 20
      ? [255, 255, 255]
      : x < 24
        ? [255, 0, 0]
        : y < 16
          ? [0, 255, 0]
          : [0, 0, 255],
  );
  // Dropped on the input's row (the window-wide model drop leaves it alone).
  await page.getByTestId('run-picture-x').evaluate((el, base64) => {
    const bin = atob(base64);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'field.png', { type: 'image/png' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, picture.toString('base64'));
  await expect(page.getByTestId('run-picture-thumb-x')).toBeVisible();
  // Its named sides take the picture's size.
  await expect(page.getByTestId('run-dim-height')).toHaveValue('32');
  await expect(page.getByTestId('run-dim-width')).toHaveValue('48');
  await page.getByTestId('run-execute').click();
  await expect(page.getByTestId('run-fed-caption')).toHaveText('field.png: 48×32', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('run-fed-pixels')).toHaveText(
    "Pixels [0, 1] (the model's metadata_props 'Image.NominalPixelRange' (Normalized_0_1))",
  );
  const overlays = page.getByTestId('run-overlay');
  await expect(overlays).toHaveCount(2, { timeout: 30_000 });
  const classes = page.locator('[data-testid="run-overlay"][data-output="classes"]');
  await expect(classes.getByTestId('run-overlay-class')).toHaveText([
    'fox 46%',
    'grass 25%',
    'sky 25%',
    'snow 4.2%',
  ]);
  // A red pixel under class 1 (fox, Pascal VOC's (128, 0, 0)) at 55%: 255 × 0.45 + 128 × 0.55.
  expect(await canvasPixel(classes.getByTestId('run-overlay-canvas'), 2, 2)).toEqual([
    185, 0, 0, 255,
  ]);
  const redness = page.locator('[data-testid="run-overlay"][data-output="redness"]');
  await expect(redness).toContainText('redness: heat, 0 (clear) to 1 (hot)');
  await expect(page.getByTestId('run-overlay-error')).toHaveCount(0);
  // The area scrolls inside the window: bring the masks into view for the screenshot.
  await page.getByTestId('run-overlays').scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-run-mask-overlay.png`),
  });

  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-row').filter({ hasText: 'tiny-seg' }).click();
  page.once('dialog', (d) => void d.accept());
  await detail.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('model-row').filter({ hasText: 'tiny-seg' })).toHaveCount(0);
});

test('the Run form feeds typed values: a control input picks the branch; Save outputs downloads .npy', async ({
  app,
}, testInfo) => {
  const { page } = app;
  await page.getByTestId('nav-models').click();
  await dropFolder(page, [{ path: 'vad-head/model.onnx', bytes: controlModel() }]);
  const detail = page.getByTestId('model-detail');
  await expect(detail.locator('.card-title')).toHaveText('vad-head');
  await detail.getByRole('link', { name: 'Run…' }).click();
  await page.getByTestId('run-value-x').fill('1, 2, 3, 4');
  const output = page.getByTestId('run-output');
  // Nothing typed for sr: 16000 by its name, the ×2 branch.
  await page.getByTestId('run-execute').click();
  await expect(output).toContainText('2, 4, 6, 8', { timeout: 60_000 });
  await page.getByTestId('run-value-sr').fill('8000');
  await page.getByTestId('run-execute').click();
  await expect(output).toContainText('3, 6, 9, 12', { timeout: 60_000 });
  // Save outputs (.npy): a download per output that parses as .npy with the run's shape and values.
  const downloaded = page.waitForEvent('download');
  await page.getByTestId('run-save-outputs').click();
  const file = await downloaded;
  expect(file.suggestedFilename()).toBe('vad-head-y.npy');
  const npy = await readFile((await file.path()) as string);
  expect([...npy.subarray(0, 6)]).toEqual([0x93, ...Buffer.from('NUMPY')]);
  const headerLength = npy.readUInt16LE(8);
  const header = npy.subarray(10, 10 + headerLength).toString('latin1');
  expect(header).toMatch(/'descr': '<f4'/);
  expect(header).toMatch(/'shape': \(1, 4\)/);
  const data = npy.subarray(10 + headerLength);
  expect(Array.from({ length: 4 }, (_, i) => data.readFloatLE(i * 4))).toEqual([3, 6, 9, 12]);
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-run-control-input.png`),
    fullPage: true,
  });

  // Its compile card, through its states: one line under the chip, never contradicting it.
  await page.getByTestId('nav-compile').click();
  const model = page.getByTestId('compile-model');
  const value = await model.evaluate(
    (el) =>
      Array.from((el as HTMLSelectElement).options).find((o) => o.text.includes('vad-head'))
        ?.value ?? '',
  );
  await model.selectOption(value);
  await page.getByTestId('compile-provider').selectOption('cpu');
  await page.getByTestId('compile-start').click();
  const job = page.getByTestId('compile-job').filter({ hasText: 'vad-head' }).first();
  await expect(job).toBeVisible();
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-compile-card-started.png`),
  });
  for (const text of await job.getByTestId('compile-job-phase').allTextContents()) {
    expect(text).not.toMatch(/\b0 µs|^done$/);
  }
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(job.getByTestId('compile-job-state')).toHaveText('done');
  await expect(job.getByTestId('compile-job-phase')).toHaveText(/^compiled in /);
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-compile-card-done.png`),
  });

  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-row').filter({ hasText: 'vad-head' }).click();
  page.once('dialog', (d) => void d.accept());
  await detail.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('model-row').filter({ hasText: 'vad-head' })).toHaveCount(0);
});

test('a benchmark shows a progress bar of iterations done, and Cancel stops it', async ({
  app,
}, testInfo) => {
  const { page } = app;
  await page.getByRole('link', { name: 'Benchmarks' }).click();
  await page.getByTestId('bench-model').selectOption({ label: 'mlp-tiny' });
  await page.getByTestId('bench-provider').selectOption('cpu');
  await page.getByTestId('bench-mode').selectOption('plain');
  await page.getByTestId('bench-iterations').fill('1000000');
  await page.getByTestId('bench-warmup').fill('10');
  await page.getByTestId('bench-run').click();
  const bar = page.getByTestId('bench-progress-bar');
  await expect(bar).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('bench-progress-text')).toContainText(/of 1,000,000/);
  // Shot once the bar shows a visible share done (a moment after the start it is a sliver).
  await expect
    .poll(
      async () =>
        Number(
          /([\d,]+) of 1,000,000/
            .exec((await page.getByTestId('bench-progress-text').textContent()) ?? '')?.[1]
            ?.replaceAll(',', '') ?? 0,
        ),
      { timeout: 60_000 },
    )
    .toBeGreaterThanOrEqual(100_000);
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-bench-progress.png`),
  });
  await page.getByTestId('bench-cancel').click();
  await expect(page.getByTestId('bench-run')).toHaveText('Run benchmark', { timeout: 30_000 });
  await expect(page.getByTestId('bench-progress')).toHaveCount(0);
  await expect(page.getByTestId('bench-run-error')).toHaveCount(0);
});
