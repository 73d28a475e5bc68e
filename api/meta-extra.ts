/** Completeness (public: who reported, not what) and the docs UI, served from this server. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Router } from 'express';
import { type Completeness, CompletenessQuerySchema, CompletenessSchema } from '../domain/index.js';
import { type Cell, negotiate, sendTable, tableAnswer, tableRoute } from './formats.js';
import { documentPaths, html, parseQuery, problem, text } from './http/index.js';

export function createCompletenessRouter(
  source: (year: number, now: Date) => Promise<Completeness>,
  clock: () => Date,
): Router {
  const router = Router();
  router.get('/v1/completeness', async (req, res) => {
    const { year } = parseQuery(CompletenessQuerySchema, req.query, 'Give the year, e.g. ?year=2025.');
    const answer = await source(year, clock());
    const rows = answer.helplines.flatMap((h) =>
      h.months.map((m) => ({
        helpline: h.id,
        country: h.country,
        region: h.region,
        period: m.period,
        reported: m.reported,
        onTime: m.onTime,
        arrivedAt: m.arrivedAt,
        dueBy: m.dueBy,
        daysLate: m.daysLate,
      })),
    );
    res.set('Cache-Control', 'public, max-age=300');
    sendTable(
      res,
      negotiate(req),
      answer,
      [
        { name: 'helpline', type: 'string' },
        { name: 'country', type: 'string' },
        { name: 'region', type: 'string' },
        { name: 'period', type: 'string' },
        { name: 'reported', type: 'bool' },
        { name: 'onTime', type: 'bool' },
        { name: 'arrivedAt', type: 'string' },
        { name: 'dueBy', type: 'string' },
        { name: 'daysLate', type: 'int' },
      ],
      rows as Record<string, Cell>[],
      { filename: `completeness-${answer.year}` },
    );
  });
  return router;
}

const require = createRequire(import.meta.url);
const DOCS_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

/** Swagger UI from node_modules, with our own page and initializer (no inline script, no CDN). */
export function createDocsRouter(): Router {
  const router = Router();
  const dist: string = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpline analytics API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>
`;
  const init = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true });\n`;
  router.get(['/docs', '/docs/'], (_req, res) => {
    res.type('text/html; charset=utf-8').set('Cache-Control', 'public, max-age=3600').send(page);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript; charset=utf-8').send(init);
  });
  // Only the two files the page uses: not the package's manifest, source maps or sample pages.
  for (const file of DOCS_ASSETS) {
    const path = join(dist, file);
    router.get(`/docs/assets/${file}`, (_req, res) => {
      res.sendFile(path, { maxAge: '1d', dotfiles: 'deny' });
    });
  }
  return router;
}

export const completenessPaths = documentPaths(
  tableRoute(
    {
      path: '/v1/completeness',
      summary: 'Which helplines reported which months, and on time',
      query: CompletenessQuerySchema,
    },
    tableAnswer(CompletenessSchema, 'OK'),
    { 400: problem('Invalid year') },
  ),
);

export const docsPaths = documentPaths(
  { method: 'get', path: '/docs', summary: 'API documentation page', responses: { 200: html('Swagger UI') } },
  {
    method: 'get',
    path: '/docs/init.js',
    summary: 'Documentation page script',
    responses: { 200: text('application/javascript', 'Script') },
  },
  {
    method: 'get',
    path: '/docs/assets/swagger-ui.css',
    summary: "Swagger UI's style sheet (the only two files of swagger-ui-dist served)",
    responses: { 200: text('text/css', 'Style sheet') },
  },
  {
    method: 'get',
    path: '/docs/assets/swagger-ui-bundle.js',
    summary: "Swagger UI's script",
    responses: { 200: text('application/javascript', 'Script') },
  },
);
