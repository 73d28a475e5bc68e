/**
 * The Express app. Everything it serves is passed in; it opens nothing itself.
 *
 *   request id → identify caller (optional key) → routes (ingest, meta, trends, extra) → 404 → problem+json
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response, type Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import {
  AppError,
  type Authenticate,
  forbidden,
  HealthSchema,
  type Metrics,
  NO_METRICS,
  notFound,
  OpenApiDocumentSchema,
  ReadinessSchema,
  unauthorized,
} from '../domain/index.js';
import { createSubmissionsRouter, type SubmissionsRouterDeps, submissionsPaths } from '../ingest/index.js';
import { type AdminRegistry, adminPaths, createAdminRouter } from './admin-router.js';
import {
  answerConditionalGets,
  bearerKey,
  createFailedAuthLimiter,
  type DocumentPaths,
  documentPaths,
  type FailedAuthPolicy,
  fixedHeaders,
  identify,
  json,
  principalOf,
  problemMiddleware,
  SECURED,
  strictJsonBody,
  text,
} from './http/index.js';
import { createJobsRouter, type JobsAdmin, jobsPaths } from './jobs-router.js';
import { completenessPaths, createCompletenessRouter, createDocsRouter, docsPaths } from './meta-extra.js';
import { createMetaRouter, metaPaths } from './meta-router.js';
import { buildOpenApi } from './openapi.js';
import { createReleasesRouter, type NoiseDefaults, type ReleaseAdmin, releasesPaths } from './releases-router.js';
import { createTrendsRouter, type ReleaseSource, type TrendsSource, trendsPaths } from './trends-router.js';

export interface ApiDeps {
  readonly logger: Logger;
  readonly authenticate: Authenticate;
  /** Uploads; a read replica (reader/) has none and serves the public reads alone. */
  readonly submissions?: SubmissionsRouterDeps;
  readonly trends: TrendsSource;
  readonly releases: ReleaseAdmin & { reader: ReleaseSource & ReleaseAdmin['reader'] };
  readonly codeVersion: string;
  readonly completeness?: Parameters<typeof createCompletenessRouter>[0];
  /** Requests per minute per client address (default 600). */
  readonly rateLimitPerMinute?: number;
  readonly ready: () => Promise<Record<string, boolean>>;
  readonly registry?: AdminRegistry;
  readonly clock: () => Date;
  /** Scheduled jobs and reminder webhooks, for the admin API. */
  readonly jobs?: JobsAdmin;
  /** Noise-mode defaults (ε per release, budget per month). */
  readonly noise?: NoiseDefaults;
  readonly metrics?: Metrics;
  /** The Prometheus exposition for `/metrics` (admin key or `metricsToken`). */
  readonly metricsText?: () => Promise<{ contentType: string; body: string }>;
  /** A scrape token for `/metrics` (METRICS_TOKEN), so a scraper needs no admin key. */
  readonly metricsToken?: string;
  /** Failed authentication allowed per address and key prefix. */
  readonly failedAuth?: FailedAuthPolicy;
  /** Routers of later stages (dashboards), mounted before the 404 and error handlers. */
  readonly routers?: readonly Router[];
  /** Their OpenAPI paths, documented beside their routes. */
  readonly paths?: readonly DocumentPaths[];
}

