// The compile pipeline end to end on the real app (browser mode: real host, services, engine host
// and compile workers; CPU here): run a demo model, compile it in the Compile area, watch the job
// reach done, run again and see the switch-over message with both measured times.
import path from 'node:path';
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

async function runOnce(page: Page): Promise<void> {
  await page.getByTestId('nav-run').click();
  await pick(page.getByTestId('run-model'), 'mlp-tiny');
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

  // The model runs at once (not compiled yet).
  await runOnce(page);

  await page.getByTestId('nav-compile').click();
  await pick(page.getByTestId('compile-model'), 'mlp-tiny');
  await page.getByTestId('compile-provider').selectOption('cpu');
  await page.getByTestId('compile-start').click();
  const job = page.getByTestId('compile-job').first();
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(job.getByTestId('compile-job-phase')).toHaveText('done');
  await expect(job).toContainText(/elapsed/);
  const entry = page.getByTestId('cache-entry').first();
  await expect(entry).toHaveAttribute('data-state', 'valid');
  await shot('done');

  // The next run moves to the compiled session and says so, with both measured times.
  await runOnce(page);
  await expect(page.getByTestId('run-timing')).toContainText('cpu');
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
