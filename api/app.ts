/**
 * The Express app. Everything it serves is passed in; it opens nothing itself.
 *
 *   request id → identify caller (optional key) → routes (ingest, meta, trends, extra) → 404 → problem+json
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { type Authenticate, notFound } from '../domain/index.js';
import { createSubmissionsRouter, identify, type SubmissionsRouterDeps } from '../ingest/index.js';
import { type AdminRegistry, createAdminRouter } from './admin-router.js';
import { createMetaRouter } from './meta-router.js';
import { problemMiddleware } from './problem.js';
import { createReleasesRouter, type ReleaseAdmin } from './releases-router.js';
import { createTrendsRouter, type ReleaseSource, type TrendsSource } from './trends-router.js';

export interface ApiDeps {
  readonly logger: Logger;
  readonly authenticate: Authenticate;
  readonly submissions: SubmissionsRouterDeps;
  readonly trends: TrendsSource;
  readonly releases: ReleaseAdmin & { reader: ReleaseSource & ReleaseAdmin['reader'] };
  readonly codeVersion: string;
  readonly ready: () => Promise<Record<string, boolean>>;
  readonly registry: AdminRegistry;
  readonly clock: () => Date;
  /** Routers of later stages (dashboards), mounted before the 404 and error handlers. */
  readonly routers?: readonly Router[];
}

export function createApi(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.locals.requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', res.locals.requestId as string);
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await deps.ready();
    const ok = Object.values(checks).every(Boolean);
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ok ? 'ready' : 'not ready', checks });
  });
  app.use(identify(deps.authenticate));
  app.use(createSubmissionsRouter(deps.submissions));
  app.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));
  app.use(createAdminRouter(deps.registry, deps.clock));
  app.use(createReleasesRouter(deps.releases, deps.clock, deps.codeVersion));
  app.use(createMetaRouter());
  app.use(createTrendsRouter(deps.trends, deps.releases.reader));
  for (const router of deps.routers ?? []) app.use(router);
  app.use((req) => {
    throw notFound(`Nothing is served at ${req.path}.`);
  });
  app.use(problemMiddleware(deps.logger));
  return app;
}
