/**
 * Trend: lines over time, one per region, country, harm group or harm type. Withheld values are
 * crosses along the top of the plot, never points at zero. A period nobody reported breaks the
 * line (each unbroken run is its own segment) and is shaded on the time axis as "no data".
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartParams, Translator, TrendsAnswer } from '../../domain/index.js';
import { labelFor } from '../labels.js';
import { textWidth } from '../text-metrics.js';
import {
  bidi,
  type Chart,
  type ChartContext,
  chartBasis,
  display,
  formatRuns,
  frame,
  legendFor,
  missingRuns,
  NO_DATA_COLOUR,
  nextPeriod,
  PALETTE,
  periodRange,
  sourceLine,
  withheldLayer,
} from './common.js';

type Row = TrendsAnswer['rows'][number];

function describe(answer: TrendsAnswer, rows: readonly Row[], t: Translator): string {
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
  const sentences = [...byKey.entries()].slice(0, 5).map(([key, s]) =>
    t.t('chart.trend.series', {
      name: split ? labelFor(split, key, t) : t.t('value.allHelplines'),
      first: s.first,
      firstPeriod: t.period(s.firstPeriod),
      last: s.last,
      lastPeriod: t.period(s.lastPeriod),
      change: s.first === 0 ? 'none' : t.change((s.last - s.first) / s.first),
    }),
  );
  return sentences.length
    ? t.t('chart.trend.describe', { sentences: sentences.join(' '), more: Math.max(0, byKey.size - 5) })
    : t.t('chart.trend.empty');
}

/** Each series' unbroken runs of periods: a line is drawn within a run, never across a gap. */
function segments(rows: readonly { series: string; period: string }[]): Map<object, string> {
  const bySeries = new Map<string, { series: string; period: string }[]>();
  for (const r of rows) bySeries.set(r.series, [...(bySeries.get(r.series) ?? []), r]);
  const out = new Map<object, string>();
  for (const [series, list] of bySeries) {
    let run = 0;
    let previous: string | undefined;
    for (const r of [...list].sort((a, b) => a.period.localeCompare(b.period))) {
      if (previous !== undefined && nextPeriod(previous) !== r.period) run++;
      out.set(r, `${series}#${run}`);
      previous = r.period;
    }
  }
  return out;
}

export function trendChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const { layout, t, shown, below } = chartBasis(answer, params, 640);
  const split = answer.split;
  const seriesOf = (r: Row) => (split ? labelFor(split, String(r[split]), t) : t.t('value.allHelplines'));
  const values = shown.rows.map((r) => ({
    period: r.period,
    series: seriesOf(r),
    value: r.value,
    shown: display(r.value, below, t),
    segment: '',
  }));
  // A withheld value is a value (marked ×): the line goes on past it. Only no report breaks it.
  const segmentOf = segments(values);
  for (const v of values) v.segment = segmentOf.get(v) ?? v.series;
  const gaps = missingRuns(shown.rows.map((r) => r.period));
  const seriesGaps = new Set(values.map((v) => v.segment)).size > new Set(values.map((v) => v.series)).size;
  const notes = [
    shown.note,
    gaps.length ? t.t('note.gap.trend', { periods: formatRuns(gaps, t) }) : '',
    seriesGaps && !gaps.length ? t.t('note.seriesGap') : '',
  ];
  const text = {
    title: t.t('chart.trend.title', { split: split ?? 'none' }),
    source: sourceLine(answer, ctx, shown.rows, notes, t),
    description: describe(answer, shown.rows, t),
  };
  const byYear = answer.by === 'year';
  const timeUnit = byYear ? 'year' : 'yearmonth';
  // As many time labels as fit the width: the widest label plus a gap each.
  const periods = shown.rows.map((r) => r.period).sort();
  const span = periods.length ? periodRange(periods[0] as string, periods.at(-1) as string).length : 1;
  const sample = byYear ? '2000' : t.period('2000-09');
  const labelRoom = textWidth(sample, 10) + 14;
  const plotWidth = layout.width - (layout.narrow ? 70 : 260);
  const tickCount = Math.max(2, Math.min(span, Math.floor(plotWidth / labelRoom)));
  const x = {
    field: 'period',
    type: 'temporal' as const,
    timeUnit,
    title: bidi(layout, t.column(byYear ? 'year' : 'month')),
    axis: {
      format: byYear ? '%Y' : '%b %Y',
      tickCount: byYear ? { interval: 'year' as const, step: Math.ceil(span / tickCount) } : tickCount,
      labelOverlap: true,
      labelFlush: true,
    },
  };
  const seriesTitle = split ? t.column(split) : t.column('series');
  const tooltipLabels = [
    { field: 'series', type: 'nominal', title: seriesTitle },
    { field: 'period', type: 'temporal', timeUnit, title: t.column('period') },
  ];
  const gapBands = gaps.map(([from, to]) => {
    const before = periods.filter((p) => p < from).at(-1) ?? from;
    const after = periods.find((p) => p > to) ?? to;
    return { from: before, to: after, label: t.t('value.noData') };
  });
  const spec: TopLevelSpec = {
    ...frame(text, layout, params.height ?? 320),
    data: { values },
    layer: [
      ...(gapBands.length
        ? [
            {
              data: { values: gapBands },
              mark: { type: 'rect' as const, color: NO_DATA_COLOUR, opacity: 0.6 },
              encoding: {
                x: { field: 'from', type: 'temporal' as const, timeUnit },
                x2: { field: 'to', timeUnit },
                tooltip: [{ field: 'label', type: 'nominal' as const, title: t.column('period') }],
              },
            },
          ]
        : []),
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'value',
            type: 'quantitative',
            title: bidi(layout, t.column('cases')),
            axis: { format: ',d', ...(layout.rtl ? { orient: 'right' as const } : {}) },
          },
          color: {
            field: 'series',
            type: 'nominal',
            title: split ? seriesTitle : null,
            // Colours follow the code lists' order, so a region keeps its colour in every language.
            sort: [...new Set(values.map((v) => v.series))],
            scale: { range: PALETTE },
            legend: legendFor(layout, split ? seriesTitle : null),
          },
          detail: { field: 'segment', type: 'nominal' },
          tooltip: [...tooltipLabels, { field: 'shown', type: 'nominal', title: t.column('cases') }],
        },
      },
      withheldLayer(x, tooltipLabels, t),
    ],
  } as TopLevelSpec;
  return {
    spec,
    text,
    table: {
      columns: [seriesTitle, t.column(byYear ? 'year' : 'month'), t.column('cases')],
      rows: values.map((v) => [v.series, v.period, v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
