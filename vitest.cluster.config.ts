import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: a three-broker Kafka cluster of its own, brokers killed and restarted
 * under load. Alone (three JVMs on a small machine), so it is not part of `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 1_200_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
