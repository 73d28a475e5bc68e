/**
 * What the code lists, the admin API and the service endpoints answer: one zod schema each, the
 * source of the OpenAPI document's response bodies.
 */
import { z } from 'zod';
import { ApiKeyViewSchema } from './admin.js';
import { LangSchema } from './i18n/index.js';

const Labelled = z.object({ code: z.string(), label: z.string() });
const HarmTypeView = Labelled.extend({ group: z.string(), sensitive: z.boolean() });
const RollupView = Labelled.extend({ types: z.array(z.string()) });
const CountryView = z.object({ code: z.string(), name: z.string(), region: z.string() });

export const HarmTypesAnswerSchema = z
  .object({
    taxonomyVersion: z.string(),
    groups: z.array(Labelled.extend({ types: z.array(z.string()).meta({ description: "The group's harm types" }) })),
    types: z.array(HarmTypeView),
    rollups: z.array(RollupView),
  })
  .meta({ id: 'HarmTypes' });
export const RegionsAnswerSchema = z.object({ regions: z.array(Labelled) });
export const CountriesAnswerSchema = z.object({ countries: z.array(CountryView) });
export const DimensionsAnswerSchema = z
  .object({
    taxonomyVersion: z.string(),
    harm: z.array(Labelled.extend({ group: z.string() })),
    harmGroup: z.array(Labelled),
    rollup: z.array(RollupView),
    ageBand: z.array(Labelled),
    gender: z.array(Labelled),
    channel: z.array(Labelled),
    region: z.array(Labelled),
    country: z.array(CountryView),
    dimensionLabels: z.record(z.string(), z.string()).meta({ description: 'Each dimension’s name, in the language' }),
  })
  .meta({ id: 'Dimensions' });

export const HelplineInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  country: z.string(),
  region: z.string(),
});
export type HelplineInfo = z.infer<typeof HelplineInfoSchema>;
/** Approved local codes by dimension: local code → canonical code. */
export const MappingsViewSchema = z.record(z.string(), z.record(z.string(), z.string()));

export const HelplinesAnswerSchema = z.object({ helplines: z.array(HelplineInfoSchema) });
export const NewHelplineAnswerSchema = z.object({ helpline: HelplineInfoSchema, key: z.string(), note: z.string() });
export const HelplineAnswerSchema = z.object({ helpline: HelplineInfoSchema, mappings: MappingsViewSchema });
export const HelplineMappingsAnswerSchema = z.object({ helplineId: z.string(), mappings: MappingsViewSchema });
export const UnlockAnswerSchema = z.object({
  helplineId: z.string(),
  period: z.string(),
  unlocked: z.literal(true),
  note: z.string(),
});
export const RotatedKeyAnswerSchema = z.object({
  helplineId: z.string(),
  key: z.string(),
  prefix: z.string(),
  previousKeysValidUntil: z.string(),
  note: z.string(),
});
export const KeysAnswerSchema = z.object({ keys: z.array(ApiKeyViewSchema) });
export const AdminKeyAnswerSchema = z.object({
  key: z.string(),
  prefix: z.string(),
  expiresAt: z.string(),
  note: z.string(),
});
export const RevokedAnswerSchema = z.object({ revoked: z.array(ApiKeyViewSchema), note: z.string() });

export const HealthSchema = z.object({ status: z.literal('ok') });
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.record(z.string(), z.boolean()).meta({ description: 'Each dependency (kafka, duckdb): reachable or not' }),
});
export const OpenApiDocumentSchema = z
  .object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }) })
  .meta({ description: 'An OpenAPI 3.1 document (paths, components)' });

/** Labels come in the asked language (then Accept-Language, then English); codes never change. */
export const MetaQuerySchema = z.object({ lang: LangSchema.optional() });
