// The compile pipeline end to end on the real app (browser mode: real host, services, engine host
// and compile workers; CPU here): run a demo model, compile it in the Compile area, watch the job
// reach done, run again and see the switch-over message with both measured times.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type { Locator, Page } from '@playwright/test';
import { artifacts, expect, test } from './fixtures/app';

/** Picks the option whose text contains `name` in a select. */
async function pick(select: Locator, name: string): Promise<void> {
  const value = await select.evaluate(
    (el, n) =>
      Array.from((el as HTMLSelectElement).options).find((o) => o.text.includes(n))?.value ?? null,
    name,
  );
  expect(value, `${name} among the options`).not.toBeNull();
  await select.selectOption(value as string);
}

async function runOnce(page: Page, model = 'mlp-tiny'): Promise<void> {
  await page.getByTestId('nav-run').click();
  await pick(page.getByTestId('run-model'), model);
  await page.getByTestId('run-provider').selectOption('cpu');
  await page.getByTestId('run-execute').click();
  await expect(page.getByTestId('run-timing')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('run-outcome')).toHaveAttribute('aria-busy', 'false');
}

test('pick a demo model, compile it, watch it finish, see the switch-over', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const shot = (name: string) =>
    page.screenshot({
      path: path.join(artifacts, `${testInfo.project.name}-compile-${name}.png`),
      fullPage: true,
    });
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });

  // The model runs at once (not compiled yet): the Run area says the original ran.
  await runOnce(page);
  await expect(page.getByTestId('run-variant')).toHaveText('original');

  await page.getByTestId('nav-compile').click();
  await pick(page.getByTestId('compile-model'), 'mlp-tiny');
  await page.getByTestId('compile-provider').selectOption('cpu');
  await page.getByTestId('compile-start').click();
  const job = page.getByTestId('compile-job').first();
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  // The chip says done; the line under it how long it took (not "done" again).
  await expect(job.getByTestId('compile-job-state')).toHaveText('done');
  await expect(job.getByTestId('compile-job-phase')).toHaveText(/^compiled in /);
  const entry = page.getByTestId('cache-entry').first();
  await expect(entry).toHaveAttribute('data-state', 'valid');
  await shot('done');

  // The next run moves to the compiled session and says so, with both measured times.
  await runOnce(page);
  await expect(page.getByTestId('run-provider-ran')).toHaveText('CPU');
  await expect(page.getByTestId('run-variant')).toHaveText('compiled (compile cache)');
  await shot('run-compiled');
  await page.getByTestId('nav-compile').click();
  await expect(page.getByTestId('switch-over').first()).toContainText(
    /was [\d.]+ ms on CPU, now [\d.]+ ms on CPU \(compiled\)/,
  );
  await shot('switched');

  // The model list shows the chip.
  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('compile-status-chip').first()).toContainText('CPU ready');
  await shot('chips');
});

/**
 * Drops one file onto the window's body with a real DataTransfer, the File built in the page
 * from the given bytes (as e2e/models.spec.ts does).
 */
async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    ({ name, base64 }) => {
      const bin = atob(base64);
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([data], name));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }),
        );
      }
    },
    { name, base64: Buffer.from(bytes).toString('base64') },
  );
}

test('drop a model: it runs at once, compiles in the background, and the next run switches over', async ({
  app,
}, testInfo) => {
  test.skip(
    testInfo.project.name !== 'browser',
    'Files made in the page have no path on disk, which Electron drops need',
  );
  const { page } = app;
  const shot = (name: string) =>
    page.screenshot({
      path: path.join(artifacts, `${testInfo.project.name}-compile-auto-${name}.png`),
      fullPage: true,
    });
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });
  // The setting is on by default.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('auto-compile')).toBeChecked();

  // The demo transformer block under another graph name: new bytes, so a new model rather than
  // the built-in (one per repetition: the app is shared by the tests of a worker).
  const model = onnx.ModelProto.decode(
    readFileSync(path.resolve(__dirname, '..', 'models', 'transformer-block.onnx')),
  );
  if (model.graph)
    model.graph.name = `e2e-auto-compile-${testInfo.repeatEachIndex}-${testInfo.retry}`;
  await page.getByTestId('nav-models').click();
  const rows = page.getByTestId('model-row');
  await expect(rows.first()).toBeVisible();
  const before = await rows.count();
  // On this CPU a compile of the small model can finish before the test has run it once, and a
  // model that never ran has nothing to switch from. The queue compiles one model at a time: a
  // long chain dropped first keeps the worker busy while the model is run once.
  await dropFile(page, 'long-chain.onnx', reluChain(10_000, testInfo.repeatEachIndex));
  await expect(page.getByTestId('model-detail')).toContainText('long-chain', { timeout: 30_000 });
  await dropFile(page, 'transformer-dropped.onnx', onnx.ModelProto.encode(model).finish());
  await expect(page.getByTestId('model-detail')).toContainText('transformer-dropped', {
    timeout: 30_000,
  });

  // It runs at once, on the original model.
  await runOnce(page, 'transformer-dropped');

  // Nobody pressed Compile: the job was queued when the model was added.
  await page.getByTestId('nav-compile').click();
  const job = page.getByTestId('compile-job').filter({ hasText: 'transformer-dropped' });
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  // The chip says done; the line under it how long it took (not "done" again).
  await expect(job.getByTestId('compile-job-state')).toHaveText('done');
  await expect(job.getByTestId('compile-job-phase')).toHaveText(/^compiled in /);
  await shot('done');

  await runOnce(page, 'transformer-dropped');
  await page.getByTestId('nav-compile').click();
  await expect(
    page.getByTestId('switch-over').filter({ hasText: 'transformer-dropped' }),
  ).toContainText(/was [\d.]+ ms on CPU, now [\d.]+ ms on CPU \(compiled\)/);
  await shot('switched');

  // The app is shared by the worker's tests (e2e/models.spec.ts counts the library): leave it as
  // it was found.
  await page.getByTestId('nav-models').click();
  for (const name of ['transformer-dropped', 'long-chain']) {
    await rows.filter({ hasText: name }).click();
    await expect(page.getByTestId('model-detail')).toContainText(name);
    // Remove asks first, saying what goes (the entry, the uploaded copy, its cache entries).
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('model-detail').getByRole('button', { name: 'Remove' }).click();
    await expect(rows.filter({ hasText: name })).toHaveCount(0);
  }
  await expect(rows).toHaveCount(before);

  // The setting can be turned off, and stays off; it is turned on again for the tests after.
  await page.getByTestId('nav-settings').click();
  const auto = page.getByTestId('auto-compile');
  // Controlled by what the main side saved: the box follows once settings:set answers.
  await auto.click();
  await expect(auto).not.toBeChecked();
  await expect(auto).toBeEnabled();
  await page.reload();
  await page.getByTestId('nav-settings').click();
  await expect(auto).not.toBeChecked();
  await auto.click();
  await expect(auto).toBeChecked();
  await expect(auto).toBeEnabled();
});

/** y = relu(relu(…relu(x))), `n` nodes: a model whose sessions take a while to create. */
function reluChain(n: number, tag: number): Uint8Array {
  const info = (name: string) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 64 }] } } },
  });
  const node = Array.from({ length: n }, (_, i) => ({
    name: `relu${i}`,
    opType: 'Relu',
    input: [i === 0 ? 'x' : `t${i}`],
    output: [i === n - 1 ? 'y' : `t${i + 1}`],
  }));
  const model = onnx.ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: `e2e-long-chain-${tag}`, node, input: [info('x')], output: [info('y')] },
  });
  return onnx.ModelProto.encode(model).finish();
}
