/**
 * The chart catalogue: for each chart, the trends query it asks and the pure builder that turns
 * the answer into a Vega-Lite spec, its text and its data table.
 */
import {
  AppError,
  CHART_SPLITS,
  type ChartName,
  type ChartParams,
  type Split,
  type Translator,
  type TrendsAnswer,
  type TrendsQuery,
  translator,
} from '../../domain/index.js';
import { breakdownChart } from './breakdown.js';
import type { Chart, ChartContext } from './common.js';
import { harmMixChart } from './harm-mix.js';
import { mapChart } from './map.js';
import { trendChart } from './trend.js';

export { CHART_NAMES, CHART_SPLITS, type ChartName, type ChartParams, ChartParamsSchema } from '../../domain/index.js';
export * from './common.js';

type Builder = (answer: TrendsAnswer, params: ChartParams, ctx: ChartContext) => Chart;

const BUILDERS: Record<ChartName, Builder> = {
  trend: trendChart,
  'harm-mix': harmMixChart,
  map: mapChart,
  breakdown: breakdownChart,
};

/** A chart's name for menus, in the reader's language. */
export const chartTitle = (chart: ChartName, t: Translator = translator('en')) => t.t(`chart.name.${chart}`);

function splitFor(chart: ChartName, params: ChartParams): Split {
  const allowed = CHART_SPLITS[chart];
  if (params.split && !allowed.includes(params.split)) {
    throw new AppError('invalid_parameter', `The ${chart} chart cannot be split by ${params.split}.`, {
      status: 400,
      problems: [
        {
          path: 'split',
          rule: 'chart_split',
          message: `the ${chart} chart splits by ${allowed.join(', ')}`,
          suggestions: [...allowed],
        },
      ],
    });
  }
  // A harm mix within the asked harm codes shows their types; otherwise the groups.
  if (chart === 'harm-mix' && !params.split && params.harm) return 'harm';
  return params.split ?? (allowed[0] as Split);
}

/** The trends query behind a chart: its filters, its split, by year except a monthly trend. */
export function chartQuery(chart: ChartName, params: ChartParams): TrendsQuery {
  const { year: _y, measure: _m, width: _w, height: _h, lang: _l, by, ...filters } = params;
  return { ...filters, split: splitFor(chart, params), by: chart === 'trend' ? by : 'year' };
}

export function buildChart(chart: ChartName, answer: TrendsAnswer, params: ChartParams, ctx: ChartContext): Chart {
  return BUILDERS[chart](answer, params, ctx);
}
