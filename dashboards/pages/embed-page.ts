/** The page an iframe shows: one chart drawn in the browser, its source line and its data table. */
import type { Translator } from '../../domain/index.js';
import type { Chart } from '../charts/index.js';
import { CHART_SCRIPTS, chartFigure, FIGURE_STYLE, pageHead } from './page-parts.js';

export function embedPage(chart: Chart, specUrl: string, t: Translator): string {
  return `${pageHead(chart.text.title, t)}
<style>
  body { margin: 0; padding: 0 8px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
${FIGURE_STYLE}
</style>
</head>
<body>
${chartFigure(chart, specUrl, 'chart', t)}
${CHART_SCRIPTS}
</body>
</html>
`;
}
