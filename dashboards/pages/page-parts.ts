/** Pieces every page shares: escaping, the head, and a chart figure with its accessible data table. */
import { type Chart, display } from '../charts/index.js';

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The head every page shares (UTF-8, phone width, no icon request); the page adds its styles. */
export const pageHead = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>`;

export const FIGURE_STYLE = `
  figure { margin: 0; padding: 8px 0; }
  .chart { width: 100%; min-height: 240px; }
  figcaption { font-size: 12px; color: #555; margin-top: 4px; }
  details { font-size: 13px; margin-top: 6px; }
  .table-scroll { max-height: 320px; overflow: auto; }
  table { border-collapse: collapse; }
  th, td { padding: 2px 8px; text-align: left; border-bottom: 1px solid #ddd; }
  td:last-child { text-align: right; }`;

/** Scripts that draw every `figure[data-spec]` on a page, all from this server. */
export const CHART_SCRIPTS = `<script src="/vendor/vega.min.js"></script>
<script src="/vendor/vega-lite.min.js"></script>
<script src="/vendor/vega-embed.min.js"></script>
<script src="/assets/embed.js"></script>`;

/**
 * A chart as the browser draws it from `specUrl`, with the text and the data table already in the
 * HTML: screen readers, search engines and a browser without scripts still get the numbers.
 */
export function chartFigure(chart: Chart, specUrl: string, id = 'chart'): string {
  const { text, table } = chart;
  const body = table.rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) =>
            i === r.length - 1
              ? `<td>${escapeHtml(display(c as number | null, table.displayBelow))}</td>`
              : `<td>${escapeHtml(String(c))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<figure data-spec="${escapeHtml(specUrl)}" aria-describedby="${id}-description">
  <div class="chart" role="img" aria-label="${escapeHtml(text.description)}"></div>
  <p class="status" role="status">Loading chart…</p>
  <figcaption><span id="${id}-description">${escapeHtml(text.description)}</span><br>${escapeHtml(text.source)}</figcaption>
  <details>
    <summary>Data table</summary>
    <div class="table-scroll"><table><caption>${escapeHtml(text.title)}</caption>
      <thead><tr>${table.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead>
      <tbody>
${body}
      </tbody>
    </table></div>
  </details>
</figure>`;
}
