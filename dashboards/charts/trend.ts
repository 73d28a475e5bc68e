/**
 * Trend: lines over time, one per region, country, harm group or harm type. Withheld values are
 * crosses along the top of the plot, never points at zero.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendsAnswer } from '../../api/index.js';
import type { ChartParams } from '../../domain/index.js';
import { labelFor } from '../labels.js';
import {
  type Chart,
  type ChartContext,
  chartable,
  display,
  displayBelow,
  frame,
  PALETTE,
  sourceLine,
  withheldLayer,
} from './common.js';

function describe(answer: TrendsAnswer, rows: TrendsAnswer['rows']): string {
  const split = answer.split;
  const byKey = new Map<string, { first: number; last: number; firstPeriod: string; lastPeriod: string }>();
  for (const row of rows) {
    if (row.value === null) continue;
    const key = split ? String(row[split]) : 'all';
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { first: row.value, last: row.value, firstPeriod: row.period, lastPeriod: row.period });
    else {
      seen.last = row.value;
      seen.lastPeriod = row.period;
    }
  }
  const sentences = [...byKey.entries()].slice(0, 5).map(([key, s]) => {
    const name = split ? labelFor(split, key) : 'All helplines';
    const change =
      s.first === 0 ? '' : ` (${s.last >= s.first ? '+' : ''}${Math.round(((s.last - s.first) / s.first) * 100)}%)`;
    return `${name}: ${s.first.toLocaleString('en')} cases in ${s.firstPeriod}, ${s.last.toLocaleString('en')} in ${s.lastPeriod}${change}.`;
  });
  const more = byKey.size > 5 ? ` And ${byKey.size - 5} more series.` : '';
  return sentences.length ? `Line chart. ${sentences.join(' ')}${more}` : 'Line chart with no data for these filters.';
}

export function trendChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const split = answer.split;
  const shown = chartable(answer);
  const seriesOf = (r: TrendsAnswer['rows'][number]) => (split ? labelFor(split, String(r[split])) : 'All helplines');
  const text = {
    title: split
      ? `Cases registered by child helplines, by ${labelFor('dimension', split)}`
      : 'Cases registered by child helplines',
    source: sourceLine(answer, ctx, shown.rows, [shown.note]),
    description: describe(answer, shown.rows),
  };
  const width = params.width ?? 640;
  const below = displayBelow(answer);
  const values = shown.rows.map((r) => ({
    period: r.period,
    series: seriesOf(r),
    value: r.value,
    shown: display(r.value, below),
  }));
  const timeUnit = answer.by === 'year' ? 'year' : 'yearmonth';
  const x = {
    field: 'period',
    type: 'temporal' as const,
    timeUnit,
    title: answer.by === 'year' ? 'Year' : 'Month',
    axis: { format: answer.by === 'year' ? '%Y' : '%b %Y' },
  };
  const dimension = split ? labelFor('dimension', split) : 'series';
  const seriesTitle = dimension.charAt(0).toUpperCase() + dimension.slice(1);
  const spec: TopLevelSpec = {
    ...frame(text, width),
    width,
    height: params.height ?? 320,
    data: { values },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'Cases', axis: { format: ',d' } },
          color: { field: 'series', type: 'nominal', title: split ? seriesTitle : null, scale: { range: PALETTE } },
          tooltip: [
            { field: 'series', type: 'nominal', title: seriesTitle },
            { field: 'period', type: 'temporal', timeUnit, title: 'Period' },
            { field: 'shown', type: 'nominal', title: 'Cases' },
          ],
        },
      },
      withheldLayer(x, [
        { field: 'series', type: 'nominal', title: seriesTitle },
        { field: 'period', type: 'temporal', timeUnit, title: 'Period' },
      ]),
    ],
  };
  return {
    spec,
    text,
    table: {
      columns: [seriesTitle, answer.by === 'year' ? 'Year' : 'Month', 'Cases'],
      rows: values.map((v) => [v.series, v.period, v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
