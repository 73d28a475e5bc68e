/**
 * `/builder`: pick a chart, its filters and size, see it, and copy what a site or report needs —
 * the iframe snippet, direct SVG and PNG links and the chart's data as CSV. The form starts from
 * the URL, and the URL follows the form, so a builder view can be shared.
 */
import { COUNTRIES, HARM_GROUPS, HARM_TYPES, REGIONS, ROLLUPS } from '../../domain/index.js';
import { CHART_NAMES, CHART_SPLITS, CHART_TITLES, type ChartName } from '../charts/index.js';
import { labelFor } from '../labels.js';
import { escapeHtml, pageHead } from './page-parts.js';

type Query = Record<string, string | undefined>;

function field(label: string, control: string, charts: readonly ChartName[] = CHART_NAMES) {
  return `<label data-charts="${charts.join(' ')}">${escapeHtml(label)}${control}</label>`;
}

function options(list: readonly (readonly [string, string])[], chosen: string | undefined) {
  return list
    .map(
      ([v, l]) =>
        `<option value="${escapeHtml(v)}"${v === (chosen ?? '') ? ' selected' : ''}>${escapeHtml(l)}</option>`,
    )
    .join('');
}

export function builderPage(query: Query, years: readonly string[]): string {
  const splitOptions = [...new Set(Object.values(CHART_SPLITS).flat())].map(
    (s) => [s, `by ${labelFor('dimension', s)}`] as const,
  );
  const yearList = years.map((y) => [y, y] as const);
  const harmOptions = [
    ['', 'All harms'],
    ...ROLLUPS.map((r) => [r.code, r.label] as const),
    ...HARM_GROUPS.flatMap((g) => [
      [g.code, g.label] as const,
      ...HARM_TYPES.filter((t) => t.group === g.code).map((t) => [t.code, `— ${t.label}`] as const),
    ]),
  ] as const;
  return `${pageHead('Chart builder — child helpline statistics')}
<style>
  body { margin: 0 auto; max-width: 1100px; padding: 12px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  .layout { display: flex; flex-wrap: wrap; gap: 16px; }
  form { flex: 1 1 260px; display: flex; flex-direction: column; gap: 8px; }
  form label { display: flex; flex-direction: column; font-size: 13px; }
  form label[hidden] { display: none; }
  select, input { font-size: 15px; padding: 4px; max-width: 100%; }
  .preview { flex: 3 1 480px; min-width: 0; }
  .preview iframe { width: 100%; border: 1px solid #ddd; }
  textarea { width: 100%; font-family: monospace; font-size: 13px; box-sizing: border-box; }
  .links a { margin-right: 12px; display: inline-block; }
  .hint { font-size: 12px; color: #555; }
</style>
</head>
<body>
<h1>Chart builder</h1>
<p><a href="/">← Dashboard</a></p>
<div class="layout">
<form id="builder" aria-label="Chart settings">
  ${field(
    'Chart',
    `<select name="chart">${options(
      CHART_NAMES.map((c) => [c, CHART_TITLES[c]] as const),
      query.chart ?? 'trend',
    )}</select>`,
  )}
  ${field('Lines or bars', `<select name="split">${options([['', 'Default'], ...splitOptions], query.split)}</select>`, ['trend', 'breakdown'])}
  ${field(
    'Measure',
    `<select name="measure">${options(
      [
        ['', 'Cases'],
        ['share', 'Share of the year'],
      ],
      query.measure,
    )}</select>`,
    ['harm-mix'],
  )}
  ${field(
    'Time',
    `<select name="by">${options(
      [
        ['', 'By year'],
        ['month', 'By month'],
      ],
      query.by,
    )}</select>`,
    ['trend'],
  )}
  ${field('Region', `<select name="region">${options([['', 'All regions'], ...REGIONS.map((r) => [r.code, r.label] as const)], query.region)}</select>`)}
  ${field('Country', `<select name="country">${options([['', 'All countries'], ...[...COUNTRIES].sort((a, b) => a.name.localeCompare(b.name)).map((c) => [c.code, c.name] as const)], query.country)}</select>`, ['trend', 'map'])}
  ${field('Harm', `<select name="harm">${options(harmOptions, query.harm)}</select>`)}
  ${field('From', `<select name="from">${options([['', 'First year'], ...yearList], query.from)}</select>`, ['trend', 'harm-mix'])}
  ${field('To', `<select name="to">${options([['', 'Latest year'], ...yearList], query.to)}</select>`, ['trend', 'harm-mix'])}
  ${field('Year', `<select name="year">${options([['', 'Latest full year'], ...yearList], query.year)}</select>`, ['map', 'breakdown'])}
  ${field('Width (pixels, for SVG and PNG)', `<input name="width" type="number" min="200" max="2000" step="10" value="${escapeHtml(query.width ?? '640')}">`)}
  ${field('Height (pixels)', `<input name="height" type="number" min="120" max="1500" step="10" value="${escapeHtml(query.height ?? '320')}">`)}
</form>
<section class="preview" aria-label="Preview and snippets">
  <iframe id="preview" title="Chart preview" height="560"></iframe>
  <h2>Embed on your site</h2>
  <p class="hint">Paste this into your page's HTML. The chart resizes to the page's width.</p>
  <textarea id="snippet" rows="4" readonly aria-label="Embed snippet"></textarea>
  <p><button type="button" id="copy">Copy snippet</button> <span id="copied" role="status"></span></p>
  <h2>Download</h2>
  <p class="links"><a id="svg-link" href="#">SVG image</a><a id="png-link" href="#">PNG image</a><a id="csv-link" href="#">Data (CSV)</a><a id="spec-link" href="#">Vega-Lite spec</a></p>
</section>
</div>
<script src="/assets/builder.js"></script>
</body>
</html>
`;
}
