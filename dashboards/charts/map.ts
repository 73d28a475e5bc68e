/**
 * Map: a world choropleth of cases by country for one year. Three kinds of country are drawn
 * differently: with a published value (blue scale), withheld (dark grey) and no data (light grey).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartParams, Translator, TrendsAnswer } from '../../domain/index.js';
import { harmLabel, labelFor } from '../labels.js';
import { worldTopology } from '../world.js';
import {
  type Chart,
  type ChartContext,
  display,
  formatCount,
  frame,
  legendFor,
  NO_DATA_COLOUR,
  sourceLine,
  WITHHELD_COLOUR,
  yearBasis,
} from './common.js';

function harmName(params: ChartParams, t: Translator): string {
  if (!params.harm) return t.t('value.allHarms');
  return params.harm.map((h) => harmLabel(h, t)).join(t.comma);
}

export function mapChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const { layout, t, below, year, rows } = yearBasis(answer, params, 720);
  const world = worldTopology();
  const drawn = new Set(world.objects.countries.geometries.map((g) => g.id));
  const values = rows.map((r) => {
    const code = String(r.country);
    return {
      code,
      name: labelFor('country', code, t),
      value: r.value,
      shown: display(r.value, below, t),
      status: r.value === null ? 'withheld' : 'published',
    };
  });
  const tooSmall = values.filter((v) => !drawn.has(v.code)).map((v) => v.name);
  const ranked = values.filter((v) => v.value !== null).sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const withheld = values.length - ranked.length;
  const harm = harmName(params, t);
  const description = ranked.length
    ? t.t('chart.map.describe', {
        year: year ?? '',
        harm,
        count: ranked.length,
        withheld,
        list: ranked
          .slice(0, 3)
          .map((v) => `${v.name} ${formatCount(v.value, t)}`)
          .join(t.comma),
      })
    : t.t('chart.map.empty', { year: year ?? 'none' });
  const notes = [
    tooSmall.length
      ? t.t('chart.map.tooSmall', { list: tooSmall.slice(0, 6).join(t.comma), more: Math.max(0, tooSmall.length - 6) })
      : '',
  ];
  const text = {
    title: t.t('chart.map.title', { year: year ?? '', harm }),
    source: sourceLine(answer, ctx, rows, notes, t),
    description,
  };
  const withheldName = t.t('value.withheldStatus');
  const noDataName = t.t('value.noData');
  // The map fills the width: its height follows the projection's shape (Equal Earth is about 2:1).
  const plotWidth = layout.narrow ? layout.width - 10 : layout.width - 120;
  const shapes = { values: world, format: { type: 'topojson' as const, feature: 'countries' } };
  const lookup = {
    lookup: 'id',
    from: { data: { values }, key: 'code', fields: ['name', 'value', 'shown', 'status'] },
  };
  const spec: TopLevelSpec = {
    ...frame(text, layout, params.height ?? Math.round(plotWidth * 0.5)),
    projection: { type: 'equalEarth' },
    layer: [
      {
        data: shapes,
        transform: [
          lookup,
          {
            calculate: `datum.status === 'withheld' ? ${JSON.stringify(withheldName)} : ${JSON.stringify(noDataName)}`,
            as: 'shown',
          },
          { filter: "datum.status !== 'published'" },
        ],
        mark: { type: 'geoshape', stroke: '#ffffff', strokeWidth: 0.5 },
        encoding: {
          color: {
            field: 'shown',
            type: 'nominal',
            scale: { domain: [withheldName, noDataName], range: [WITHHELD_COLOUR, NO_DATA_COLOUR] },
            // On a phone the two legends would not fit side by side under the map: this one goes on top.
            legend: layout.narrow
              ? { ...legendFor(layout, null), orient: 'top', direction: 'horizontal', columns: 2 }
              : { ...legendFor(layout, null), orient: layout.rtl ? 'bottom-right' : 'bottom-left' },
          },
          tooltip: [
            { field: 'properties.name', type: 'nominal', title: t.column('country') },
            { field: 'shown', type: 'nominal', title: t.column('cases') },
          ],
        },
      },
      {
        data: shapes,
        transform: [lookup, { filter: 'isValid(datum.value)' }],
        mark: { type: 'geoshape', stroke: '#ffffff', strokeWidth: 0.5 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            scale: { scheme: 'blues', zero: true },
            legend: {
              ...legendFor(layout, t.column('cases')),
              format: ',d',
              ...(layout.narrow ? { direction: 'horizontal', gradientLength: Math.min(200, layout.width - 60) } : {}),
            },
          },
          tooltip: [
            { field: 'name', type: 'nominal', title: t.column('country') },
            { field: 'shown', type: 'nominal', title: t.column('cases') },
          ],
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return {
    spec,
    text,
    table: {
      columns: [t.column('country'), t.column('year'), t.column('cases')],
      rows: [...values]
        .sort((a, b) => a.name.localeCompare(b.name, t.locale))
        .map((v) => [v.name, year ?? '', v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
