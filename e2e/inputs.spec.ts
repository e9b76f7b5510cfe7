// Issue #13 item 1 in browser mode: the same inputs editor in the Run, Bench and Compile forms.
// The test writes a .npy file and a .txt of token ids, types their paths for a model's inputs
// (browser mode has no file paths: the host on this machine reads them), and checks what was fed:
// the Run area's output is the file's values doubled, the benchmark and the compile job record
// both files, and a missing file is reported beside its input. bench-inputs-editor.png shows the
// Bench form with the editor, bench-inputs-fed.png the benchmark's record.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type { Page } from '@playwright/test';
import { artifacts, expect, test } from './fixtures/app';

/**
 * y = x + x for x float32 [1, ?] (an unnamed dim, sized by the file), and ids_out = ids for ids
 * int64 [1, seq] (a named dim, sized by the token file).
 */
function doubler(): Uint8Array {
  const info = (name: string, elemType: number, dims: (number | string | null)[]) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) =>
            typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d },
          ),
        },
      },
    },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'e2e-inputs',
    graph: {
      name: 'doubler',
      node: [
        { opType: 'Add', input: ['x', 'x'], output: ['y'] },
        { opType: 'Identity', input: ['ids'], output: ['ids_out'] },
      ],
      input: [info('x', 1, [1, null]), info('ids', 7, [1, 'seq'])],
      output: [info('y', 1, [1, null]), info('ids_out', 7, [1, 'seq'])],
    },
  }).finish();
}

/** A NumPy .npy (format 1.0) of float32 values, little-endian, C order. */
function npyFloat32(shape: number[], values: number[]): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // The header (magic, version, length, dict, padding, newline) is a multiple of 64 bytes.
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

async function addModel(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.getByTestId('nav-models').click();
  await page
    .getByTestId('add-model-input')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await expect(page.getByTestId('model-detail')).toContainText(name.replace(/\.onnx$/, ''));
}

