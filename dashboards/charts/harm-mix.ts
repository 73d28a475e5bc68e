/**
 * Harm mix: stacked bars per year of harm groups (or the types within the asked harm codes), in
 * cases or as shares. Eight colours are all a colour-blind-safe palette has, so beyond seven parts
 * the smallest are summed as "Other" — withheld if any of them is withheld in that year.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendRow, TrendsAnswer } from '../../api/index.js';
import type { ChartParams } from '../../domain/index.js';
import { labelFor } from '../labels.js';
import {
  type Chart,
  type ChartContext,
  chartable,
  display,
  displayBelow,
  formatCount,
  frame,
  PALETTE,
  percent,
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

function parts(answer: TrendsAnswer, rows: readonly TrendRow[]): { parts: Part[]; order: string[] } {
  const split = answer.split ?? 'harmGroup';
  const otherName = split === 'harm' ? 'Other harm types' : 'Other harm groups';
  const label = (r: TrendRow) => labelFor(split, String(r[split]));
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

export function harmMixChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const shown = chartable(answer);
  const { parts: values, order } = parts(answer, shown.rows);
  const below = displayBelow(answer);
  for (const v of values) v.shown = display(v.value, below);
  const share = params.measure === 'share';
  const byType = answer.split === 'harm';
  const lastYear =
    values
      .map((v) => v.year)
      .sort()
      .at(-1) ?? '';
  const inLast = values
    .filter((v) => v.year === lastYear && v.value !== null)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const lastTotal = inLast.reduce((s, v) => s + (v.value ?? 0), 0);
  const description = inLast.length
    ? `Stacked bar chart of cases by ${byType ? 'harm type' : 'harm group'} per year. In ${lastYear}, ${inLast
        .slice(0, 3)
        .map((v) => `${v.part}: ${formatCount(v.value)} (${percent(v.value ?? 0, lastTotal)})`)
        .join('; ')}.`
    : 'Stacked bar chart with no data for these filters.';
  const notes = [
    shown.note,
    share && values.some((v) => v.value === null)
      ? 'Shares are of the published values; withheld parts are left out.'
      : '',
  ];
  const text = {
    title: `${share ? 'Share of cases' : 'Cases'} by ${byType ? 'harm type' : 'harm group'}, per year`,
    source: sourceLine(answer, ctx, shown.rows, notes),
    description,
  };
  const width = params.width ?? 640;
  const x = { field: 'year', type: 'ordinal' as const, title: 'Year', axis: { labelAngle: 0 } };
  const spec: TopLevelSpec = {
    ...frame(text, width),
    width,
    height: params.height ?? 360,
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
            title: share ? 'Share of cases' : 'Cases',
            axis: { format: share ? '.0%' : ',d' },
          },
          color: {
            field: 'part',
            type: 'nominal',
            title: byType ? 'Harm type' : 'Harm group',
            sort: order,
            scale: { domain: order, range: PALETTE },
            legend: { labelLimit: 260 },
          },
          order: { field: 'rank', type: 'quantitative' },
          tooltip: [
            { field: 'part', type: 'nominal', title: byType ? 'Harm type' : 'Harm group' },
            { field: 'year', type: 'ordinal', title: 'Year' },
            { field: 'shown', type: 'nominal', title: 'Cases' },
          ],
        },
      },
      withheldLayer(x, [
        { field: 'part', type: 'nominal', title: byType ? 'Harm type' : 'Harm group' },
        { field: 'year', type: 'ordinal', title: 'Year' },
      ]),
    ],
  };
  return {
    spec,
    text,
    table: {
      columns: [byType ? 'Harm type' : 'Harm group', 'Year', 'Cases'],
      rows: values.map((v) => [v.part, v.year, v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
