/**
 * `npx tsx bench/profile-load.ts` (with `node --cpu-prof --import tsx` to profile): the load path
 * alone, on the demo data. Registers the demo helplines in a warehouse, produces every demo
 * helpline-month straight to a topic, then replays the topic into a new warehouse (the rebuild:
 * consume, validate, load), and prints where the time went. No HTTP, so the profile shows the
 * consumer and DuckDB only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { rebuildWarehouse } from '../bin/rebuild-warehouse.js';
import { demoHelplines, demoSubmission, FIRST_DEMO_PERIOD, lastFullMonth, monthsBetween } from '../demo/index.js';
import { submissionKey, submissionMessage } from '../domain/index.js';
import { createKafkaBus, freePort, startLocalKafka } from '../infra/kafka/index.js';
import { openWarehouse } from '../warehouse/index.js';

const work = mkdtempSync(join(tmpdir(), 'helpline-profile-'));
const say = (line: string) => process.stdout.write(`${line}\n`);
const kafka = await startLocalKafka({ dataDir: join(work, 'kafka'), port: await freePort() });
try {
  const path = join(work, 'warehouse.duckdb');
  const warehouse = await openWarehouse(path);
  const helplines = demoHelplines();
  for (const h of helplines) await warehouse.registry.addHelpline(h, new Date());
  warehouse.close();
  const topics = { submissions: 'profile.submissions', deadLetters: 'profile.dlq' };
  const bus = createKafkaBus({ brokers: kafka.brokers, clientId: 'profile', logger: pino({ level: 'silent' }) });
  await bus.ensureTopics(topics);
  const producer = await bus.producer();
  const months = monthsBetween(FIRST_DEMO_PERIOD, lastFullMonth(new Date()));
  let records = 0;
  let cells = 0;
  const submittedAt = new Date().toISOString();
  for (const h of helplines) {
    const messages = months.flatMap((period) => {
      const body = demoSubmission(h, period);
      if (!body) return [];
      records++;
      cells += body.cells.length;
      const m = submissionMessage(h.id, body, submittedAt);
      return [{ key: submissionKey(h.id, period), value: JSON.stringify(m), headers: { schema: m.schema } }];
    });
    await producer.send(topics.submissions, messages);
  }
  await producer.disconnect();
  say(`produced ${records} records, ${cells} cells`);
  const t0 = performance.now();
  await rebuildWarehouse({
    currentPath: path,
    brokers: kafka.brokers,
    topics,
    logger: pino({ level: process.env.PROFILE_LOG ?? 'silent' }),
    swap: false,
  });
  const seconds = (performance.now() - t0) / 1000;
  say(`loaded in ${seconds.toFixed(1)} s: ${Math.round(cells / seconds)} cells/s`);
} finally {
  await kafka.stop();
  rmSync(work, { recursive: true, force: true });
}
