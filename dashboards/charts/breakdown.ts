/**
 * Breakdown: horizontal bars by age band, gender or channel for one year, in the code list's own
 * order (ages stay in age order). A withheld bar is labelled "withheld" instead of drawn.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendsAnswer } from '../../api/index.js';
import type { ChartParams } from '../../domain/index.js';
import { AGE_BAND_CODES, CHANNEL_CODES, GENDER_CODES } from '../../domain/index.js';
import { labelFor } from '../labels.js';
import {
  type Chart,
  type ChartContext,
  chartable,
  chosenYear,
  display,
  displayBelow,
  formatCount,
  frame,
  PALETTE,
  percent,
  sourceLine,
  WITHHELD_COLOUR,
} from './common.js';

const ORDER = { ageBand: AGE_BAND_CODES, gender: GENDER_CODES, channel: CHANNEL_CODES } as const;

function scope(params: ChartParams): string {
  const where = params.region?.map((r) => labelFor('region', r)).join(', ') ?? 'all regions';
  const harm = params.harm?.map((h) => labelFor(h.includes('.') ? 'harm' : 'harmGroup', h)).join(', ') ?? 'all harms';
  return `${where}; ${harm}`;
}

export function breakdownChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const split = (answer.split ?? 'ageBand') as keyof typeof ORDER;
  const shown = chartable(answer);
  const year = chosenYear(shown.rows, params.year);
  const rows = shown.rows.filter((r) => r.period === year);
  const order = ORDER[split] as readonly string[];
  const below = displayBelow(answer);
  const values = rows
    .map((r) => ({
      code: String(r[split]),
      part: labelFor(split, String(r[split])),
      value: r.value,
      shown: display(r.value, below),
    }))
    .sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code));
  const total = values.reduce((s, v) => s + (v.value ?? 0), 0);
  const dimension = labelFor('dimension', split);
  const top = values
    .filter((v) => v.value !== null && v.value > 0)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
    .slice(0, 3);
  const text = {
    title: `Cases by ${dimension}, ${year ?? ''} (${scope(params)})`,
    source: sourceLine(answer, ctx, rows),
    description: top.length
      ? `Bar chart of cases registered in ${year} by ${dimension}. Largest: ${top
          .map((v) => `${v.part} ${formatCount(v.value)} (${percent(v.value ?? 0, total)})`)
          .join(', ')}.`
      : 'Bar chart with no data for these filters.',
  };
  const width = params.width ?? 560;
  const y = {
    field: 'part',
    type: 'nominal' as const,
    title: null,
    sort: values.map((v) => v.part),
    axis: { labelLimit: 200 },
  };
  const spec: TopLevelSpec = {
    ...frame(text, width),
    width,
    height: params.height ?? Math.max(160, values.length * 28),
    data: { values },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'bar', color: PALETTE[0] as string },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative', title: 'Cases', axis: { format: ',d' } },
          tooltip: [
            { field: 'part', type: 'nominal', title: dimension },
            { field: 'shown', type: 'nominal', title: 'Cases' },
          ],
        },
      },
      {
        transform: [{ filter: '!isValid(datum.value)' }, { calculate: "'× withheld'", as: 'status' }],
        mark: { type: 'text', align: 'left', dx: 4, color: WITHHELD_COLOUR },
        encoding: { y, x: { datum: 0, type: 'quantitative' }, text: { field: 'status' } },
      },
    ],
  };
  return {
    spec,
    text,
    table: {
      columns: [dimension.charAt(0).toUpperCase() + dimension.slice(1), 'Year', 'Cases'],
      rows: values.map((v) => [v.part, year ?? '', v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
