/** The Express app over a real DuckDB warehouse on a random port, without Kafka (read-side tests). */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { DocumentPaths } from '../../api/http/index.js';
import { createApi, createHttpServer, listen } from '../../api/index.js';
import type { PublishingWarehouse as Warehouse } from '../../releases/index.js';

export async function serveApi(
  wh: Warehouse,
  options: { now: Date; rateLimitPerMinute?: number; paths?: readonly DocumentPaths[] },
) {
  const app = createApi({
    logger: pino({ level: 'silent' }),
    authenticate: (key) => wh.registry.authenticate(key, options.now),
    submissions: {
      producer: { send: async () => {} },
      topics: { submissions: 'unused', deadLetters: 'unused' },
      store: wh.submissions,
      mappings: async () => ({}),
      clock: () => options.now,
      logger: pino({ level: 'silent' }),
    },
    trends: wh.trends,
    releases: wh.releases,
    completeness: (year, now) => wh.completeness(year, { deadlineDay: 15, timeZone: 'UTC' }, now),
    codeVersion: 'test',
    rateLimitPerMinute: options.rateLimitPerMinute ?? 1_000_000,
    registry: wh.registry,
    clock: () => options.now,
    ready: async () => ({ duckdb: true }),
    ...(options.paths ? { paths: options.paths } : {}),
  });
  const server = await listen(createHttpServer(app, pino({ level: 'silent' })), 0, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
