/**
 * Each router documents its routes beside them, into the registry the OpenAPI document is generated
 * from (`api/openapi.ts` only collects). The schemas are the ones the routes parse with and answer in.
 */
import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ProblemSchema } from '../../domain/index.js';

/** Registers one router's paths. */
export type DocumentPaths = (registry: OpenAPIRegistry) => void;

/** The bearer scheme (a helpline or admin key), registered once by the collector. */
export const BEARER = 'apiKey';
export const SECURED: NonNullable<RouteConfig['security']> = [{ [BEARER]: [] }];

export const problem = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
export const json = (schema: z.ZodType, description = 'OK'): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});
export const text = (type: string, description: string): ResponseConfig => ({
  description,
  content: { [type]: { schema: z.string() } },
});
export const html = (description: string) => text('text/html', description);
export const binary = (type: string, description: string): ResponseConfig => ({
  description,
  content: { [type]: { schema: z.string().meta({ format: 'binary' }) } },
});

export const documentPaths =
  (...routes: RouteConfig[]): DocumentPaths =>
  (registry) => {
    for (const route of routes) registry.registerPath(route);
  };

/** What every answer from a release says about caching it (api/trends-router.ts, setReleaseCaching). */
export const RELEASE_HEADERS: NonNullable<ResponseConfig['headers']> = {
  ETag: { schema: { type: 'string' } },
  'Cache-Control': {
    description:
      'With release=…: `public, max-age=31536000, immutable` (a release never changes). Without: `public, max-age=300` (the newest release changes when one is published).',
    schema: { type: 'string' },
  },
  'X-Release': {
    description: 'The release that answered (the newest one when the URL names none): cite it, or pin the URL to it.',
    schema: { type: 'string' },
  },
};
