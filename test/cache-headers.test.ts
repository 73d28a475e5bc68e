/**
 * Anyone may cache public answers: a URL pinned to a release (`release=…`, or a release's own path)
 * is immutable for a year; an unpinned one is kept briefly and names the release that answered, so
 * a cache, a reader replica or a citation can be checked against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPaths } from '../dashboards/index.js';
import { type ServedWarehouse, serveFixture } from './helpers/api-app.js';
import { smallCountsWarehouse } from './helpers/small-counts.js';

const NOW = new Date('2025-01-15T10:00:00Z');
let fixture: ServedWarehouse;
let first: string;

beforeAll(async () => {
  fixture = await serveFixture('cache-headers-', smallCountsWarehouse, {
    now: NOW,
    // One release (a publication takes a minute on a busy machine): that the unpinned answer follows
    // the newest of several is checked in read-replicas.test.ts.
    prepare: async (wh) => {
      first = (await wh.releases.publish({ now: NOW, codeVersion: 'test' })).id;
    },
    // The charts' paths documented as the runtime documents them (the charts router itself is not needed).
    paths: [dashboardPaths],
  });
}, 600_000);
afterAll(() => fixture?.close());

const get = (path: string) => fetch(`${fixture.api.url}${path}`);

describe('cache headers', () => {
  it('a release-pinned answer is immutable for a year', async () => {
    const r = await get(`/v1/trends?by=year&release=${first}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(r.headers.get('x-release')).toBe(first);
    expect(((await r.json()) as { release: string }).release).toBe(first);
  });

  it('an unpinned answer is kept five minutes and says which release answered', async () => {
    const r = await get('/v1/trends?by=year&split=region');
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(r.headers.get('x-release')).toBe(first);
    expect(((await r.json()) as { release: string }).release).toBe(first);
  });

  it('an error is never marked immutable', async () => {
    const r = await get('/v1/trends?by=year&release=1999-01');
    expect(r.status).toBe(404);
    expect(r.headers.get('cache-control') ?? '').not.toMatch(/immutable/);
  });

  it('the list of releases changes and is kept a minute only', async () => {
    const r = await get('/v1/releases');
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('the OpenAPI document describes X-Release and both Cache-Control values', async () => {
    const doc = (await (await get('/v1/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: { 200: { headers: Record<string, { description?: string }> } } } }>;
    };
    for (const path of ['/v1/trends', '/charts/trend.svg']) {
      const headers = doc.paths[path]?.get.responses[200].headers ?? {};
      expect(headers['X-Release']?.description).toMatch(/release/);
      expect(headers['Cache-Control']?.description).toMatch(/max-age=31536000, immutable/);
    }
  });
});
