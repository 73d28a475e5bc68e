/**
 * Chart and page routes. Every chart has four outputs — the spec with its data inline, SVG and PNG
 * rendered here, and the chart's data as CSV — and an embed page for iframes. Charts read the
 * public (protected) releases only, never the live warehouse.
 */
import { readFileSync } from 'node:fs';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import {
  binary,
  documentPaths,
  html,
  json,
  parseQuery,
  principalOf,
  RELEASE_HEADERS,
  SECURED,
  text,
} from '../api/http/index.js';
import { setReleaseCaching } from '../api/index.js';
import {
  AppError,
  CHART_NAMES,
  ChartParamsSchema,
  forbidden,
  HARM_GROUPS,
  type Lang,
  LangSchema,
  notFound,
  REGION_CODES,
  ROLLUPS,
  resolveLanguage,
  type Translator,
  translator,
  unauthorized,
  VegaLiteSpecSchema,
} from '../domain/index.js';
import {
  createChartService,
  type DashboardDeps,
  type Output,
  parseChartName,
  parseChartParams,
} from './chart-service.js';
import { type ChartName, chartable } from './charts/index.js';
import { builderPage } from './pages/builder-page.js';
import { completenessPage } from './pages/completeness-page.js';
import { embedPage } from './pages/embed-page.js';
import { type DashboardFigure, type Headline, homePage } from './pages/home-page.js';
import { loadVendorFiles } from './vendor.js';

export type { DashboardDeps } from './chart-service.js';

const ASSETS = new Map(
  ['embed.js', 'dashboard.js', 'builder.js'].map((f) => [f, readFileSync(new URL(`./assets/${f}`, import.meta.url))]),
);

const OUTPUTS: Record<Output, string> = {
  'vl.json': 'application/json; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
  png: 'image/png',
  csv: 'text/csv; charset=utf-8',
};

const year = z.string().regex(/^\d{4}$/, 'a year (YYYY)');
const DashboardFiltersSchema = z.strictObject({
  region: z.enum(REGION_CODES).optional(),
  harm: z.enum([...ROLLUPS.map((r) => r.code), ...HARM_GROUPS.map((g) => g.code)] as [string, ...string[]]).optional(),
  from: year.optional(),
  to: year.optional(),
  lang: LangSchema.optional(),
});

/** The query string of a request, as given (for the spec URL of its embed page). */
const queryString = (req: Request) => {
  const i = req.originalUrl.indexOf('?');
  return i < 0 ? '' : req.originalUrl.slice(i);
};

const toQuery = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

/**
 * The reader's language: `?lang=`, then Accept-Language, then English. When the header chose it,
 * caches must keep one answer per header (Vary), so a French answer never reaches an English reader.
 */
function languageOf(req: Request, res: Response): Translator {
  const { lang, fromHeader } = resolveLanguage(req.query.lang, req.get('accept-language'));
  if (fromHeader) res.vary('Accept-Language');
  res.set('Content-Language', lang);
  return translator(lang);
}

/** The request's query with the resolved language made explicit (spec URLs fetched by the page). */
const withLang = (req: Request, lang: Lang) => {
  const q = new URLSearchParams(queryString(req).slice(1));
  q.set('lang', lang);
  return `?${q}`;
};

