/**
 * The research API as R, Python and spreadsheets use it: answers equal the same figures computed
 * independently in SQL; JSON, CSV and Arrow carry the same data; the OpenAPI document is valid
 * 3.1 and covers every route; caching, rate limits and errors behave as documented.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { tableFromIPC } from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandHarmCode, ProblemSchema, TrendsAnswerSchema } from '../domain/index.js';
import type { PublishingWarehouse as Warehouse } from '../releases/index.js';
import { type ServedWarehouse, serveApi, serveFixture } from './helpers/api-app.js';
import { smallCountsWarehouse } from './helpers/small-counts.js';

const NOW = new Date('2025-01-15T10:00:00Z');
const admin = `ak_${'x'.repeat(40)}`;
let wh: Warehouse;
let api: ServedWarehouse['api'];
let close: () => Promise<void>;

beforeAll(async () => {
  ({ wh, api, close } = await serveFixture('research-api-', smallCountsWarehouse, {
    now: NOW,
    adminKey: admin,
    prepare: (wh) => wh.releases.publish({ now: NOW, codeVersion: 'test' }),
  }));
}, 180_000);
afterAll(() => close?.());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });

describe('trends equal independent SQL', () => {
  // The fact table's column for a split: its name in snake case (harmGroup is harm_group).
  const columnOf = (split: string) => split.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const queryArb = fc.record({
    by: fc.constantFrom('year', 'month'),
    split: fc.constantFrom(undefined, 'region', 'country', 'harmGroup', 'harm', 'ageBand', 'gender', 'channel'),
    harm: fc.constantFrom(undefined, 'ocsea', 'online', 'violence.sexual', 'family'),
    region: fc.constantFrom(undefined, 'europe', 'africa'),
    gender: fc.constantFrom(undefined, 'girl', 'boy'),
    from: fc.constantFrom(undefined, '2024-03', '2024'),
  });

  it('for many parameter combinations (live view, admin key)', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, async (q) => {
        const params = new URLSearchParams({ by: q.by, release: 'live' });
        for (const k of ['split', 'harm', 'region', 'gender', 'from'] as const) if (q[k]) params.set(k, q[k] as string);
        const r = await get(`/v1/trends?${params}`, { authorization: `Bearer ${admin}` });
        expect(r.status).toBe(200);
        const body = TrendsAnswerSchema.parse(await r.json());
        const where: string[] = [];
        if (q.harm) where.push(`harm IN (${(expandHarmCode(q.harm) ?? []).map((h) => `'${h}'`).join(',')})`);
        if (q.region) where.push(`region = '${q.region}'`);
        if (q.gender) where.push(`gender = '${q.gender}'`);
        if (q.from) where.push(`period >= '${q.from.length === 4 ? `${q.from}-01` : q.from}'`);
        const period = q.by === 'year' ? 'substr(period, 1, 4)' : 'period';
        const key = q.split ? columnOf(q.split) : 'NULL';
        const expected = await wh.db.all<{ p: string; k: string | null; v: bigint }>(
          `SELECT ${period} AS p, ${key} AS k, sum(count) AS v FROM facts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY ALL ORDER BY p, k`,
        );
        const got = body.rows.map((row) => [row.period, q.split ? row[q.split] : null, row.value]);
        expect(got).toEqual(expected.map((e) => [e.p, e.k, Number(e.v)]));
      }),
      { numRuns: 80 },
    );
  }, 120_000);
});

describe('formats', () => {
  it('JSON, CSV and Arrow hold identical data, with typed Arrow columns', async () => {
    const path = '/v1/trends?by=month&split=region&harm=ocsea';
    const json = TrendsAnswerSchema.parse(await (await get(path)).json());
    const csvResponse = await get(path, { accept: 'text/csv' });
    expect(csvResponse.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...lines] = (await csvResponse.text()).trimEnd().split('\r\n');
    expect(header).toBe('period,region,value,suppressed,helplinesReporting');
    const fromCsv = lines.map((l) => {
      const [period, region, value, suppressed, helplines] = l.split(',');
      return {
        period,
        region,
        value: value === '' ? null : Number(value),
        suppressed: suppressed === 'true',
        helplinesReporting: Number(helplines),
      };
    });
    expect(fromCsv).toEqual(json.rows);

    const arrowResponse = await get(`${path}&format=arrow`);
    expect(arrowResponse.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await arrowResponse.arrayBuffer()));
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['period', 'Dictionary<Int32, Utf8>'],
      ['region', 'Dictionary<Int32, Utf8>'],
      ['value', 'Int32'],
      ['suppressed', 'Bool'],
      ['helplinesReporting', 'Int32'],
    ]);
    expect(table.schema.metadata.get('release')).toBe(json.release);
    const fromArrow = table.toArray().map((row) => ({ ...row.toJSON() }));
    expect(fromArrow).toEqual(json.rows);
    expect(json.rows.some((r) => r.suppressed)).toBe(true);
  });

  it('answers 304 to a conditional request and sends cache headers', async () => {
    const first = await get('/v1/trends?by=year&split=region');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toMatch(/public/);
    // As curl, R or a browser revalidate (fetch() would add Cache-Control: no-cache).
    const { request } = await import('node:http');
    const status = await new Promise<number>((ok, fail) => {
      const req = request(
        `${api.url}/v1/trends?by=year&split=region`,
        { headers: { 'if-none-match': etag ?? '' } },
        (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        },
      );
      req.once('error', fail);
      req.end();
    });
    expect(status).toBe(304);
  });
});

describe('errors', () => {
  it.each([
    ['unknown parameter', '/v1/trends?by=year&colour=red', 400],
    ['bad enum', '/v1/trends?by=week', 400],
    ['unknown code', '/v1/trends?region=atlantis', 400],
    ['bad period', '/v1/trends?from=2024-13', 400],
    ['bad format', '/v1/trends?format=xml', 400],
    ['a cut the plan does not publish', '/v1/trends?by=month&split=country&harm=online', 400],
    ['unknown release', '/v1/trends?release=1999-01', 404],
    ['live without admin', '/v1/trends?release=live', 403],
    ['completeness without a year', '/v1/completeness', 400],
    ['nothing here', '/v2/anything', 404],
  ])('%s: %s → problem+json %i', async (_name, path, status) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = ProblemSchema.parse(await r.json());
    expect(problem.status).toBe(status);
    if (status === 400 && path.includes('region=')) {
      expect(JSON.stringify(problem.errors)).toContain('region');
      expect(JSON.stringify(problem.errors)).toContain('europe'); // the valid values are named
    }
  });

  it('rate-limits a client with RateLimit headers and 429', async () => {
    const limited = await serveApi(wh, { now: NOW, rateLimitPerMinute: 5 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 7; i++) {
        last = await fetch(`${limited.url}/v1/meta/regions`);
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      expect(last?.headers.get('retry-after')).toBeTruthy();
      expect(last?.headers.get('ratelimit-policy') ?? last?.headers.get('ratelimit')).toBeTruthy();
    } finally {
      await limited.close();
    }
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document that lists every route of the app', async () => {
    const doc = (await (await get('/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const routes: string[] = [];
    const walk = (stack: unknown[]) => {
      for (const layer of stack as {
        route?: { path: string | string[]; methods: Record<string, boolean> };
        handle?: { stack?: unknown[] };
      }[]) {
        if (layer.route) {
          for (const p of Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]) {
            for (const m of Object.keys(layer.route.methods)) routes.push(`${m} ${p.replace(/[:*](\w+)/g, '{$1}')}`);
          }
        } else if (layer.handle?.stack) walk(layer.handle.stack);
      }
    };
    walk((api.app as unknown as { router: { stack: unknown[] } }).router.stack);
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const documented = doc.paths[path === '/docs/' ? '/docs' : path];
      expect(documented?.[method], route).toBeDefined();
    }
  });

  it('serves the docs page and its assets from this server', async () => {
    const page = await (await get('/docs')).text();
    expect(page).not.toMatch(/https?:\/\//);
    for (const src of page.match(/(?:src|href)="([^"]+)"/g) ?? []) {
      const url = src.split('"')[1] ?? '';
      expect((await get(url)).status, url).toBe(200);
    }
  });
});

describe('completeness', () => {
  it('shows which helplines reported which months', async () => {
    const r = await get('/v1/completeness?year=2024');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { helplines: { id: string; months: { reported: boolean }[] }[] };
    expect(body.helplines.length).toBe(8);
    expect(body.helplines.every((h) => h.months.length === 12 && h.months.every((m) => m.reported))).toBe(true);
  });
});

describe('robustness', () => {
  it('never answers 5xx to any combination of parameters, and every 200 matches its schema', async () => {
    const value = fc.constantFrom(
      'year',
      'month',
      'region',
      'country',
      'harmGroup',
      'harm',
      'ageBand',
      'gender',
      'channel',
      'europe',
      'africa,europe',
      'DE',
      'KE,UG',
      'ocsea',
      'online',
      'online.grooming',
      'violence,ocsea',
      '13-15',
      'girl',
      'chat',
      '2024',
      '2024-03',
      '1999',
      '2024-13',
      'live',
      '2025-01',
      'json',
      'csv',
      'arrow',
      '',
      'x',
      '%00',
      "'; DROP TABLE facts; --",
      'a'.repeat(300),
    );
    const name = fc.constantFrom(
      'by',
      'split',
      'region',
      'country',
      'harm',
      'ageBand',
      'gender',
      'channel',
      'from',
      'to',
      'release',
      'format',
      'other',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 6 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const r = await get(`/v1/trends?${qs}`);
        expect(r.status, qs).toBeLessThan(500);
        if (r.status === 200 && (r.headers.get('content-type') ?? '').startsWith('application/json')) {
          TrendsAnswerSchema.parse(await r.json());
        } else await r.arrayBuffer();
      }),
      { numRuns: 400 },
    );
  }, 120_000);
});
