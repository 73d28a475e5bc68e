import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // test/stack/: the whole `npm start` stack, killed and restarted (npm run test:stack);
    // test/cluster/: a three-broker cluster of its own (npm run test:cluster).
    exclude: ['node_modules/**', '.data/**', '.cache/**', 'test/stack/**', 'test/cluster/**'],
    globalSetup: ['test/helpers/global-kafka.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites share one broker but use their own topics, groups and DuckDB files.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
