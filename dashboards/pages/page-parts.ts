/** Pieces every page shares: escaping, the head, and a chart figure with its accessible data table. */
import { LANGUAGE_NAMES, LANGUAGES, type Translator, translator } from '../../domain/index.js';
import { type Chart, display } from '../charts/index.js';

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The head every page shares (UTF-8, phone width, no icon request, the page's language and
 * direction); the page adds its styles. A right-to-left page mirrors through `dir` and the pages'
 * logical CSS properties (margin-inline-end, text-align: start).
 */
export const pageHead = (title: string, t: Translator = translator('en')) => `<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>`;

/** Links to the same page in every language (each language's own name, marked with its language). */
export function languageLinks(path: string, query: Record<string, string | undefined>, t: Translator): string {
  const links = LANGUAGES.map((lang) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v && k !== 'lang') q.set(k, v);
    q.set('lang', lang);
    const current = lang === t.lang ? ' aria-current="true"' : '';
    return `<a href="${escapeHtml(`${path}?${q}`)}" hreflang="${lang}" lang="${lang}"${current}>${escapeHtml(LANGUAGE_NAMES[lang])}</a>`;
  });
  return `<nav class="languages" aria-label="${escapeHtml(t.t('page.language'))}">${links.join(' ')}</nav>`;
}

export const FIGURE_STYLE = `
  figure { margin: 0; padding: 8px 0; }
  .chart { width: 100%; min-height: 240px; }
  /* Charts keep a left-to-right base, as when drawn on the server; their Arabic text carries its
     own right-to-left embedding, and their layout is mirrored by the spec (axis, legend, title). */
  .chart { direction: ltr; }
  figcaption { font-size: 12px; color: #555; margin-top: 4px; }
  details { font-size: 13px; margin-top: 6px; }
  .table-scroll { max-height: 320px; overflow: auto; }
  table { border-collapse: collapse; }
  th, td { padding: 2px 8px; text-align: start; border-bottom: 1px solid #ddd; }
  td:last-child { text-align: end; }
  .languages { font-size: 13px; margin: 4px 0; }
  .languages a { margin-inline-end: 10px; }
  .languages a[aria-current] { font-weight: bold; text-decoration: none; color: inherit; }`;

/** Scripts that draw every `figure[data-spec]` on a page, all from this server. */
export const CHART_SCRIPTS = `<script src="/vendor/vega.min.js"></script>
<script src="/vendor/vega-lite.min.js"></script>
<script src="/vendor/vega-embed.min.js"></script>
<script src="/assets/embed.js"></script>`;

/**
 * A chart as the browser draws it from `specUrl`, with the text and the data table already in the
 * HTML: screen readers, search engines and a browser without scripts still get the numbers.
 */
export function chartFigure(chart: Chart, specUrl: string, id = 'chart', t: Translator = translator('en')): string {
  const { text, table } = chart;
  const body = table.rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) =>
            i === r.length - 1
              ? `<td>${escapeHtml(display(c as number | null, table.displayBelow, t))}</td>`
              : `<td>${escapeHtml(String(c))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<figure data-spec="${escapeHtml(specUrl)}" data-error="${escapeHtml(t.t('figure.loadError', { status: '{status}' }))}" aria-describedby="${id}-description">
  <div class="chart" role="img" aria-label="${escapeHtml(text.description)}"></div>
  <p class="status" role="status">${escapeHtml(t.t('figure.loading'))}</p>
  <figcaption><span id="${id}-description">${escapeHtml(text.description)}</span><br>${escapeHtml(text.source)}</figcaption>
  <details>
    <summary>${escapeHtml(t.t('figure.dataTable'))}</summary>
    <div class="table-scroll"><table><caption>${escapeHtml(text.title)}</caption>
      <thead><tr>${table.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead>
      <tbody>
${body}
      </tbody>
    </table></div>
  </details>
</figure>`;
}
