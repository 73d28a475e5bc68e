/**
 * `/builder`: pick a chart, its filters and size, see it, and copy what a site or report needs —
 * the iframe snippet, direct SVG and PNG links and the chart's data as CSV. The form starts from
 * the URL, and the URL follows the form, so a builder view can be shared.
 */
import {
  COUNTRIES,
  HARM_GROUPS,
  HARM_TYPES,
  LANGUAGE_NAMES,
  LANGUAGES,
  REGIONS,
  ROLLUPS,
  type Translator,
} from '../../domain/index.js';
import { CHART_NAMES, CHART_SPLITS, type ChartName, chartTitle } from '../charts/index.js';
import { escapeHtml, languageLinks, pageHead } from './page-parts.js';

type Query = Record<string, string | undefined>;

function field(label: string, control: string, charts: readonly ChartName[] = CHART_NAMES) {
  return `<label data-charts="${charts.join(' ')}">${escapeHtml(label)}${control}</label>`;
}

/** A select named `name` of the (value, label) list, `chosen` selected. */
function select(name: string, list: readonly (readonly [string, string])[], chosen: string | undefined) {
  return `<select name="${name}">${options(list, chosen)}</select>`;
}

function options(list: readonly (readonly [string, string])[], chosen: string | undefined) {
  return list
    .map(
      ([v, l]) =>
        `<option value="${escapeHtml(v)}"${v === (chosen ?? '') ? ' selected' : ''}>${escapeHtml(l)}</option>`,
    )
    .join('');
}

export function builderPage(query: Query, years: readonly string[], t: Translator): string {
  const splitOptions = [...new Set(Object.values(CHART_SPLITS).flat())].map(
    (s) => [s, t.t('builder.splitBy', { split: s })] as const,
  );
  const yearList = years.map((y) => [y, y] as const);
  const measures = [['', t.t('builder.measure.count')] as const, ['share', t.t('builder.measure.share')] as const];
  const periods = [['', t.t('builder.byYear')] as const, ['month', t.t('builder.byMonth')] as const];
  const harmOptions = [
    ['', t.t('filter.allHarms')],
    ...ROLLUPS.map((r) => [r.code, t.label('rollup', r.code)] as const),
    ...HARM_GROUPS.flatMap((g) => [
      [g.code, t.label('harmGroup', g.code)] as const,
      ...HARM_TYPES.filter((h) => h.group === g.code).map((h) => [h.code, `— ${t.label('harm', h.code)}`] as const),
    ]),
  ] as const;
  const countries = COUNTRIES.map((c) => [c.code, t.label('country', c.code)] as const).sort((a, b) =>
    a[1].localeCompare(b[1], t.locale),
  );
  return `${pageHead(t.t('builder.pageTitle'), t)}
<style>
  body { margin: 0 auto; max-width: 1100px; padding: 12px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  .layout { display: flex; flex-wrap: wrap; gap: 16px; }
  form { flex: 1 1 260px; display: flex; flex-direction: column; gap: 8px; }
  form label { display: flex; flex-direction: column; font-size: 13px; max-width: 100%; min-width: 0; }
  form label[hidden] { display: none; }
  select, input { font-size: 15px; padding: 4px; max-width: 100%; }
  .preview { flex: 3 1 480px; min-width: 0; }
  .preview iframe { width: 100%; border: 1px solid #ddd; }
  textarea { width: 100%; font-family: monospace; font-size: 13px; box-sizing: border-box; }
  .links a { margin-inline-end: 12px; display: inline-block; }
  .languages { font-size: 13px; } .languages a { margin-inline-end: 10px; }
  .languages a[aria-current] { font-weight: bold; text-decoration: none; color: inherit; }
  .hint { font-size: 12px; color: #555; }
</style>
</head>
<body>
${languageLinks('/builder', query, t)}
<h1>${escapeHtml(t.t('builder.title'))}</h1>
<p><a href="/?lang=${t.lang}">${escapeHtml(t.t('builder.back'))}</a></p>
<div class="layout">
<form id="builder" aria-label="${escapeHtml(t.t('builder.settings'))}" data-copied="${escapeHtml(t.t('builder.copied'))}">
  ${field(
    t.t('builder.chart'),
    select(
      'chart',
      CHART_NAMES.map((c) => [c, chartTitle(c, t)] as const),
      query.chart ?? 'trend',
    ),
  )}
  ${field(
    t.t('builder.language'),
    select(
      'lang',
      LANGUAGES.map((l) => [l, LANGUAGE_NAMES[l]] as const),
      query.lang ?? t.lang,
    ),
  )}
  ${field(t.t('builder.split'), select('split', [['', t.t('builder.default')], ...splitOptions], query.split), ['trend', 'breakdown'])}
  ${field(t.t('builder.measure'), select('measure', measures, query.measure), ['harm-mix'])}
  ${field(t.t('builder.time'), select('by', periods, query.by), ['trend'])}
  ${field(t.t('filter.region'), select('region', [['', t.t('filter.allRegions')], ...REGIONS.map((r) => [r.code, t.label('region', r.code)] as const)], query.region))}
  ${field(t.t('builder.country'), select('country', [['', t.t('builder.allCountries')], ...countries], query.country), ['trend', 'map'])}
  ${field(t.t('filter.harm'), select('harm', harmOptions, query.harm))}
  ${field(t.t('filter.from'), select('from', [['', t.t('filter.firstYear')], ...yearList], query.from), ['trend', 'harm-mix'])}
  ${field(t.t('filter.to'), select('to', [['', t.t('filter.latestYear')], ...yearList], query.to), ['trend', 'harm-mix'])}
  ${field(t.t('builder.year'), select('year', [['', t.t('builder.latestFullYear')], ...yearList], query.year), ['map', 'breakdown'])}
  ${field(t.t('builder.width'), `<input name="width" type="number" min="200" max="2000" step="10" value="${escapeHtml(query.width ?? '640')}">`)}
  ${field(t.t('builder.height'), `<input name="height" type="number" min="120" max="1500" step="10" value="${escapeHtml(query.height ?? '320')}">`)}
</form>
<section class="preview" aria-label="${escapeHtml(t.t('builder.preview'))}">
  <iframe id="preview" title="${escapeHtml(t.t('builder.previewTitle'))}" height="560"></iframe>
  <h2>${escapeHtml(t.t('builder.embedHeading'))}</h2>
  <p class="hint">${escapeHtml(t.t('builder.embedHint'))}</p>
  <textarea id="snippet" rows="4" readonly aria-label="${escapeHtml(t.t('builder.snippet'))}" dir="ltr"></textarea>
  <p><button type="button" id="copy">${escapeHtml(t.t('builder.copy'))}</button> <span id="copied" role="status"></span></p>
  <h2>${escapeHtml(t.t('builder.download'))}</h2>
  <p class="links"><a id="svg-link" href="#">${escapeHtml(t.t('builder.svg'))}</a><a id="png-link" href="#">${escapeHtml(t.t('builder.png'))}</a><a id="csv-link" href="#">${escapeHtml(t.t('builder.csv'))}</a><a id="spec-link" href="#">${escapeHtml(t.t('builder.spec'))}</a></p>
</section>
</div>
<script src="/assets/builder.js"></script>
</body>
</html>
`;
}
