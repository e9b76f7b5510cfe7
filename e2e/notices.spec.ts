// Issue #4, "must show 2": a library file cut short on disk is reported on screen and rebuilt from
// the models still present, not silently emptied. This spec starts its own browser-mode app on a
// data folder prepared before start-up (the fixture's app has already read its library).
import { test as base, type TestInfo } from '@playwright/test';
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { artifacts, CHROMIUM_ARGS, expect, startBrowserHost } from './fixtures/app';

const root = path.resolve(__dirname, '..');

function browserOnly(testInfo: TestInfo): void {
  base.skip(
    testInfo.project.metadata.target !== 'browser',
    'starts a second app on a prepared data folder in browser mode only',
  );
}

base(
  'a library cut short is reported in a banner and rebuilt with the models on disk',
  // Playwright reads a test's fixtures from its destructuring pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  async ({}, testInfo) => {
    browserOnly(testInfo);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crucible-e2e-notices-'));
    // A model of the user's, not a built-in: the small MLP with another producer (another sha256).
    const model = onnx.ModelProto.decode(readFileSync(path.join(root, 'models', 'mlp-tiny.onnx')));
    model.producerName = 'e2e-notices';
    const userModel = path.join(dataDir, 'mine', 'my-classifier.onnx');
    mkdirSync(path.dirname(userModel), { recursive: true });
    writeFileSync(userModel, onnx.ModelProto.encode(model).finish());
    // The library file as a crash would leave it: cut off in the middle of an entry.
    mkdirSync(path.join(dataDir, 'library'), { recursive: true });
    writeFileSync(
      path.join(dataDir, 'library', 'library.json'),
      `{"version":1,"models":[{"id":"0000","name":"my-classifier","path":${JSON.stringify(userModel)},"sizeBytes":12`,
    );

    const { child, url } = await startBrowserHost(dataDir);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await (
        await browser.newContext({ viewport: { width: 1280, height: 800 } })
      ).newPage();
      await page.goto(url);
      const banner = page
        .getByTestId('app-notice')
        .filter({ hasText: 'model library was damaged' });
      await expect(banner).toBeVisible();
      await expect(banner).toHaveAttribute('data-level', 'warning');
      await expect(banner).toContainText('1 of your model(s) found again on disk');
      await page.goto(`${new URL(url).origin}/#/models`);
      await expect(page.getByText('my-classifier').first()).toBeVisible();
      await page.screenshot({ path: path.join(artifacts, 'notice-library-rebuilt.png') });

      // The damaged file is kept aside, never deleted.
      const kept = readdirSync(path.join(dataDir, 'library')).filter((f) => f.includes('corrupt'));
      expect(kept).toHaveLength(1);
      await expect(banner).toContainText(kept[0] as string);

      await banner.getByRole('button', { name: 'Dismiss' }).click();
      await expect(page.getByTestId('app-notice')).toHaveCount(0);
    } finally {
      await browser.close();
      child.kill('SIGTERM');
    }
  },
);
