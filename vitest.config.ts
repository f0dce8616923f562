import { defineConfig } from 'vitest/config';

// lmdb is a native module: keep tests in forked processes, never worker threads.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/failOnTimeoutOverflow.ts'],
    // The inspector serves its page from dist/inspector: built once per run, so tests never see a stale page.
    globalSetup: ['test/setup/buildInspectorPage.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
