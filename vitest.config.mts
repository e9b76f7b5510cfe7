import { defineConfig } from 'vitest/config';

// Unit and integration tests live beside the code as *.test.ts. The engine tests load native code
// (koffi, ONNX Runtime), so tests run in forked processes, not worker threads.
export default defineConfig({
  test: {
    include: [
      'src-main/**/*.test.ts',
      'tools/**/*.test.ts',
      'src-renderer/**/*.test.{ts,tsx}',
      'models/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    pool: 'forks',
    globalSetup: ['scripts/vitest-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
