/**
 * `npm run kafka -- [dataDir] [--brokers N]`: run the local broker — or a cluster of N nodes on free
 * ports — in the foreground until Ctrl-C.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalKafkaCluster } from './local-cluster.js';
import { startLocalKafka } from './local-kafka.js';

const { values, positionals } = parseArgs({
  options: { brokers: { type: 'string', default: '1' } },
  allowPositionals: true,
});
const size = Number(values.brokers);
if (!Number.isInteger(size) || size < 1 || size > 9) {
  console.error(`--brokers takes a whole number from 1 to 9, not "${values.brokers}".`);
  process.exit(2);
}
const dataDir = positionals[0] ?? join(process.env.DATA_DIR ?? '.data', size === 1 ? 'kafka' : `kafka-cluster-${size}`);
const progress = (m: string) => console.log(m);
const kafka =
  size === 1
    ? await startLocalKafka({ dataDir, port: Number(process.env.KAFKA_PORT ?? 9092), onProgress: progress })
    : await startLocalKafkaCluster({ dataDir, size, onProgress: progress });
console.log(
  `Kafka ready at ${kafka.brokers.join(',')} (${'logFile' in kafka ? `log: ${kafka.logFile}` : `${size} nodes, logs: ${dataDir}/node-*/server.log`}); ` +
    `set KAFKA_BROKERS=${kafka.brokers.join(',')}. Ctrl-C stops it.`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void kafka.stop().then(() => process.exit(0));
  });
}
