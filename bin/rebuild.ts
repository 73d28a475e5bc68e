/**
 * `npm run rebuild`: replays the submissions topic into a new warehouse file and swaps it in.
 * Run it with the server stopped (DuckDB allows one process per file); the old file is kept.
 */
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type LocalKafka, startLocalKafka } from '../infra/kafka/index.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { rebuildWarehouse } from './rebuild-warehouse.js';

const config = loadConfig();
const logger = createLogger(config.dataDir, config.LOG_LEVEL);
let kafka: LocalKafka | undefined;
try {
  let brokers = config.KAFKA_BROKERS;
  if (!brokers) {
    kafka = await startLocalKafka({ dataDir: join(config.dataDir, 'kafka'), port: config.KAFKA_PORT });
    brokers = kafka.brokers;
  }
  const bar = new SingleBar({
    format: ' rebuild [{bar}] {percentage}% | {value}/{total} records',
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  let started = false;
  const result = await rebuildWarehouse({
    currentPath: join(config.dataDir, 'warehouse.duckdb'),
    memoryLimit: config.DUCKDB_MEMORY_LIMIT,
    brokers,
    topics: { submissions: config.KAFKA_TOPIC_SUBMISSIONS, deadLetters: config.KAFKA_TOPIC_DEAD_LETTERS },
    logger,
    onProgress: (done, total) => {
      if (!started) bar.start(Number(total), 0);
      started = true;
      bar.update(Number(done));
    },
  });
  bar.stop();
  process.stdout.write(`Rebuilt ${result.path}; the previous file is kept as ${result.backup}.\n`);
} catch (error) {
  process.stderr.write(`Rebuild failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await kafka?.stop();
  logger.flush();
}
