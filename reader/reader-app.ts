/**
 * The public side of the API and the dashboards over one set of loaded release files: the same
 * routers, the same warehouse code (on an in-memory DuckDB) and the same settings as the writer's
 * (bin/runtime.ts), so an answer here is the writer's byte for byte, ETag included. Uploads, keys
 * and the admin API do not exist here: a key is never valid, `release=live` is refused.
 */
import type { Express } from 'express';
import type { Logger } from 'pino';
import { answerFromRelease, createApi } from '../api/index.js';
import { createDashboardRouter, dashboardPaths } from '../dashboards/index.js';
import { AppError, forbidden } from '../domain/index.js';
import { listExport } from '../jobs/index.js';
import { portalPaths } from '../portal/index.js';
import { completenessReport } from '../warehouse/index.js';
import type { LoadedFiles } from './release-files.js';

export interface ReaderAppOptions {
  readonly files: LoadedFiles;
  readonly exportsDir: string;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly codeVersion: string;
  readonly rateLimitPerMinute?: number;
}

const readOnly = () =>
  new AppError('read_replica', 'This is a read replica: uploads and publication go to the writer.', {
    status: 405,
  });

export function createReaderApp(options: ReaderAppOptions): Express {
  const { warehouse, state } = options.files;
  const { clock } = options;
  const completeness = (year: number, now: Date) =>
    completenessReport(state.helplines, state.arrivals, year, state.policy, now);
  const dashboards = createDashboardRouter({
    trends: (q) => answerFromRelease(warehouse.releases.reader, q),
    latestRelease: () => warehouse.releases.reader.latestId(),
    helplines: () => warehouse.registry.listHelplines(),
    completeness: (year) => Promise.resolve(completeness(year, clock())),
    clock,
  });
  return createApi({
    logger: options.logger,
    // No keys here: a key is refused as unknown, as the writer refuses a wrong one.
    authenticate: async () => undefined,
    trends: async () => {
      throw forbidden('release=live is the internal, unprotected view: it needs the admin key.');
    },
    releases: {
      publish: async () => {
        throw readOnly();
      },
      list: () => warehouse.releases.list(),
      budget: async () => state.budget,
      reader: warehouse.releases.reader,
      exports: { list: (id: string) => listExport(options.exportsDir, id), dir: options.exportsDir },
    },
    codeVersion: options.codeVersion,
    completeness: async (year, now) => completeness(year, now),
    ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    clock,
    ready: async () => ({ releases: options.files.releases.length > 0 }),
    routers: [dashboards],
    // The writer's document, byte for byte (a replica answers /v1/openapi.json as the writer does):
    // the portal's paths too, served by the writer only.
    paths: [portalPaths, dashboardPaths],
  });
}
