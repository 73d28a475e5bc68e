/** The Express app over a real DuckDB warehouse on a random port, without Kafka (read-side tests). */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DocumentPaths } from '../../api/http/index.js';
import { createApi, createHttpServer, listen } from '../../api/index.js';
import type { PublishingWarehouse as Warehouse } from '../../releases/index.js';

interface ServeOptions {
  readonly now: Date;
  readonly rateLimitPerMinute?: number;
  readonly paths?: readonly DocumentPaths[];
}

export async function serveApi(wh: Warehouse, options: ServeOptions) {
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

export interface ServedWarehouse {
  readonly wh: Warehouse;
  readonly api: Awaited<ReturnType<typeof serveApi>>;
  /** Stops the server, closes the warehouse and removes its folder. */
  close(): Promise<void>;
}

/**
 * A fixture warehouse built by `open` in a fresh temp folder, with the admin key if one is given,
 * then `prepare` (a release, say), then served by the API.
 */
export async function serveFixture(
  prefix: string,
  open: (path: string) => Promise<Warehouse>,
  options: ServeOptions & { adminKey?: string; prepare?: (wh: Warehouse) => Promise<unknown> },
): Promise<ServedWarehouse> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const wh = await open(join(dir, 'w.duckdb'));
  if (options.adminKey) await wh.registry.ensureAdminKey(options.adminKey, options.now);
  await options.prepare?.(wh);
  const api = await serveApi(wh, options);
  return {
    wh,
    api,
    async close() {
      await api.close();
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
