// Issue #7 in browser mode: run a benchmark from the Benchmarks area on the real engine host,
// see the results table and the charts, see graph mode not offered for CPU, and export the history as
// CSV (a real download). Issue #15: the verdict beside every result, the per-operator profile,
// and two results compared (bench-compare.png).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { artifacts, expect, test } from './fixtures/app';

test('runs a benchmark from the UI, shows table and charts, exports CSV', async ({ app }) => {
  const { page } = app;
  await page.getByRole('link', { name: 'Benchmarks' }).click();
  await expect(page.getByTestId('area-bench')).toBeVisible();

  await page.getByTestId('bench-model').selectOption({ label: 'mlp-tiny' });
  await page.getByTestId('bench-provider').selectOption('cpu');
  await page.getByTestId('bench-mode').selectOption('plain');
  await page.getByTestId('bench-iterations').fill('300');
  await page.getByTestId('bench-warmup').fill('20');
  await page.getByTestId('bench-profile').check();
  await page.getByTestId('bench-run').click();
  await expect(page.getByTestId('bench-run')).toHaveText('Run benchmark', { timeout: 60_000 });
  // Every result carries its verdict; the chosen one lists the reasons, and its profile.
  await expect(page.getByTestId('bench-verdict')).toContainText(/valid|noisy|throttled/);
  await expect(page.getByTestId('bench-verdict')).toContainText(
    'GPU energy not attributed: the run used the CPU provider',
  );
  await expect(page.getByTestId('bench-profile-chart').locator('li').first()).toContainText('Gemm');
  await expect(page.getByTestId('bench-tflops')).toContainText(
    'no GPU peak: not a GPU-provider run',
  );
  await page.getByTestId('bench-profile').uncheck();

  const table = page.getByTestId('bench-table');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  const row = table.locator('tbody tr').first();
  await expect(row).toContainText('mlp-tiny');
  await expect(row).toContainText('ok');
  await expect(row).toContainText('/s');
  await expect(page.getByTestId('bench-distribution').locator('li').first()).toBeVisible();
  await expect(page.getByTestId('bench-providers').locator('li')).toHaveCount(1);

  // A second mode on the same model and provider: the mode-vs-mode chart compares both.
  await page.getByTestId('bench-mode').selectOption('iobinding');
  await page.getByTestId('bench-run').click();
  await expect(table.locator('tbody tr')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('bench-modes').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('bench-history-chart')).toBeVisible();

  // The CPU cannot capture graphs: graph mode is not offered for it at all (issue #13).
  const modeValues = () =>
    page
      .getByTestId('bench-mode')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(await modeValues()).toEqual(['plain', 'iobinding']);
  await expect(row.getByTestId('bench-row-provider')).toHaveText(/^CPU( · compiled)?$/);

  // Two results compared: plain (A) against IO binding (B), the difference and its interval.
  const picks = page.getByTestId('bench-compare-pick');
  await expect(table.getByTestId('bench-verdict-chip')).toHaveCount(2);
  await picks.nth(1).check();
  await picks.nth(0).check();
  const compare = page.getByTestId('bench-compare');
  await expect(compare).toContainText('A: mlp-tiny · CPU · plain');
  await expect(compare).toContainText('B: mlp-tiny · CPU · iobinding');
  await expect(page.getByTestId('bench-compare-diff')).toContainText(
    /B − A: [+-]?[\d.]+ [µm]s \([+-]?[\d.]+%\), 95% interval -?[\d.]+ [µm]s to -?[\d.]+ [µm]s \(bootstrap of medians, 2000 resamples\)/,
  );
  await expect(page.getByTestId('bench-compare-noise')).toHaveText(
    /^(within noise|B faster beyond noise|B slower beyond noise)$/,
  );
  await compare.scrollIntoViewIfNeeded();
  await compare.screenshot({ path: path.join(artifacts, 'bench-compare.png') });

  // Back to a successful result for the screenshot.
  await table.locator('tbody tr').nth(1).click();
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.locator('.area-host').evaluate((e) => e.scrollTo(0, 0));
  await page.screenshot({ path: path.join(artifacts, 'bench.png') });
  await page.setViewportSize({ width: 1280, height: 800 });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('bench-export-csv').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^crucible-benchmarks-.*\.csv$/);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^id,at,model,modelId,provider,mode,status,/);
  expect(lines).toHaveLength(3);
  expect(lines.filter((l) => l.includes(',mlp-tiny,'))).toHaveLength(2);
  expect(lines.some((l) => l.includes(',graph,'))).toBe(false);
});
