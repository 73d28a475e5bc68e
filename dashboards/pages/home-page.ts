/**
 * `/`: the dashboard. Headline figures for the latest full year, then the regional trend, the harm
 * mix and the map, all under one set of filters kept in the URL (so a view can be shared).
 */
import { HARM_GROUPS, REGIONS, ROLLUPS, type Translator } from '../../domain/index.js';
import type { Chart } from '../charts/index.js';
import { CHART_SCRIPTS, chartFigure, escapeHtml, FIGURE_STYLE, languageLinks, pageHead } from './page-parts.js';

export interface DashboardFilters {
  readonly region?: string | undefined;
  readonly harm?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly lang?: string | undefined;
}

export interface Headline {
  readonly label: string;
  readonly value: string;
  readonly note: string;
}

export type DashboardFigure =
  | { readonly heading: string; readonly chart: Chart; readonly specUrl: string; readonly embedUrl: string }
  | { readonly heading: string; readonly error: string };

function select(name: string, label: string, options: readonly (readonly [string, string])[], chosen?: string) {
  const items = options
    .map(
      ([v, l]) =>
        `<option value="${escapeHtml(v)}"${v === (chosen ?? '') ? ' selected' : ''}>${escapeHtml(l)}</option>`,
    )
    .join('');
  return `<label>${escapeHtml(label)}<select name="${name}">${items}</select></label>`;
}

export function homePage(input: {
  filters: DashboardFilters;
  years: readonly string[];
  release: string;
  headlines: readonly Headline[];
  figures: readonly DashboardFigure[];
  t: Translator;
}): string {
  const { filters, years, t } = input;
  const yearOptions = years.map((y) => [y, y] as const);
  // The language travels with the filters (a hidden field), so a filtered view stays in it.
  const form = `<form id="filters" method="get" action="/" aria-label="${escapeHtml(t.t('page.filters'))}">
  <input type="hidden" name="lang" value="${t.lang}">
  ${select('region', t.t('filter.region'), [['', t.t('filter.allRegions')], ...REGIONS.map((r) => [r.code, t.label('region', r.code)] as const)], filters.region)}
  ${select(
    'harm',
    t.t('filter.harm'),
    [
      ['', t.t('filter.allHarms')],
      ...ROLLUPS.map((r) => [r.code, t.label('rollup', r.code)] as const),
      ...HARM_GROUPS.map((g) => [g.code, t.label('harmGroup', g.code)] as const),
    ],
    filters.harm,
  )}
  ${select('from', t.t('filter.from'), [['', t.t('filter.firstYear')], ...yearOptions], filters.from)}
  ${select('to', t.t('filter.to'), [['', t.t('filter.latestYear')], ...yearOptions], filters.to)}
  <noscript><button type="submit">${escapeHtml(t.t('filter.apply'))}</button></noscript>
</form>`;
  const figures = input.figures
    .map((f, i) =>
      'chart' in f
        ? `<section><h2>${escapeHtml(f.heading)}</h2>${chartFigure(f.chart, f.specUrl, `chart-${i}`, t)}
<p class="embed-link"><a href="${escapeHtml(f.embedUrl)}">${escapeHtml(t.t('figure.embed'))}</a></p></section>`
        : `<section><h2>${escapeHtml(f.heading)}</h2><p class="error" role="alert">${escapeHtml(f.error)}</p></section>`,
    )
    .join('\n');
  const headlines = input.headlines
    .map(
      (h) =>
        `<div class="headline">${escapeHtml(h.label)}<strong>${escapeHtml(h.value)}</strong>${escapeHtml(h.note)}</div>`,
    )
    .join('\n  ');
  const trendsLink = `<a href="/v1/trends?by=year&amp;split=region&amp;lang=${t.lang}"><code>/v1/trends?by=year&amp;split=region</code></a>`;
  const metaLink = `<a href="/v1/meta/dimensions?lang=${t.lang}"><code>/v1/meta/dimensions</code></a>`;
  return `${pageHead(t.t('page.siteTitle'), t)}
<style>
  body { margin: 0 auto; max-width: 1000px; padding: 12px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  header p { margin-top: 0; }
  form { display: flex; flex-wrap: wrap; gap: 8px 16px; padding: 8px 0; border-bottom: 1px solid #ddd; }
  form label { display: flex; flex-direction: column; font-size: 13px; max-width: 100%; min-width: 0; }
  select { font-size: 15px; padding: 4px; max-width: 100%; }
  .headlines { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
  .headline { flex: 1 1 220px; border: 1px solid #ddd; border-radius: 6px; padding: 12px; }
  .headline strong { display: block; font-size: 28px; margin: 4px 0; }
  .error { background: #fff4e5; padding: 8px; }
  code { background: #f4f4f4; padding: 1px 4px; word-break: break-all; }
  nav a { margin-inline-end: 12px; }
${FIGURE_STYLE}
</style>
</head>
<body>
<header>
${languageLinks('/', { ...filters }, t)}
<h1>${escapeHtml(t.t('page.siteTitle'))}</h1>
<p>${escapeHtml(t.t('page.intro', { release: input.release }))}</p>
<nav aria-label="${escapeHtml(t.t('page.nav'))}"><a href="/builder?lang=${t.lang}">${escapeHtml(t.t('page.nav.builder'))}</a><a href="/v1/releases">${escapeHtml(t.t('page.nav.releases'))}</a><a href="/docs">${escapeHtml(t.t('page.nav.docs'))}</a></nav>
</header>
${form}
<section class="headlines" aria-label="${escapeHtml(t.t('page.headlines'))}">
  ${headlines}
</section>
${figures}
<h2>${escapeHtml(t.t('page.data'))}</h2>
<ul>
  <li>${escapeHtml(t.t('page.data.trends', { link: '\u0000' })).replace('\u0000', trendsLink)}</li>
  <li>${escapeHtml(t.t('page.data.codeLists', { link: '\u0000' })).replace('\u0000', metaLink)}</li>
</ul>
${CHART_SCRIPTS}
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}
