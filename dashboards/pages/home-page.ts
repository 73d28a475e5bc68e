/**
 * `/`: the dashboard. Headline figures for the latest full year, then the regional trend, the harm
 * mix and the map, all under one set of filters kept in the URL (so a view can be shared).
 */
import { HARM_GROUPS, REGIONS, ROLLUPS } from '../../domain/index.js';
import type { Chart } from '../charts/index.js';
import { CHART_SCRIPTS, chartFigure, escapeHtml, FIGURE_STYLE, pageHead } from './page-parts.js';

export interface DashboardFilters {
  readonly region?: string | undefined;
  readonly harm?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
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
}): string {
  const { filters, years } = input;
  const yearOptions = years.map((y) => [y, y] as const);
  const form = `<form id="filters" method="get" action="/" aria-label="Filters">
  ${select('region', 'Region', [['', 'All regions'], ...REGIONS.map((r) => [r.code, r.label] as const)], filters.region)}
  ${select(
    'harm',
    'Harm',
    [
      ['', 'All harms'],
      ...ROLLUPS.map((r) => [r.code, r.label] as const),
      ...HARM_GROUPS.map((g) => [g.code, g.label] as const),
    ],
    filters.harm,
  )}
  ${select('from', 'From', [['', 'First year'], ...yearOptions], filters.from)}
  ${select('to', 'To', [['', 'Latest year'], ...yearOptions], filters.to)}
  <noscript><button type="submit">Apply</button></noscript>
</form>`;
  const figures = input.figures
    .map((f, i) =>
      'chart' in f
        ? `<section><h2>${escapeHtml(f.heading)}</h2>${chartFigure(f.chart, f.specUrl, `chart-${i}`)}
<p class="embed-link"><a href="${escapeHtml(f.embedUrl)}">Embed this chart</a></p></section>`
        : `<section><h2>${escapeHtml(f.heading)}</h2><p class="error" role="alert">${escapeHtml(f.error)}</p></section>`,
    )
    .join('\n');
  const headlines = input.headlines
    .map(
      (h) =>
        `<div class="headline">${escapeHtml(h.label)}<strong>${escapeHtml(h.value)}</strong>${escapeHtml(h.note)}</div>`,
    )
    .join('\n  ');
  return `${pageHead('Child helpline statistics')}
<style>
  body { margin: 0 auto; max-width: 1000px; padding: 12px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  header p { margin-top: 0; }
  form { display: flex; flex-wrap: wrap; gap: 8px 16px; padding: 8px 0; border-bottom: 1px solid #ddd; }
  form label { display: flex; flex-direction: column; font-size: 13px; }
  select { font-size: 15px; padding: 4px; max-width: 100%; }
  .headlines { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
  .headline { flex: 1 1 220px; border: 1px solid #ddd; border-radius: 6px; padding: 12px; }
  .headline strong { display: block; font-size: 28px; margin: 4px 0; }
  .error { background: #fff4e5; padding: 8px; }
  code { background: #f4f4f4; padding: 1px 4px; word-break: break-all; }
  nav a { margin-right: 12px; }
${FIGURE_STYLE}
</style>
</head>
<body>
<header>
<h1>Child helpline statistics</h1>
<p>Why children contact child helplines, from de-identified monthly statistics the helplines submit. Release ${escapeHtml(input.release)}; small counts are withheld.</p>
<nav><a href="/builder">Chart builder</a><a href="/v1/releases">Releases</a><a href="/docs">API documentation</a></nav>
</header>
${form}
<section class="headlines" aria-label="Headline figures">
  ${headlines}
</section>
${figures}
<h2>Data</h2>
<ul>
  <li>Trends API: <a href="/v1/trends?by=year&amp;split=region"><code>/v1/trends?by=year&amp;split=region</code></a> (JSON, CSV or Arrow)</li>
  <li>Code lists: <a href="/v1/meta/dimensions"><code>/v1/meta/dimensions</code></a></li>
</ul>
${CHART_SCRIPTS}
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}