export function createApi(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('etag', 'strong');
  app.set('query parser', 'simple');
  answerConditionalGets(app);
  const failedAuth = createFailedAuthLimiter(deps.clock, deps.failedAuth);
  // Charts are embedded in other sites' pages: allow framing and cross-origin use, keep scripts
  // to this server. The headers depend on no request: recorded once, then set (fixedHeaders).
  app.use(
    fixedHeaders(
      helmet({
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:'],
            connectSrc: ["'self'"],
            objectSrc: ["'none'"],
            frameAncestors: ['*'],
            upgradeInsecureRequests: null,
          },
        },
        frameguard: false,
        crossOriginEmbedderPolicy: false,
        crossOriginResourcePolicy: { policy: 'cross-origin' },
      }),
    ),
  );
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.locals.requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', res.locals.requestId as string);
    observe(req, res, deps.logger, deps.metrics ?? NO_METRICS);
    next();
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).set('Cache-Control', 'public, max-age=86400').end();
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
  const openapi = buildOpenApi([
    appPaths,
    submissionsPaths,
    adminPaths,
    releasesPaths,
    metaPaths,
    trendsPaths,
    completenessPaths,
    jobsPaths,
    docsPaths,
    ...(deps.paths ?? []),
  ]);
  app.get('/v1/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').json(openapi);
  });
  app.use(createDocsRouter());
  if (deps.metricsText) {
    // Before `identify`: a scraper's token is not an API key and must not count as a failed one.
    const text = deps.metricsText;
    const token = deps.metricsToken;
    app.get('/metrics', async (req, res, next) => {
      const key = bearerKey(req);
      if (!(token && key && sameSecret(key, token))) return next();
      const { contentType, body } = await text();
      res.type(contentType).set('Cache-Control', 'no-store').send(body);
    });
  }
  app.use(identify(deps.authenticate, failedAuth));
  if (deps.metricsText) {
    const text = deps.metricsText;
    app.get('/metrics', async (_req, res) => {
      const principal = principalOf(res);
      if (!principal) throw unauthorized('Metrics need the admin key or the METRICS_TOKEN (Authorization: Bearer …).');
      if (principal.role !== 'admin') throw forbidden('Metrics need the admin key or the METRICS_TOKEN.');
      const { contentType, body } = await text();
      res.type(contentType).set('Cache-Control', 'no-store').send(body);
    });
  }
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerMinute ?? 600,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // Per key for helplines (many share one office address), per address for the public;
      // the secretariat is not limited.
      skip: (_req, res) => principalOf(res)?.role === 'admin',
      keyGenerator: (req, res) => {
        const p = principalOf(res);
        return p?.role === 'helpline' ? `helpline:${p.helplineId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
      },
      handler: (_req, _res, next, options) =>
        next(
          new AppError('rate_limited', 'Too many requests; slow down and retry after the time in Retry-After.', {
            status: 429,
            headers: { 'Retry-After': String(Math.ceil(options.windowMs / 1000)) },
          }),
        ),
    }),
  );

  // The public reads first: they take no body, and their cached answers pass no other router.
  app.use(createTrendsRouter(deps.trends, deps.releases.reader));
  if (deps.submissions) app.use(createSubmissionsRouter(deps.submissions));
  app.use(strictJsonBody('256kb'));
  if (deps.registry && deps.submissions) app.use(createAdminRouter(deps.registry, deps.submissions.store, deps.clock));
  app.use(createReleasesRouter(deps.releases, deps.clock, deps.codeVersion, deps.noise));
  app.use(createMetaRouter());
  if (deps.completeness) app.use(createCompletenessRouter(deps.completeness, deps.clock));
  if (deps.jobs) app.use(createJobsRouter(deps.jobs, deps.clock));
  for (const router of deps.routers ?? []) app.use(router);
  app.use((req) => {
    throw notFound(`Nothing is served at ${req.path}.`);
  });
  app.use(problemMiddleware(deps.logger));
  return app;
}

/**
 * One structured log line and the metrics per request, when it is done. The path only: query
 * strings hold nothing personal, but logs need not keep them either.
 */
function observe(req: Request, res: Response, logger: Logger, metrics: Metrics): void {
  const started = performance.now();
  res.once('finish', () => {
    const seconds = (performance.now() - started) / 1000;
    // Only route patterns become labels: a raw path is anyone's text and grows without bound.
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    metrics.httpRequest(route, req.method, res.statusCode, seconds);
    if (req.method === 'POST' && route === '/v1/submissions') {
      metrics.upload(res.statusCode < 300 ? 'accepted' : 'rejected', String(res.statusCode));
    }
    logger.info(
      {
        requestId: res.locals.requestId,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
      },
      'request',
    );
  });
}

const sameSecret = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

const appPaths = documentPaths(
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (admin key or METRICS_TOKEN as a bearer token)',
    security: SECURED,
    responses: { 200: text('text/plain', 'Prometheus text format') },
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    responses: { 200: json(OpenApiDocumentSchema) },
  },
  { method: 'get', path: '/favicon.ico', summary: 'No icon (204)', responses: { 204: { description: 'No content' } } },
  { method: 'get', path: '/healthz', summary: 'The process is up', responses: { 200: json(HealthSchema) } },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Kafka and DuckDB reachable',
    responses: { 200: json(ReadinessSchema), 503: json(ReadinessSchema, 'Not ready') },
  },
);
