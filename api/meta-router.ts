/** The closed code lists a submission may use and a query may filter by. */
import { Router } from 'express';
import {
  AGE_BANDS,
  CHANNELS,
  COUNTRIES,
  GENDERS,
  HARM_GROUPS,
  HARM_TYPES,
  REGIONS,
  ROLLUPS,
  TAXONOMY_VERSION,
} from '../domain/index.js';

export function createMetaRouter(): Router {
  const router = Router();
  const cache = (res: import('express').Response) => res.set('Cache-Control', 'public, max-age=3600');
  router.get('/v1/meta/harm-types', (_req, res) => {
    cache(res).json({
      taxonomyVersion: TAXONOMY_VERSION,
      groups: HARM_GROUPS.map((g) => ({
        ...g,
        types: HARM_TYPES.filter((t) => t.group === g.code).map((t) => t.code),
      })),
      types: HARM_TYPES,
      rollups: ROLLUPS,
    });
  });
  router.get('/v1/meta/regions', (_req, res) => {
    cache(res).json({ regions: REGIONS });
  });
  router.get('/v1/meta/countries', (_req, res) => {
    cache(res).json({ countries: COUNTRIES });
  });
  router.get('/v1/meta/dimensions', (_req, res) => {
    cache(res).json({
      taxonomyVersion: TAXONOMY_VERSION,
      harm: HARM_TYPES.map((t) => ({ code: t.code, label: t.label, group: t.group })),
      harmGroup: HARM_GROUPS,
      rollup: ROLLUPS.map((r) => ({ code: r.code, label: r.label, types: r.types })),
      ageBand: AGE_BANDS,
      gender: GENDERS,
      channel: CHANNELS,
      region: REGIONS,
      country: COUNTRIES,
    });
  });
  return router;
}
