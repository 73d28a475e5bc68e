/**
 * Harm mix: stacked bars per year of harm groups (or the types within the asked harm codes), in
 * cases or as shares. Eight colours are all a colour-blind-safe palette has, so beyond seven parts
 * the smallest are summed as "Other" — withheld if any of them is withheld in that year. Every
 * year from the first to the last has its place on the axis, so a year nobody reported shows as
 * an empty slot instead of the bars jumping across it.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartParams, Translator, TrendRow, TrendsAnswer } from '../../domain/index.js';
import { labelFor } from '../labels.js';
import { textWidth } from '../text-metrics.js';
import {
  bidi,
  type Chart,
  type ChartContext,
  chartBasis,
  display,
  formatCount,
  formatRuns,
  frame,
  type Layout,
  legendFor,
  missingRuns,
  PALETTE,
  percent,
  periodRange,
  sourceLine,
  withheldLayer,
} from './common.js';

const MAX_PARTS = 7;

interface Part {
  readonly year: string;
  readonly part: string;
  readonly value: number | null;
  shown: string;
  /** Position in the legend: bars stack in this order, the biggest part at the bottom. */
  rank: number;
}

function parts(answer: TrendsAnswer, rows: readonly TrendRow[], t: Translator): { parts: Part[]; order: string[] } {
  const split = answer.split ?? 'harmGroup';
  const otherName = t.t('chart.harmMix.other', { by: split });
  const label = (r: TrendRow) => labelFor(split, String(r[split]), t);
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(label(r), (totals.get(label(r)) ?? 0) + (r.value ?? 0));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const kept = new Set(ranked.length > MAX_PARTS + 1 ? ranked.slice(0, MAX_PARTS) : ranked);
  const out: Part[] = [];
  const other = new Map<string, number | null>();
  for (const r of rows) {
    const name = label(r);
    if (kept.has(name)) out.push({ year: r.period, part: name, value: r.value, shown: '', rank: 0 });
    else {
      const sum = other.has(r.period) ? other.get(r.period) : 0;
      other.set(r.period, sum === null || sum === undefined || r.value === null ? null : sum + r.value);
    }
  }
  for (const [year, value] of other) out.push({ year, part: otherName, value, shown: '', rank: 0 });
  const order = [...ranked.filter((n) => kept.has(n)), ...(other.size ? [otherName] : [])];
  for (const p of out) p.rank = order.indexOf(p.part);
  return { parts: out, order };
}

/** Year labels that never touch: level when each has room, upright when not, thinned below that. */
function yearAxis(years: readonly string[], layout: Layout) {
  const plot = Math.max(80, layout.width - (layout.narrow ? 70 : 300));
  const band = plot / Math.max(1, years.length);
  const labelWidth = textWidth('2000', 10) + 8;
  if (band >= labelWidth) return { labelAngle: 0 };
  const step = band >= 16 ? 1 : Math.ceil(16 / band);
  return {
    labelAngle: -90,
    labelAlign: 'right' as const,
    labelBaseline: 'middle' as const,
    ...(step > 1 ? { values: years.filter((_, i) => i % step === 0) } : {}),
  };
}

export function harmMixChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const { layout, t, shown, below } = chartBasis(answer, params, 640);
  const { parts: values, order } = parts(answer, shown.rows, t);
  for (const v of values) v.shown = display(v.value, below, t);
  const share = params.measure === 'share';
  const by = answer.split === 'harm' ? 'harm' : 'harmGroup';
  const partTitle = t.column(by);
  const years = [...new Set(values.map((v) => v.year))].sort();
  const lastYear = years.at(-1) ?? '';
  const inLast = values
    .filter((v) => v.year === lastYear && v.value !== null)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const lastTotal = inLast.reduce((s, v) => s + (v.value ?? 0), 0);
  const description = inLast.length
    ? t.t('chart.harmMix.describe', {
        by,
        year: lastYear,
        parts: inLast
          .slice(0, 3)
          .map((v) =>
            t.t('chart.harmMix.part', {
              part: v.part,
              value: formatCount(v.value, t),
              share: percent(v.value ?? 0, lastTotal, t),
            }),
          )
          .join(t.t('list.semicolon')),
      })
    : t.t('chart.harmMix.empty');
  const gaps = missingRuns(years);
  const notes = [
    shown.note,
    gaps.length ? t.t('note.gap.harmMix', { periods: formatRuns(gaps, t) }) : '',
    share && values.some((v) => v.value === null) ? t.t('note.shares') : '',
  ];
  const text = {
    title: t.t('chart.harmMix.title', { measure: share ? 'share' : 'count', by }),
    source: sourceLine(answer, ctx, shown.rows, notes, t),
    description,
  };
  const allYears = years.length ? periodRange(years[0] as string, lastYear) : [];
  const x = {
    field: 'year',
    type: 'ordinal' as const,
    title: bidi(layout, t.column('year')),
    scale: { domain: allYears },
    axis: yearAxis(allYears, layout),
  };
  const spec: TopLevelSpec = {
    ...frame(text, layout, params.height ?? 360),
    data: { values },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'bar' },
        encoding: {
          x,
          y: {
            field: 'value',
            type: 'quantitative',
            stack: share ? 'normalize' : 'zero',
            title: bidi(layout, t.column(share ? 'shareOfCases' : 'cases')),
            axis: { format: share ? '.0%' : ',d', ...(layout.rtl ? { orient: 'right' as const } : {}) },
          },
          color: {
            field: 'part',
            type: 'nominal',
            title: partTitle,
            sort: order,
            scale: { domain: order, range: PALETTE },
            legend: legendFor(layout, partTitle),
          },
          order: { field: 'rank', type: 'quantitative' },
          tooltip: [
            { field: 'part', type: 'nominal', title: partTitle },
            { field: 'year', type: 'ordinal', title: t.column('year') },
            { field: 'shown', type: 'nominal', title: t.column('cases') },
          ],
        },
      },
      withheldLayer(
        x,
        [
          { field: 'part', type: 'nominal', title: partTitle },
          { field: 'year', type: 'ordinal', title: t.column('year') },
        ],
        t,
      ),
    ],
  };
  return {
    spec,
    text,
    table: {
      columns: [partTitle, t.column('year'), t.column('cases')],
      rows: values.map((v) => [v.part, v.year, v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
