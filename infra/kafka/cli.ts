/** `npm run kafka -- [dataDir]`: run the local broker in the foreground until Ctrl-C. */
import { join } from 'node:path';
import { startLocalKafka } from './local-kafka.js';

const dataDir = process.argv[2] ?? join(process.env.DATA_DIR ?? '.data', 'kafka');
const port = Number(process.env.KAFKA_PORT ?? 9092);
const kafka = await startLocalKafka({ dataDir, port, onProgress: (m) => console.log(m) });
console.log(`Kafka ready at ${kafka.brokers.join(',')} (log: ${kafka.logFile}); Ctrl-C stops it.`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void kafka.stop().then(() => process.exit(0));
  });
}
