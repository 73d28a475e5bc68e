/**
 * The parameters every chart URL takes: the research API's filters, plus how to draw. One zod
 * schema for the routes, the builder and the tests; each chart turns them into a trends query.
 */
import { z } from 'zod';
import { LangSchema } from './i18n/index.js';
import { type Split, TrendsQuerySchema } from './trends.js';

export const CHART_NAMES = ['trend', 'harm-mix', 'map', 'breakdown'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

const size = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();

export const ChartParamsSchema = z.strictObject({
  ...TrendsQuerySchema.pick({
    by: true,
    split: true,
    region: true,
    country: true,
    harm: true,
    from: true,
    to: true,
  }).shape,
  release: z
    .string()
    .regex(/^\d{4}-\d{2}(\.\d+)?$/, 'a published release id such as 2026-11 (charts never show the live view)')
    .optional()
    .meta({ description: 'Release id (default: newest); charts never show live data' }),
  year: z
    .string()
    .regex(/^\d{4}$/, 'a year (YYYY)')
    .optional()
    .meta({ description: 'map and breakdown: the year shown (default: the latest year the release covers in full)' }),
  measure: z
    .enum(['count', 'share'])
    .default('count')
    .meta({ description: 'harm-mix: cases, or each part as a share of the year' }),
  width: size(200, 2000).meta({ description: 'Pixels (SVG/PNG; embeds fit their frame)' }),
  height: size(120, 1500),
  lang: LangSchema.optional(),
});
export type ChartParams = z.infer<typeof ChartParamsSchema>;

/** The splits each chart can draw, the first being its default; map and harm-mix choose their own. */
export const CHART_SPLITS: Record<ChartName, readonly Split[]> = {
  trend: ['region', 'country', 'harmGroup', 'harm'],
  'harm-mix': ['harmGroup', 'harm'],
  map: ['country'],
  breakdown: ['ageBand', 'gender', 'channel'],
};

/** Parameters that only shape the drawing; everything else is a filter passed to the trends query. */
export const DRAWING_KEYS = ['year', 'measure', 'width', 'height', 'lang'] as const;

/** A chart as Vega-Lite: its data inline, its text alternative in `description`. */
export const VegaLiteSpecSchema = z
  .object({
    $schema: z.string().meta({ description: 'https://vega.github.io/schema/vega-lite/v6.json' }),
    description: z.string().meta({ description: 'The chart in words (alt text)' }),
    title: z.object({ text: z.union([z.string(), z.array(z.string())]), subtitle: z.array(z.string()) }),
  })
  .meta({
    id: 'VegaLiteSpec',
    description: 'A Vega-Lite v6 top-level spec (data, marks, encodings as Vega-Lite defines them)',
  });
