/**
 * The trends query as the API parses it and the warehouse answers it. Codes are validated against
 * the closed lists here, once, at the edge.
 */
import { z } from 'zod';
import { AGE_BAND_CODES, CHANNEL_CODES, GENDER_CODES } from './dimensions.js';
import { COUNTRY_CODES, REGION_CODES } from './geography.js';
import { HARM_FILTER_CODES } from './taxonomy.js';

export const SPLITS = ['region', 'country', 'harmGroup', 'harm', 'ageBand', 'gender', 'channel'] as const;
export type Split = (typeof SPLITS)[number];

/** `a,b` and repeated parameters both mean a list. */
const list = <O extends string>(item: z.ZodType<O, string>) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1));

export const PeriodBoundSchema = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'a year (YYYY) or a month (YYYY-MM)');

export const TrendsQuerySchema = z.strictObject({
  by: z.enum(['year', 'month']).default('year').meta({ description: 'Time resolution (default year)' }),
  split: z.enum(SPLITS).optional().meta({ description: 'One row per value of this dimension' }),
  region: list(z.enum(REGION_CODES))
    .optional()
    .meta({ description: `Regions, repeated or comma-separated: ${REGION_CODES.join(', ')}` }),
  country: list(z.enum(COUNTRY_CODES))
    .optional()
    .meta({ description: 'ISO 3166-1 alpha-2 countries, repeated or comma-separated' }),
  harm: list(z.enum(HARM_FILTER_CODES as [string, ...string[]]))
    .optional()
    .meta({ description: 'Harm types, groups or rollups (e.g. ocsea; see /v1/meta/harm-types)' }),
  ageBand: list(z.enum(AGE_BAND_CODES))
    .optional()
    .meta({ description: `Age bands: ${AGE_BAND_CODES.join(', ')}` }),
  gender: list(z.enum(GENDER_CODES))
    .optional()
    .meta({ description: `Genders: ${GENDER_CODES.join(', ')}` }),
  channel: list(z.enum(CHANNEL_CODES))
    .optional()
    .meta({ description: `Channels: ${CHANNEL_CODES.join(', ')}` }),
  from: PeriodBoundSchema.optional().meta({ description: 'YYYY or YYYY-MM' }),
  to: PeriodBoundSchema.optional().meta({ description: 'YYYY or YYYY-MM' }),
  release: z
    .string()
    .regex(/^(live|\d{4}-\d{2}(\.\d+)?)$/, 'a release id such as 2026-11, or live')
    .optional()
    .meta({ description: 'Release id (default: newest); "live" needs the admin key' }),
  format: z.enum(['json', 'csv', 'arrow']).optional().meta({ description: 'Overrides the Accept header' }),
});
export type TrendsQuery = z.infer<typeof TrendsQuerySchema>;

/** One aggregated value as the warehouse returns it: `key` is the split's code, or null without a split. */
export interface TrendCell {
  readonly period: string;
  readonly key: string | null;
  readonly value: number;
  readonly helplinesReporting: number;
}

/** A value from a protected release: withheld values are null, never a number. */
export interface ReleasedTrendCell {
  readonly period: string;
  readonly key: string | null;
  readonly value: number | null;
  readonly suppressed: boolean;
  readonly helplinesReporting: number;
  /** Noise releases: the 95% margin of the value (± this many cases). */
  readonly margin95?: number;
}
