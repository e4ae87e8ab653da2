import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real-server tests start PostgreSQL; give them room, and keep files serial per worker.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Most of a real-server test is waiting on PostgreSQL, not CPU: overlap four files on 2 cores.
    poolOptions: { forks: { maxForks: 4, minForks: 1 } },
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/accelerator-setup.ts'],
  },
});