export function createDashboardRouter(deps: DashboardDeps): Router {
  const router = Router();
  const vendor = loadVendorFiles();
  const charts = createChartService(deps);

  router.get('/vendor/:file', (req: Request, res: Response) => {
    const body = vendor.get(String(req.params.file));
    if (!body) throw notFound('No such vendor file.');
    res.type('application/javascript; charset=utf-8').set('Cache-Control', 'public, max-age=86400').send(body);
  });
  router.get('/assets/:file', (req, res) => {
    const body = ASSETS.get(String(req.params.file));
    if (!body) throw notFound('No such asset.');
    res.type('application/javascript; charset=utf-8').set('Cache-Control', 'public, max-age=3600').send(body);
  });

  router.get('/charts/:file', async (req, res) => {
    const file = String(req.params.file);
    const dot = file.indexOf('.');
    const output = file.slice(dot + 1) as Output;
    if (dot < 0 || !(output in OUTPUTS)) {
      throw notFound(`Charts come as .vl.json, .svg, .png or .csv, e.g. /charts/trend.svg.`);
    }
    const name = parseChartName(file.slice(0, dot));
    const t = languageOf(req, res);
    const params = { ...parseChartParams(req.query), lang: t.lang };
    const { body, cached, release } = await charts.output(name, params, output);
    setReleaseCaching(res, params.release, release);
    res.type(OUTPUTS[output]).set('X-Render-Cache', cached ? 'hit' : 'miss');
    if (output === 'csv') res.attachment(`${name}.csv`);
    res.send(body);
  });

  router.get('/embed/:chart', async (req, res) => {
    const name = parseChartName(String(req.params.chart));
    const t = languageOf(req, res);
    const params = { ...parseChartParams(req.query), lang: t.lang };
    const { chart, release } = await charts.chart(name, params);
    setReleaseCaching(res, params.release, release);
    res.type('text/html; charset=utf-8').send(embedPage(chart, `/charts/${name}.vl.json${withLang(req, t.lang)}`, t));
  });

  router.get('/admin/completeness', async (req, res) => {
    // Every helpline's name and lateness: the secretariat's page, until a sign-in replaces the key.
    const principal = principalOf(res);
    if (!principal) throw unauthorized('This page needs the admin key (Authorization: Bearer <admin key>).');
    if (principal.role !== 'admin') throw forbidden('This page is for the secretariat (admin key).');
    if (!deps.completeness) throw notFound('Completeness is not available here.');
    const year = parseQuery(
      z.coerce.number().int().min(2000).max(2100),
      req.query.year ?? deps.clock().getUTCFullYear(),
      'Give the year, e.g. ?year=2025.',
    );
    res
      .type('text/html; charset=utf-8')
      .set('Cache-Control', 'no-store')
      .send(completenessPage(await deps.completeness(year)));
  });
  router.get('/builder', async (req, res) => {
    const t = languageOf(req, res);
    const latest = await deps.latestRelease();
    const years = latest ? yearsOf(await deps.trends({ by: 'year' })) : [];
    const query = Object.fromEntries(
      Object.entries(req.query).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
    );
    res
      .type('text/html; charset=utf-8')
      .set('Cache-Control', 'no-cache')
      .send(builderPage(query, years, t));
  });

  router.get('/', async (req, res) => {
    const t = languageOf(req, res);
    const { lang: _lang, ...filters } = parseQuery(
      DashboardFiltersSchema,
      req.query,
      'A dashboard filter is not valid.',
    );
    if (!(await deps.latestRelease())) {
      res
        .type('text/html; charset=utf-8')
        .set('Cache-Control', 'no-store')
        .send(
          `<!doctype html><html lang="${t.lang}" dir="${t.dir}"><meta charset="utf-8"><title>${t.t('page.siteTitle')}</title><h1>${t.t('page.siteTitle')}</h1><p>${t.t('page.noRelease')}</p></html>`,
        );
      return;
    }
    const all = await deps.trends({ by: 'year' });
    const figure = async (heading: string, name: ChartName, filtersOf: Record<string, string | undefined>) => {
      const raw = { ...filtersOf, lang: t.lang };
      const query = toQuery(raw);
      try {
        const { chart } = await charts.chart(name, parseChartParams(Object.fromEntries(new URLSearchParams(query))));
        return {
          heading,
          chart,
          specUrl: `/charts/${name}.vl.json${query}`,
          embedUrl: `/builder${toQuery({ chart: name, ...raw })}`,
        };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { heading, error: error.message };
      }
    };
    const [headlines, ...figures] = await Promise.all([
      headlineFigures(deps, filters, t),
      figure(t.t('figure.trend'), 'trend', { split: 'region', ...filters }),
      figure(t.t(filters.harm ? 'figure.harmMixWithin' : 'figure.harmMix'), 'harm-mix', filters),
      figure(t.t('figure.map'), 'map', {
        region: filters.region,
        harm: filters.harm,
        year: filters.to,
      }),
    ]);
    res
      .type('text/html; charset=utf-8')
      .set({ 'Cache-Control': 'public, max-age=60', 'X-Release': all.release })
      .send(
        homePage({
          filters,
          years: yearsOf(all),
          release: all.release,
          headlines,
          figures: figures as DashboardFigure[],
          t,
        }),
      );
  });
  return router;
}

