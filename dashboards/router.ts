/**
 * Chart routes: the spec (with data inline), a server-rendered SVG, and an embed page for iframes.
 * Charts read the public (protected) trends only, never the live warehouse.
 */
import { readFileSync } from 'node:fs';
import { type Request, type Response, Router } from 'express';
import type { TrendsAnswer } from '../api/index.js';
import { AppError, notFound } from '../domain/index.js';
import { embedPage } from './embed-page.js';
import { homePage } from './home-page.js';
import { renderSvg, svgToPng } from './render.js';
import { trendSpec, trendText } from './trend-spec.js';
import { loadVendorFiles } from './vendor.js';

export interface DashboardDeps {
  /** Public trends: parses the query the way /v1/trends does, answers from protected data. */
  readonly trends: (query: Request['query']) => Promise<TrendsAnswer>;
}

const EMBED_JS = readFileSync(new URL('./assets/embed.js', import.meta.url));

function chartQuery(req: Request): Request['query'] {
  // Charts are public: drop size parameters and never pass `release=live` through.
  const { width: _w, height: _h, release, ...rest } = req.query;
  return release === 'live' ? rest : { ...rest, ...(release ? { release } : {}) };
}

function size(req: Request): { width?: number; height?: number } {
  const n = (v: unknown, min: number, max: number) => {
    const x = Number(v);
    return Number.isFinite(x) ? Math.min(max, Math.max(min, Math.round(x))) : undefined;
  };
  const width = n(req.query.width, 200, 2000);
  const height = n(req.query.height, 120, 1500);
  return { ...(width ? { width } : {}), ...(height ? { height } : {}) };
}

export function createDashboardRouter(deps: DashboardDeps): Router {
  const router = Router();
  const vendor = loadVendorFiles();

  router.get('/vendor/:file', (req: Request, res: Response) => {
    const body = vendor.get(String(req.params.file));
    if (!body) throw notFound('No such vendor file.');
    res.type('application/javascript; charset=utf-8').set('Cache-Control', 'public, max-age=86400').send(body);
  });
  router.get('/assets/embed.js', (_req, res) => {
    res.type('application/javascript; charset=utf-8').set('Cache-Control', 'public, max-age=3600').send(EMBED_JS);
  });

  router.get('/', async (_req, res) => {
    try {
      const [latest, ocsea] = await Promise.all([
        deps.trends({ by: 'year' }),
        deps.trends({ by: 'year', harm: 'ocsea' }),
      ]);
      res
        .type('text/html; charset=utf-8')
        .set('Cache-Control', 'public, max-age=60')
        .send(homePage(latest, ocsea, new Date()));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'no_release')) throw error;
      res
        .type('text/html; charset=utf-8')
        .set('Cache-Control', 'no-store')
        .send(
          '<!doctype html><html lang="en"><meta charset="utf-8"><title>Child helpline statistics</title><h1>Child helpline statistics</h1><p>No release has been published yet. Figures appear here once the secretariat publishes the first protected release.</p></html>',
        );
    }
  });
  // The trend chart's spec for a request: the public trends answer, drawn at the asked size.
  const trendChart = async (req: Request) =>
    trendSpec(await deps.trends({ split: 'region', ...chartQuery(req) }), size(req));
  router.get('/charts/trend.vl.json', async (req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(await trendChart(req));
  });
  router.get('/charts/trend.svg', async (req, res) => {
    const svg = await renderSvg(await trendChart(req));
    res.type('image/svg+xml; charset=utf-8').set('Cache-Control', 'public, max-age=60').send(svg);
  });
  router.get('/charts/trend.png', async (req, res) => {
    const png = svgToPng(await renderSvg(await trendChart(req)));
    res.type('image/png').set('Cache-Control', 'public, max-age=60').send(png);
  });
  router.get('/embed/trend', async (req, res) => {
    const query = { split: 'region', ...chartQuery(req) };
    const answer = await deps.trends(query);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, ...size(req) })) {
      for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
    }
    res
      .type('text/html; charset=utf-8')
      .set('Cache-Control', 'public, max-age=60')
      .send(embedPage(trendText(answer), `/charts/trend.vl.json?${params}`));
  });
  return router;
}
