import path from 'node:path';
import { artifacts, expect, test } from './fixtures/app';

const AREAS = [
  ['nav-gpu', 'area-gpu'],
  ['nav-models', 'area-models'],
  ['nav-compile', 'area-compile'],
  ['nav-run', 'area-run'],
  ['nav-bench', 'area-bench'],
] as const;

test('loads the app and walks the five areas', async ({ app }, testInfo) => {
  const { page } = app;
  for (const [nav, area] of AREAS) {
    await page.getByTestId(nav).click();
    await expect(page.getByTestId(area)).toBeVisible();
    await page.screenshot({ path: path.join(artifacts, `${testInfo.project.name}-${area}.png`) });
  }
});

test('shows the no-GPU state with its reason on a machine without an NVIDIA GPU', async ({
  app,
}, testInfo) => {
  test.skip(!!process.env.CRUCIBLE_EXPECT_GPU, 'this machine has an NVIDIA GPU');
  const { page } = app;
  await page.getByTestId('nav-gpu').click();
  const none = page.getByTestId('gpu-none');
  await expect(none).toBeVisible();
  await expect(none).toContainText('No NVIDIA GPU found');
  await page.screenshot({
    path: path.join(artifacts, `${testInfo.project.name}-gpu-none.png`),
    fullPage: true,
  });
});

test('the engine reports ONNX Runtime and the CPU provider', async ({ app }) => {
  const { page } = app;
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });
  await expect(page.getByTestId('engine-state')).toContainText('1.30');
});
