import { defineConfig } from 'vitest/config';

/**
 * `npm run test:stack`: the real `npm start` (supervisor, local broker, app) in its own folders and
 * ports, SIGKILLed and restarted. One file at a time: each runs a broker and CPU-heavy phases.
 */
export default defineConfig({
  test: {
    include: ['test/stack/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
