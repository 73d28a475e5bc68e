/** The page an iframe shows: the chart drawn in the browser, its source line and a data table. */
import type { ChartText } from './trend-spec.js';

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

export function embedPage(text: ChartText, specUrl: string): string {
  return `${pageHead(text.title)}
<style>
  body { margin: 0; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  figure { margin: 0; padding: 8px; }
  .chart { width: 100%; min-height: 280px; }
  figcaption { font-size: 12px; color: #555; margin-top: 4px; }
  details { font-size: 13px; margin-top: 6px; }
  table { border-collapse: collapse; }
  th, td { padding: 2px 8px; text-align: left; border-bottom: 1px solid #ddd; }
  td:last-child { text-align: right; }
</style>
</head>
<body>
<figure data-spec="${escapeHtml(specUrl)}" aria-describedby="chart-description">
  <div class="chart" role="img" aria-label="${escapeHtml(text.description)}"></div>
  <p class="status" role="status">Loading chart…</p>
  <figcaption><span id="chart-description">${escapeHtml(text.description)}</span><br>${escapeHtml(text.source)}</figcaption>
  <details>
    <summary>Data table</summary>
    <table><caption>${escapeHtml(text.title)}</caption>
      <thead><tr><th scope="col">Series</th><th scope="col">Period</th><th scope="col">Cases</th></tr></thead>
      <tbody></tbody>
    </table>
  </details>
</figure>
<script src="/vendor/vega.min.js"></script>
<script src="/vendor/vega-lite.min.js"></script>
<script src="/vendor/vega-embed.min.js"></script>
<script src="/assets/embed.js"></script>
</body>
</html>
`;
}