function yearsOf(answer: Awaited<ReturnType<DashboardDeps['trends']>>): string[] {
  return chartable(answer).rows.map((r) => r.period);
}

/** Cases in the latest full year, its change on the year before, and OCSEA in that year. */
async function headlineFigures(
  deps: DashboardDeps,
  filters: Omit<z.infer<typeof DashboardFiltersSchema>, 'lang'>,
  t: Translator,
): Promise<Headline[]> {
  const geo = filters.region ? { region: [filters.region] } : {};
  const harm = filters.harm ? { harm: [filters.harm] } : {};
  const to = filters.to ? { to: filters.to } : {};
  const answer = await deps.trends({ by: 'year', ...geo, ...harm, ...to });
  const rows = chartable(answer).rows;
  const last = rows.at(-1);
  const before = rows.at(-2);
  const fmt = (v: number | null | undefined) => (typeof v === 'number' ? t.number(v) : t.t('value.withheld'));
  const out: Headline[] = [
    {
      label: t.t('headline.cases', { year: last?.period ?? '–' }),
      value: fmt(last?.value),
      note: t.t('headline.reportedBy', { n: last?.helplinesReporting ?? 0 }),
    },
  ];
  if (last && before && last.value !== null && before.value !== null && before.value > 0) {
    const change = Math.round(((last.value - before.value) / before.value) * 100);
    out.push({
      label: t.t('headline.change', { year: before.period }),
      value: t.change(change / 100),
      note: t.t('headline.changeNote'),
    });
  }
  if (!filters.harm) {
    const ocsea = chartable(await deps.trends({ by: 'year', ...geo, ...to, harm: ['ocsea'] })).rows.at(-1);
    out.push({
      label: t.t('headline.ocsea', { year: ocsea?.period ?? '–' }),
      value: fmt(ocsea?.value),
      note: t.t('headline.casesNote'),
    });
  }
  return out;
}

type Route = Parameters<typeof documentPaths>[number];

/** A chart's four outputs and its embed page. */
function chartPaths(chart: ChartName): Route[] {
  const get = (path: string, summary: string, ok: Route['responses'][number]): Route => ({
    method: 'get',
    path,
    summary,
    request: { query: ChartParamsSchema },
    responses: {
      200: { ...ok, description: summary, headers: RELEASE_HEADERS },
      400: { description: 'A parameter is not valid, or the release plan does not publish this cut' },
    },
  });
  return [
    get(`/charts/${chart}.vl.json`, `${chart} chart: Vega-Lite spec with its data inline`, json(VegaLiteSpecSchema)),
    get(`/charts/${chart}.svg`, `${chart} chart as SVG`, text('image/svg+xml', 'SVG')),
    get(`/charts/${chart}.png`, `${chart} chart as PNG (2× scale, bundled DejaVu Sans)`, binary('image/png', 'PNG')),
    get(
      `/charts/${chart}.csv`,
      `${chart} chart's data as CSV (withheld values empty, flagged)`,
      text('text/csv', 'CSV'),
    ),
    get(`/embed/${chart}`, `${chart} chart page for an iframe, with an accessible data table`, html('Embed page')),
  ];
}

export const dashboardPaths = documentPaths(
  { method: 'get', path: '/', summary: 'Dashboard page', responses: { 200: html('Dashboard') } },
  ...CHART_NAMES.flatMap(chartPaths),
  {
    method: 'get',
    path: '/builder',
    summary: 'Chart builder: pick a chart, copy an iframe snippet, SVG/PNG links and CSV',
    responses: { 200: html('Chart builder page') },
  },
  {
    method: 'get',
    path: '/vendor/{file}',
    summary: 'vega, vega-lite and vega-embed scripts',
    request: { params: z.object({ file: z.string() }) },
    responses: { 200: text('application/javascript', 'Script') },
  },
  {
    method: 'get',
    path: '/assets/{file}',
    summary: 'Page scripts (embed.js, dashboard.js, builder.js)',
    request: { params: z.object({ file: z.string() }) },
    responses: { 200: text('application/javascript', 'Script') },
  },
  {
    method: 'get',
    path: '/admin/completeness',
    summary: 'Completeness page: who reported which months, how late (admin key)',
    security: SECURED,
    request: { query: z.object({ year: z.number().int().optional() }) },
    responses: { 200: html('Completeness page') },
  },
);
