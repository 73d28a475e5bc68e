/** `/`: the headline figures and the embeddable regional trend, with links for researchers. */
import type { TrendsAnswer } from '../api/index.js';
import { escapeHtml, pageHead } from './embed-page.js';
import { chartable } from './trend-spec.js';

export function homePage(latest: TrendsAnswer, ocsea: TrendsAnswer, now: Date): string {
  // Headlines are about the last year the release covers in full, with helplines reporting.
  const complete = (a: TrendsAnswer) =>
    chartable(a)
      .rows.filter((r) => Number(r.period) < now.getUTCFullYear())
      .at(-1);
  const lastYear = complete(latest);
  const ocseaYear = complete(ocsea);
  const fmt = (v: number | null | undefined) => (typeof v === 'number' ? v.toLocaleString('en') : 'withheld');
  return `${pageHead('Child helpline statistics')}
<style>
  body { margin: 0 auto; max-width: 960px; padding: 16px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  .headlines { display: flex; flex-wrap: wrap; gap: 16px; }
  .headline { flex: 1 1 240px; border: 1px solid #ddd; border-radius: 6px; padding: 12px; }
  .headline strong { display: block; font-size: 28px; }
  iframe { width: 100%; height: 520px; border: 0; }
  code { background: #f4f4f4; padding: 1px 4px; }
</style>
</head>
<body>
<h1>Child helpline statistics</h1>
<p>Why children contact child helplines, from de-identified monthly statistics the helplines submit. Small counts are withheld.</p>
<section class="headlines" aria-label="Headline figures">
  <div class="headline">Cases registered in ${escapeHtml(lastYear?.period ?? '–')}<strong>${fmt(lastYear?.value)}</strong>by ${lastYear?.helplinesReporting ?? 0} helplines</div>
  <div class="headline">Online child sexual exploitation and abuse, ${escapeHtml(ocseaYear?.period ?? '–')}<strong>${fmt(ocseaYear?.value)}</strong>cases</div>
</section>
<h2>Regional trends</h2>
<iframe src="/embed/trend?split=region" title="Cases registered by child helplines, by region"></iframe>
<h2>Data</h2>
<ul>
  <li>Trends API: <a href="/v1/trends?by=year&amp;split=region"><code>/v1/trends?by=year&amp;split=region</code></a></li>
  <li>Code lists: <a href="/v1/meta/dimensions"><code>/v1/meta/dimensions</code></a></li>
  <li>Chart as SVG: <a href="/charts/trend.svg?split=region"><code>/charts/trend.svg?split=region</code></a></li>
</ul>
<p>Embed the chart: <code>&lt;iframe src="/embed/trend?split=region" width="100%" height="520" style="border:0"&gt;&lt;/iframe&gt;</code></p>
</body>
</html>
`;
}
