/**
 * `/admin/completeness`: the secretariat's view of who has reported which months and how late.
 * Only who reported when, never what: the same facts as the public /v1/completeness.
 */
import { escapeHtml, pageHead } from './page-parts.js';

export interface CompletenessReport {
  readonly year: number;
  readonly deadlineDay: number;
  readonly timeZone: string;
  readonly helplines: readonly {
    id: string;
    name: string;
    country: string;
    months: readonly { period: string; reported: boolean; onTime: boolean | null; daysLate: number | null }[];
  }[];
}

function cell(m: CompletenessReport['helplines'][number]['months'][number]): string {
  if (m.reported && m.onTime) return '<td class="ok">on time</td>';
  if (m.reported) return `<td class="late">${m.daysLate} d late</td>`;
  if (m.daysLate !== null) return `<td class="missing">missing, ${m.daysLate} d overdue</td>`;
  return '<td class="due">due</td>';
}

export function completenessPage(report: CompletenessReport): string {
  const periods = report.helplines[0]?.months.map((m) => m.period) ?? [];
  const rows = report.helplines
    .map(
      (h) =>
        `<tr><th scope="row">${escapeHtml(h.name)} <small>${escapeHtml(h.id)} · ${escapeHtml(h.country)}</small></th>${h.months.map(cell).join('')}</tr>`,
    )
    .join('\n');
  const all = report.helplines.flatMap((h) => h.months);
  const count = (f: (m: (typeof all)[number]) => boolean) => all.filter(f).length;
  return `${pageHead(`Reporting completeness ${report.year}`)}
<style>
  body { margin: 0 auto; max-width: 1200px; padding: 12px; font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; font-size: 12px; }
  th, td { padding: 3px 6px; border: 1px solid #ddd; white-space: nowrap; }
  th[scope=row] { text-align: left; }
  .ok { background: #e6f4ea; } .late { background: #fff4e5; } .missing { background: #fde7e9; } .due { background: #f4f4f4; }
</style>
</head>
<body>
<h1>Reporting completeness, ${report.year}</h1>
<p>A month is on time when it arrives by day ${report.deadlineDay} of the next month (${escapeHtml(report.timeZone)}).
${count((m) => m.onTime === true)} on time, ${count((m) => m.onTime === false)} late, ${count((m) => !m.reported && m.daysLate !== null)} missing.
<a href="/admin/completeness?year=${report.year - 1}">${report.year - 1}</a> · <a href="/admin/completeness?year=${report.year + 1}">${report.year + 1}</a> ·
<a href="/v1/completeness?year=${report.year}&amp;format=csv">CSV</a></p>
<div class="scroll"><table>
<thead><tr><th scope="col">Helpline</th>${periods.map((p) => `<th scope="col">${p}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
</body>
</html>
`;
}
