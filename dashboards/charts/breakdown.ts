/**
 * Breakdown: horizontal bars by age band, gender or channel for one year, in the code list's own
 * order (ages stay in age order). A withheld bar is labelled "withheld" instead of drawn. Right to
 * left, the bars grow from the right with their labels on that side.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  AGE_BAND_CODES,
  CHANNEL_CODES,
  type ChartParams,
  GENDER_CODES,
  type Translator,
  type TrendsAnswer,
} from '../../domain/index.js';
import { harmLabel, labelFor } from '../labels.js';
import { textWidth } from '../text-metrics.js';
import {
  bidi,
  bidiLabels,
  type Chart,
  type ChartContext,
  display,
  formatCount,
  frame,
  PALETTE,
  percent,
  sourceLine,
  WITHHELD_COLOUR,
  yearBasis,
} from './common.js';

const ORDER = { ageBand: AGE_BAND_CODES, gender: GENDER_CODES, channel: CHANNEL_CODES } as const;

function scope(params: ChartParams, t: Translator): string {
  const where = params.region?.map((r) => labelFor('region', r, t)).join(t.comma) ?? t.t('value.allRegions');
  const harm = params.harm?.map((h) => harmLabel(h, t)).join(t.comma) ?? t.t('value.allHarms');
  return `${where}${t.t('list.semicolon')}${harm}`;
}

export function breakdownChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const { layout, t, shown, below, year, rows } = yearBasis(answer, params, 560);
  const split = (answer.split ?? 'ageBand') as keyof typeof ORDER;
  const order = ORDER[split] as readonly string[];
  const values = rows
    .map((r) => ({
      code: String(r[split]),
      part: labelFor(split, String(r[split]), t),
      value: r.value,
      shown: display(r.value, below, t),
    }))
    .sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code));
  const total = values.reduce((s, v) => s + (v.value ?? 0), 0);
  const top = values
    .filter((v) => v.value !== null && v.value > 0)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
    .slice(0, 3);
  const text = {
    title: t.t('chart.breakdown.title', { dimension: split, year: year ?? '', scope: scope(params, t) }),
    source: sourceLine(answer, ctx, rows, [shown.note], t),
    description: top.length
      ? t.t('chart.breakdown.describe', {
          dimension: split,
          year: year ?? '',
          list: top
            .map((v) =>
              t.t('chart.breakdown.item', {
                part: v.part,
                value: formatCount(v.value, t),
                share: percent(v.value ?? 0, total, t),
              }),
            )
            .join(t.comma),
        })
      : t.t('chart.breakdown.empty'),
  };
  const widest = Math.max(0, ...values.map((v) => textWidth(v.part, 10)));
  const y = {
    field: 'part',
    type: 'nominal' as const,
    title: null,
    sort: values.map((v) => v.part),
    axis: {
      labelLimit: Math.ceil(Math.min(widest + 4, layout.width * 0.45)),
      ...(layout.rtl ? { orient: 'right' as const } : {}),
      ...bidiLabels(layout),
    },
  };
  const xScale = layout.rtl ? { reverse: true } : {};
  const spec: TopLevelSpec = {
    ...frame(text, layout, params.height ?? Math.max(160, values.length * 28)),
    data: { values },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'bar', color: PALETTE[0] as string },
        encoding: {
          y,
          x: {
            field: 'value',
            type: 'quantitative',
            title: bidi(layout, t.column('cases')),
            scale: xScale,
            axis: { format: ',d', tickCount: Math.max(2, Math.floor(layout.width / 90)) },
          },
          tooltip: [
            { field: 'part', type: 'nominal', title: t.column(split) },
            { field: 'shown', type: 'nominal', title: t.column('cases') },
          ],
        },
      },
      {
        transform: [
          { filter: '!isValid(datum.value)' },
          { calculate: JSON.stringify(bidi(layout, t.t('value.withheldMark'))), as: 'status' },
        ],
        mark: {
          type: 'text',
          align: layout.rtl ? 'right' : 'left',
          dx: layout.rtl ? -4 : 4,
          color: WITHHELD_COLOUR,
        },
        encoding: { y, x: { datum: 0, type: 'quantitative', scale: xScale }, text: { field: 'status' } },
      },
    ],
  };
  return {
    spec,
    text,
    table: {
      columns: [t.column(split), t.column('year'), t.column('cases')],
      rows: values.map((v) => [v.part, year ?? '', v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
