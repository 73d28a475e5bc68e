/**
 * The closed code lists a submission may use and a query may filter by, with their labels in the
 * reader's language (`?lang=`, then Accept-Language, then English). Codes never change with the
 * language; only labels do.
 */
import { type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import {
  AGE_BANDS,
  CHANNELS,
  COUNTRIES,
  CountriesAnswerSchema,
  DimensionsAnswerSchema,
  GENDERS,
  HARM_GROUPS,
  HARM_TYPES,
  HarmTypesAnswerSchema,
  MetaQuerySchema,
  REGIONS,
  RegionsAnswerSchema,
  ROLLUPS,
  resolveLanguage,
  TAXONOMY_VERSION,
  type Translator,
  translator,
} from '../domain/index.js';
import { documentPaths, json } from './http/index.js';

/** The reader's translator; a language taken from the header makes the answer vary by it. */
function readerOf(req: Request, res: Response): Translator {
  const { lang, fromHeader } = resolveLanguage(req.query.lang, req.get('accept-language'));
  if (fromHeader) res.vary('Accept-Language');
  res.set({ 'Content-Language': lang, 'Cache-Control': 'public, max-age=3600' });
  return translator(lang);
}

function lists(t: Translator) {
  return {
    groups: HARM_GROUPS.map((g) => ({ ...g, label: t.label('harmGroup', g.code) })),
    types: HARM_TYPES.map((h) => ({ ...h, label: t.label('harm', h.code) })),
    rollups: ROLLUPS.map((r) => ({ ...r, label: t.label('rollup', r.code) })),
    regions: REGIONS.map((r) => ({ ...r, label: t.label('region', r.code) })),
    countries: COUNTRIES.map((c) => ({ ...c, name: t.label('country', c.code) })),
    ageBands: AGE_BANDS.map((a) => ({ ...a, label: t.label('ageBand', a.code) })),
    genders: GENDERS.map((g) => ({ ...g, label: t.label('gender', g.code) })),
    channels: CHANNELS.map((c) => ({ ...c, label: t.label('channel', c.code) })),
  };
}

export function createMetaRouter(): Router {
  const router = Router();
  router.get('/v1/meta/harm-types', (req, res) => {
    const l = lists(readerOf(req, res));
    res.json({
      taxonomyVersion: TAXONOMY_VERSION,
      groups: l.groups.map((g) => ({
        ...g,
        types: HARM_TYPES.filter((h) => h.group === g.code).map((h) => h.code),
      })),
      types: l.types,
      rollups: l.rollups,
    });
  });
  router.get('/v1/meta/regions', (req, res) => {
    res.json({ regions: lists(readerOf(req, res)).regions });
  });
  router.get('/v1/meta/countries', (req, res) => {
    res.json({ countries: lists(readerOf(req, res)).countries });
  });
  router.get('/v1/meta/dimensions', (req, res) => {
    const t = readerOf(req, res);
    const l = lists(t);
    res.json({
      taxonomyVersion: TAXONOMY_VERSION,
      harm: l.types.map((h) => ({ code: h.code, label: h.label, group: h.group })),
      harmGroup: l.groups,
      rollup: l.rollups.map((r) => ({ code: r.code, label: r.label, types: r.types })),
      ageBand: l.ageBands,
      gender: l.genders,
      channel: l.channels,
      region: l.regions,
      country: l.countries,
      // What each dimension is called, in the same language.
      dimensionLabels: Object.fromEntries(
        ['region', 'country', 'harmGroup', 'harm', 'ageBand', 'gender', 'channel'].map((d) => [d, t.column(d)]),
      ),
    });
  });
  return router;
}

const metaPath = (path: string, summary: string, schema: z.ZodType) =>
  ({ method: 'get', path, summary, request: { query: MetaQuerySchema }, responses: { 200: json(schema) } }) as const;

export const metaPaths = documentPaths(
  metaPath('/v1/meta/harm-types', 'Harm taxonomy: types, groups, rollups', HarmTypesAnswerSchema),
  metaPath('/v1/meta/regions', 'Regions', RegionsAnswerSchema),
  metaPath('/v1/meta/countries', 'Countries with their regions', CountriesAnswerSchema),
  metaPath('/v1/meta/dimensions', 'Every code list', DimensionsAnswerSchema),
);