test('files typed for inputs feed Run, Bench and Compile; what was fed is shown; a bad path is named by its input', async ({
  app,
}) => {
  const { page } = app;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crucible-e2e-inputs-'));
  const xFile = path.join(dir, 'x.npy');
  const idsFile = path.join(dir, 'ids.txt');
  writeFileSync(xFile, npyFloat32([1, 4], [1.5, -2, 3.25, 10]));
  writeFileSync(idsFile, '101 2023 2003 102\n');
  const missing = path.join(dir, 'nowhere.npy');
  await addModel(page, 'doubler.onnx', doubler());

  // Run: both inputs from files, typed.
  await page.getByTestId('nav-run').click();
  await page.getByTestId('run-model').selectOption({ label: 'doubler' });
  await page.getByTestId('run-provider').selectOption('cpu');
  await page.getByTestId('run-source-x').selectOption('file');
  await expect(page.getByTestId('run-path-note')).toContainText('type the file');
  await page.getByTestId('run-file-x').fill(xFile);
  await page.getByTestId('run-source-ids').selectOption('file');
  await page.getByTestId('run-file-ids').fill(idsFile);
  // A named dim typed so that four token ids cannot fill it: said beside ids.
  await page.getByTestId('run-dim-seq').fill('3');
  await page.getByTestId('run-check').click();
  await expect(page.getByTestId('run-error-ids')).toContainText("4 values do not fit input 'ids'");
  // Left empty, the Run form's named dims follow the inputs (else 1): seq is the file's 4 ids.
  await page.getByTestId('run-dim-seq').fill('');
  // Before running: what it will feed, each dim not fixed by the model with its reason.
  await page.getByTestId('run-check').click();
  const checked = page.getByTestId('run-checked');
  await expect(checked.getByTestId('run-checked-x')).toContainText('[1, 4]');
  await expect(checked.getByTestId('run-checked-x')).toContainText('x.npy');
  await expect(checked.getByTestId('run-checked-ids')).toContainText('int64 [1, 4]');
  await expect(checked.getByTestId('run-checked-dims')).toContainText('ids[1] seq = 4');
  await page.getByTestId('run-execute').click();
  // y is the file's values doubled; ids_out the token ids as written.
  const outputs = page.getByTestId('run-output');
  await expect(outputs).toHaveCount(2, { timeout: 60_000 });
  await expect(outputs.filter({ hasText: 'ids_out' })).toContainText('101, 2023, 2003, 102');
  // The result says the dims its session was opened with: seq from the token file.
  await expect(page.getByTestId('run-dims-ran')).toHaveText('seq=4');
  await expect(outputs.filter({ hasNotText: 'ids_out' })).toContainText('3, -4, 6.5, 20');
  await expect(page.getByTestId('run-fed-record-x')).toContainText(xFile);
  await expect(page.getByTestId('run-fed-record-ids')).toContainText('ids.txt');
  await expect(page.getByTestId('run-fed-record-replay')).toContainText(`--input x=${xFile}`);

  // A path that is not there: the main side's message, naming the file, beside input x.
  await page.getByTestId('run-file-x').fill(missing);
  await page.getByTestId('run-execute').click();
  await expect(page.getByTestId('run-error-x')).toContainText('nowhere.npy', { timeout: 30_000 });
  await expect(page.getByTestId('run-error-by-input')).toContainText('"x"');
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await page.screenshot({ path: path.join(artifacts, 'run-inputs-error.png') });

  // Bench: the same editor, the same files; the result records what was fed.
  await page.getByTestId('nav-bench').click();
  await page.getByTestId('bench-model').selectOption({ label: 'doubler' });
  await page.getByTestId('bench-provider').selectOption('cpu');
  await page.getByTestId('bench-iterations').fill('20');
  await page.getByTestId('bench-warmup').fill('2');
  await page.getByTestId('bench-inputs-source-x').selectOption('file');
  await page.getByTestId('bench-inputs-file-x').fill(missing);
  await page.getByTestId('bench-inputs-source-ids').selectOption('file');
  await page.getByTestId('bench-inputs-file-ids').fill(idsFile);
  await page.getByTestId('bench-run').click();
  await expect(page.getByTestId('bench-inputs-error-x')).toContainText('nowhere.npy', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('bench-run-error')).toHaveCount(0);
  await page.getByTestId('bench-inputs-file-x').fill(xFile);
  await page.getByTestId('bench-inputs-check').click();
  await expect(page.getByTestId('bench-inputs-checked-x')).toContainText('[1, 4]');
  // Bench leaves the named dim empty: the token file sizes it, and the check says so.
  await expect(page.getByTestId('bench-inputs-checked-dims')).toContainText('seq = 4');
  await expect(page.getByTestId('bench-inputs-error-x')).toHaveCount(0);
  await page.getByTestId('bench-run').click();
  await expect(page.getByTestId('bench-run')).toHaveText('Run benchmark', { timeout: 60_000 });
  const fed = page.getByTestId('bench-fed');
  await expect(fed.getByTestId('bench-fed-x')).toContainText(xFile);
  await expect(fed.getByTestId('bench-fed-x')).toContainText('float32 [1, 4]');
  await expect(fed.getByTestId('bench-fed-ids')).toContainText('ids.txt');
  await expect(page.getByTestId('bench-table').locator('tbody tr').first()).toContainText('ok');
  await expect(fed.getByTestId('bench-fed-replay')).toContainText(`crucible bench `);
  await expect(fed.getByTestId('bench-fed-replay')).toContainText(`--input x=${xFile}`);
  // Compile: the same editor for the warm-up run, folded away; the job records what it fed.
  await page.getByTestId('nav-compile').click();
  await page.getByTestId('compile-model').selectOption({ label: 'doubler' });
  await page.getByTestId('compile-provider').selectOption('cpu');
  await page.getByTestId('compile-inputs-details').locator('summary').click();
  await page.getByTestId('compile-inputs-source-x').selectOption('file');
  await page.getByTestId('compile-inputs-file-x').fill(xFile);
  await page.getByTestId('compile-inputs-source-ids').selectOption('file');
  await page.getByTestId('compile-inputs-file-ids').fill(idsFile);
  await page.getByTestId('compile-start').click();
  const job = page.getByTestId('compile-job').filter({ hasText: 'doubler' }).first();
  await expect(job.getByTestId('compile-job-fed-x')).toContainText(xFile, { timeout: 30_000 });
  await expect(job.getByTestId('compile-job-fed-ids')).toContainText('int64 [1, 4]');
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

  await page.getByTestId('nav-bench').click();
  // The form with the editor, and the record of the run beside the chart (a tall window: the
  // whole form in one picture).
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page
    .locator('.card', { has: page.getByTestId('bench-run') })
    .screenshot({ path: path.join(artifacts, 'bench-inputs-editor.png') });
  await fed.screenshot({ path: path.join(artifacts, 'bench-inputs-fed.png') });

  // The app is shared with the specs after this one: take the model out again, as a user would.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('nav-models').click();
  const rows = page.getByTestId('model-row');
  const before = await rows.count();
  await rows.filter({ hasText: 'doubler' }).click();
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('model-detail').getByRole('button', { name: 'Remove' }).click();
  await expect(rows).toHaveCount(before - 1);
  await expect(rows.filter({ hasText: 'doubler' })).toHaveCount(0);
});
