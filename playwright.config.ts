import { defineConfig } from '@playwright/test';

// e2e runs the real app: browser mode (the real host and services, Debian's Chromium through
// playwright-core) always; Electron through Playwright's Electron support when its binary exists.
// Which one is picked per spec by e2e/fixtures/app.ts; both projects run the same specs.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  projects: [
    { name: 'browser', metadata: { target: 'browser' } },
    { name: 'electron', metadata: { target: 'electron' } },
  ],
});
