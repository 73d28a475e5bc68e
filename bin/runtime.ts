/**
 * The one process around the warehouse (DuckDB allows one process per file):
 *
 *   1. open the warehouse file (refuses if another process holds it)
 *   2. Kafka: topics, idempotent producer, consumer group → transform → warehouse
 *   3. HTTP: api + dashboards on one Express app
 *
 * `stop()` undoes it in reverse: stop taking requests, finish the batch, close Kafka, close DuckDB.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { answerFromRelease, createApi } from '../api/index.js';
import { createDashboardRouter } from '../dashboards/index.js';
import { DEFAULT_TOPICS, type Topics } from '../domain/index.js';
import { createKafkaBus } from '../infra/kafka/index.js';
import { createTransformer } from '../transform/index.js';
import { openWarehouse, type Warehouse } from '../warehouse/index.js';

const CODE_VERSION = `helpline-analytics ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}`;

export interface RuntimeOptions {
  readonly warehousePath: string;
  readonly brokers: readonly string[];
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  readonly topics?: Topics;
  readonly groupId?: string;
  readonly sessionTimeoutMs?: number;
  readonly rateLimitPerMinute?: number;
  readonly adminKey?: string;
  readonly clock?: () => Date;
}

export interface Runtime {
  readonly url: string;
  readonly warehouse: Warehouse;
  readonly topics: Topics;
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const topics = options.topics ?? DEFAULT_TOPICS;

  // 1.
  const warehouse = await openWarehouse(options.warehousePath);
  if (options.adminKey) await warehouse.registry.ensureAdminKey(options.adminKey, clock());

  // 2.
  const bus = createKafkaBus({ brokers: options.brokers, clientId: 'helpline-analytics', logger });
  await bus.ensureTopics(topics);
  const producer = await bus.producer();
  const newTransformer = () =>
    createTransformer({
      consumer: bus.consumer(options.groupId ?? 'helpline-warehouse', {
        sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      }),
      producer,
      target: warehouse.loadTarget,
      topics,
      logger: logger.child({ stage: 'transform' }),
      clock,
    });
  // A topic created a moment ago may not be served by its leader yet: retry the consumer's start.
  let transformer = newTransformer();
  for (let attempt = 1; ; attempt++) {
    try {
      await transformer.start();
      break;
    } catch (error) {
      await transformer.stop().catch(() => {});
      if (attempt >= 10) throw error;
      logger.warn({ err: error, attempt }, 'consumer start failed; retrying');
      await new Promise((r) => setTimeout(r, 1000));
      transformer = newTransformer();
    }
  }

  // 3.
  const dashboards = createDashboardRouter({
    // Charts are public: they read releases only, never the live warehouse.
    trends: (q) => answerFromRelease(warehouse.releases.reader, q),
    latestRelease: () => warehouse.releases.reader.latestId(),
    helplines: () => warehouse.registry.listHelplines(),
  });
  const app = createApi({
    logger: logger.child({ stage: 'api' }),
    authenticate: (key) => warehouse.registry.authenticate(key, clock()),
    submissions: {
      producer,
      topics,
      store: warehouse.submissions,
      mappings: (id) => warehouse.registry.getMappings(id),
      clock,
      logger: logger.child({ stage: 'ingest' }),
    },
    trends: warehouse.trends,
    releases: warehouse.releases,
    codeVersion: CODE_VERSION,
    completeness: (year, deadlineDay, now) => warehouse.completeness(year, deadlineDay, now),
    ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    registry: warehouse.registry,
    clock,
    ready: async () => ({
      kafka: await bus.ping(),
      duckdb: await warehouse.factCount().then(
        () => true,
        () => false,
      ),
    }),
    routers: [dashboards],
  });
  const server: Server = await new Promise((ok, fail) => {
    const s = app.listen(options.port, options.host ?? '127.0.0.1', () => ok(s));
    s.once('error', fail);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address === '::' ? 'localhost' : address.address}:${address.port}`;
  logger.info({ url }, 'server listening');

  let stopped = false;
  return {
    url,
    warehouse,
    topics,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Let requests in flight finish (they may be writing receipts), then cut the rest.
      await new Promise<void>((ok) => {
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        server.close(() => {
          clearTimeout(force);
          ok();
        });
        server.closeIdleConnections();
      });
      await transformer.stop().catch((error: unknown) => logger.warn({ err: error }, 'consumer stop failed'));
      await producer.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'producer stop failed'));
      warehouse.close();
    },
  };
}
