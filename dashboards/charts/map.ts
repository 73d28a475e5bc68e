/**
 * Map: a world choropleth of cases by country for one year. Three kinds of country are drawn
 * differently: with a published value (blue scale), withheld (dark grey) and no data (light grey).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendsAnswer } from '../../api/index.js';
import type { ChartParams } from '../../domain/index.js';
import { labelFor } from '../labels.js';
import { worldTopology } from '../world.js';
import {
  type Chart,
  type ChartContext,
  chartable,
  chosenYear,
  display,
  displayBelow,
  formatCount,
  frame,
  sourceLine,
  WITHHELD_COLOUR,
} from './common.js';

const NO_DATA_COLOUR = '#e8e8e8';

function harmName(params: ChartParams): string {
  if (!params.harm) return 'all harms';
  return params.harm.map((h) => labelFor(h.includes('.') ? 'harm' : 'harmGroup', h)).join(', ');
}

export function mapChart(answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  const shown = chartable(answer);
  const year = chosenYear(shown.rows, params.year);
  const rows = shown.rows.filter((r) => r.period === year);
  const world = worldTopology();
  const drawn = new Set(world.objects.countries.geometries.map((g) => g.id));
  const below = displayBelow(answer);
  const values = rows.map((r) => {
    const code = String(r.country);
    return {
      code,
      name: labelFor('country', code),
      value: r.value,
      shown: display(r.value, below),
      status: r.value === null ? 'Withheld' : 'Published',
    };
  });
  const tooSmall = values.filter((v) => !drawn.has(v.code)).map((v) => v.name);
  const ranked = values.filter((v) => v.value !== null).sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const withheld = values.length - ranked.length;
  const description = ranked.length
    ? `World map of cases registered by child helplines in ${year} (${harmName(params)}), ${ranked.length} countries with published figures${withheld ? `, ${withheld} withheld` : ''}. Highest: ${ranked
        .slice(0, 3)
        .map((v) => `${v.name} ${formatCount(v.value)}`)
        .join(', ')}.`
    : `World map with no published figures for ${year ?? 'these filters'}.`;
  const notes = [
    tooSmall.length
      ? `Too small to see at this scale, in the data table: ${tooSmall.slice(0, 6).join(', ')}${tooSmall.length > 6 ? ` and ${tooSmall.length - 6} more` : ''}.`
      : '',
  ];
  const text = {
    title: `Cases registered by child helplines by country, ${year ?? ''} (${harmName(params)})`,
    source: sourceLine(answer, ctx, rows, notes),
    description,
  };
  const width = params.width ?? 720;
  const shapes = { values: world, format: { type: 'topojson' as const, feature: 'countries' } };
  const lookup = {
    lookup: 'id',
    from: { data: { values }, key: 'code', fields: ['name', 'value', 'shown', 'status'] },
  };
  const spec: TopLevelSpec = {
    ...frame(text, width),
    width,
    height: params.height ?? Math.round(width * 0.5),
    projection: { type: 'equalEarth' },
    layer: [
      {
        data: shapes,
        transform: [
          lookup,
          { calculate: "datum.status === 'Withheld' ? 'Withheld' : 'No data'", as: 'shown' },
          { filter: "datum.status !== 'Published'" },
        ],
        mark: { type: 'geoshape', stroke: '#ffffff', strokeWidth: 0.5 },
        encoding: {
          color: {
            field: 'shown',
            type: 'nominal',
            scale: { domain: ['Withheld', 'No data'], range: [WITHHELD_COLOUR, NO_DATA_COLOUR] },
            legend: { title: null, orient: 'bottom-left' },
          },
          tooltip: [
            { field: 'properties.name', type: 'nominal', title: 'Country' },
            { field: 'shown', type: 'nominal', title: 'Cases' },
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
            legend: { title: 'Cases', format: ',d' },
          },
          tooltip: [
            { field: 'name', type: 'nominal', title: 'Country' },
            { field: 'shown', type: 'nominal', title: 'Cases' },
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
      columns: ['Country', 'Year', 'Cases'],
      rows: [...values].sort((a, b) => a.name.localeCompare(b.name)).map((v) => [v.name, year ?? '', v.value]),
      ...(below ? { displayBelow: below } : {}),
    },
  };
}
