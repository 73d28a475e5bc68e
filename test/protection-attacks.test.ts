/**
 * Attacks on a published release over a warehouse full of small counts. Each test takes the
 * attacker's side: what is published, the plan's additivity relations, and (for insiders) their
 * own submissions — and must fail to recover or narrow any withheld cell.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFromRelease } from '../api/index.js';
import { findHarmType, REGION_CODES, type TrendsQuery } from '../domain/index.js';
import { auditIntervals, type Equation } from '../releases/audit.js';
import { buildCube, type Cube } from '../releases/cube.js';
import type { ReleaseManifest, PublishingWarehouse as Warehouse } from '../releases/index.js';
import { serveApi } from './helpers/api-app.js';
import { loadBodies } from './helpers/fixture-warehouse.js';
import { SMALL_HELPLINES, smallBody, smallCountsWarehouse } from './helpers/small-counts.js';

const P = 5;
const NOW = new Date('2025-01-15T10:00:00Z');
let dir: string;
let wh: Warehouse;
let manifest: ReleaseManifest;
let cube: Cube;
let published: Map<string, number | null>;

async function releaseCells(w: Warehouse, id: string) {
  const rows = await w.db.all<{ geo: string; harm: string; period: string; dim: string; value: bigint | null }>(
    'SELECT geo, harm, period, dim, value FROM release_cells WHERE release_id = $1',
    [id],
  );
  return new Map(
    rows.map((r) => [`${r.geo}|${r.harm}|${r.period}|${r.dim}`, r.value === null ? null : Number(r.value)]),
  );
}

/** The attacker's own system: every relation of the plan, published values fixed. */
function attack(pub: Map<string, number | null>, relations: Cube['relations']) {
  const hidden = [...pub]
    .filter(([, v]) => v === null)
    .map(([k]) => k)
    .sort();
  const index = new Map(hidden.map((k, i) => [k, i]));
  const equations: Equation[] = [];
  for (const r of relations) {
    const vars = r.children.filter((c) => index.has(c)).map((c) => index.get(c) as number);
    const known = r.children.reduce((s, c) => s + (pub.get(c) ?? 0), 0);
    const parent = pub.get(r.parent);
    if (vars.length === 0 && parent !== null) continue;
    if (parent === null) equations.push({ vars, parent: index.get(r.parent) as number, rhs: -known });
    else equations.push({ vars, rhs: (parent ?? 0) - known });
  }
  return { hidden, equations };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attacks-'));
  wh = await smallCountsWarehouse(join(dir, 'a.duckdb'));
  manifest = await wh.releases.publish({ now: NOW, codeVersion: 'test' });
  cube = await buildCube(wh.db, manifest.span);
  published = await releaseCells(wh, manifest.id);
}, 180_000);
afterAll(() => {
  wh?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a release over many small counts', () => {
  it('withholds every count of 1–5 (1–10 for sexual violence and OCSEA) and publishes the rest exactly', () => {
    expect(manifest.audit.passed).toBe(true);
    expect(manifest.withheld.total).toBeGreaterThan(20);
    let checked = 0;
    for (const [key, cell] of cube.cells) {
      const [, harm] = key.split('|');
      const k = harm === 'ocsea' || findHarmType(harm ?? '')?.sensitive ? 10 : 5;
      const value = published.get(key);
      if (cell.value >= 1 && cell.value <= k) expect(value, key).toBeNull();
      if (value !== null) {
        expect(value, key).toBe(cell.value);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // Zero is not withheld for being zero: some zeros are published.
    expect([...cube.cells].some(([key, c]) => c.value === 0 && published.get(key) === 0)).toBe(true);
  });

  it('resists margin recovery by LP and by integer program across all linked tables', async () => {
    const { hidden, equations } = attack(published, cube.relations);
    expect(hidden.length).toBe(manifest.withheld.total);
    for (const integer of [false, true]) {
      const intervals = await auditIntervals(hidden.length, equations, { integer });
      hidden.forEach((key, i) => {
        const truth = cube.cells.get(key)?.value ?? 0;
        const { low, high } = intervals[i] ?? { low: 0, high: 0 };
        expect(low, key).toBeLessThanOrEqual(truth + 1e-6);
        expect(high, key).toBeGreaterThanOrEqual(truth - 1e-6);
        expect(high - low, `${key} (${integer ? 'integer' : 'LP'})`).toBeGreaterThanOrEqual(P);
      });
    }
  }, 120_000);

  it('resists an insider: a helpline that knows its own cells learns no small count of the others', async () => {
    let checked = 0;
    const { hidden, equations } = attack(published, cube.relations);
    for (const h of SMALL_HELPLINES) {
      const own = hidden.map((k) => cube.cells.get(k)?.contributions.get(h.id) ?? 0);
      // The insider knows its own part of every cell, and all of a cell only it contributes to.
      const upper = hidden.map((k) => {
        const c = cube.cells.get(k);
        return c && c.contributions.size === 1 && c.contributions.has(h.id) ? c.value : Number.POSITIVE_INFINITY;
      });
      const intervals = await auditIntervals(hidden.length, equations, { integer: false, lower: own, upper });
      hidden.forEach((key, i) => {
        const cell = cube.cells.get(key);
        const others = (cell?.value ?? 0) - (own[i] ?? 0);
        const [, harm] = key.split('|');
        const k = harm === 'ocsea' || findHarmType(harm ?? '')?.sensitive ? 10 : 5;
        // What must not leak is a small count (1…k) of the other helplines' cases.
        if (
          !cell ||
          others < 1 ||
          others > k ||
          (own[i] === 0 && upper.every((u) => u === Number.POSITIVE_INFINITY) && own.every((o) => o === 0))
        )
          return;
        const { low, high } = intervals[i] ?? { low: 0, high: 0 };
        // What the insider can say about the others' part of this cell.
        expect(high - low, `${h.id} on ${key}`).toBeGreaterThanOrEqual(P);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(5);
  }, 120_000);

  it('keeps months vs year, countries vs region and types vs group from differencing a withheld cell', () => {
    // Every single-unknown relation would be an exact recovery: there must be none.
    for (const r of cube.relations) {
      const members = [r.parent, ...r.children];
      const hiddenCount = members.filter((m) => published.get(m) === null).length;
      expect(hiddenCount, `${r.parent}`).not.toBe(1);
    }
  });

  it('does not change its shape when one child is removed from a rare cell', async () => {
    // Find a cell of exactly 1 in some helpline-month and remove that child.
    const victim = SMALL_HELPLINES.flatMap((h) =>
      ['2024-03', '2024-07'].map((p) => ({ h: h.id, p, body: smallBody(h.id, p) })),
    ).find((x) => x.body.cells.some((c) => c.count === 1));
    expect(victim).toBeDefined();
    const other = await smallCountsWarehouse(join(dir, 'b.duckdb'), (helpline, body) =>
      helpline === victim?.h && body.period === victim.p
        ? {
            ...body,
            cells: body.cells.map((c, i) =>
              i === body.cells.findIndex((x) => x.count === 1) ? { ...c, count: 0 } : c,
            ),
          }
        : body,
    );
    try {
      const m2 = await other.releases.publish({ now: NOW, codeVersion: 'test' });
      const cells2 = await releaseCells(other, m2.id);
      expect([...cells2.keys()]).toEqual([...published.keys()]);
    } finally {
      other.close();
    }
  }, 120_000);
});

describe('revisions', () => {
  it('a correction after a release changes the next release only, and the two cannot be differenced', async () => {
    const w = await smallCountsWarehouse(join(dir, 'c.duckdb'));
    try {
      const first = await w.releases.publish({ now: NOW, codeVersion: 'test' });
      const v1 = await releaseCells(w, first.id);
      // A correction adds 2 cases to one month of one helpline.
      const body = smallBody('ke-a', '2024-05');
      const [head, ...rest] = body.cells;
      await loadBodies(
        w,
        [
          {
            helpline: 'ke-a',
            body: { ...body, cells: [{ ...(head ?? rest[0]), count: (head?.count ?? 0) + 2 } as never, ...rest] },
          },
        ],
        '2025-02-01T00:00:00.000Z',
      );
      expect(await releaseCells(w, first.id)).toEqual(v1); // frozen
      const second = await w.releases.publish({ now: new Date('2025-02-15T00:00:00Z'), codeVersion: 'test' });
      expect(second.id).not.toBe(first.id);
      expect(second.previousRelease).toBe(first.id);
      const v2 = await releaseCells(w, second.id);
      for (const [key, before] of v1) {
        const after = v2.get(key);
        if (before === null) expect(after, `${key} was withheld before`).toBeNull();
        if (before !== null && after !== null && after !== undefined) {
          const diff = Math.abs(after - before);
          expect(diff === 0 || diff > 5, `${key}: ${before} → ${after}`).toBe(true);
        }
      }
    } finally {
      w.close();
    }
  }, 180_000);
});

describe('the public API answers only from the release', () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const api = await serveApi(wh, { now: NOW });
    url = api.url;
    close = api.close;
  });
  afterAll(async () => close?.());

  const queryArb = fc.record({
    by: fc.constantFrom('year', 'month'),
    split: fc.constantFrom(undefined, 'region', 'country'),
    harm: fc.constantFrom(undefined, 'ocsea', 'online', 'violence', 'family'),
    region: fc.option(
      fc.subarray(
        [...REGION_CODES].filter((r) => r !== 'asia_pacific' && r !== 'mena'),
        { minLength: 1 },
      ),
      { nil: undefined },
    ),
    from: fc.constantFrom(undefined, '2024', '2024-04'),
  });

  it('returns only published cells or sums of them, withheld whenever a part is withheld', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, async (q) => {
        const params = new URLSearchParams({ by: q.by });
        if (q.split) params.set('split', q.split);
        if (q.harm) params.set('harm', q.harm);
        if (q.region) params.set('region', q.region.join(','));
        if (q.from) params.set('from', q.from);
        const r = await fetch(`${url}/v1/trends?${params}`);
        const body = (await r.json()) as { rows: Record<string, string | number | null | boolean>[] };
        const harm = q.harm ?? 'all';
        // The plan publishes harm groups and OCSEA by month only for regions and the world.
        const notPublished = q.by === 'month' && harm !== 'all' && q.split === 'country';
        expect(r.status, JSON.stringify(q)).toBe(notPublished ? 400 : 200);
        if (notPublished) return;
        expect(r.status).toBe(200);
        for (const row of body.rows) {
          const geos = q.split ? [String(row[q.split])] : (q.region ?? ['world']);
          const parts = geos.map((g) => published.get(`${g}|${harm}|${row.period}|all`));
          expect(parts.every((p) => p !== undefined)).toBe(true);
          if (parts.some((p) => p === null)) expect(row).toMatchObject({ value: null, suppressed: true });
          else expect(row.value).toBe(parts.reduce((s: number, p) => s + (p ?? 0), 0));
        }
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('gives the same bytes 1,000 times and through 50 spellings, and ignores the raw facts', async () => {
    const spellings: string[] = [];
    const regions = ['europe', 'africa'];
    for (const order of [0, 1]) {
      for (const form of ['comma', 'repeat', 'spaces']) {
        for (const from of ['', '&from=2024', '&from=2024-01']) {
          for (const to of ['', '&to=2024', '&to=2024-12']) {
            const rs = order ? [...regions].reverse() : regions;
            const region =
              form === 'comma'
                ? `region=${rs.join(',')}`
                : form === 'repeat'
                  ? rs.map((r) => `region=${r}`).join('&')
                  : `region=${rs.join(', ')}`;
            spellings.push(`by=year&harm=ocsea&${region}${from}${to}`);
          }
        }
      }
    }
    expect(spellings.length).toBeGreaterThanOrEqual(50);
    const answers = new Set<string>();
    for (const s of spellings) answers.add(await (await fetch(`${url}/v1/trends?${s}`)).text());
    // Region order changes nothing: the sum is the same; all 54 spellings give one answer.
    expect(answers.size).toBe(1);
    const one = `${url}/v1/trends?by=month&split=region&harm=ocsea`;
    const first = await (await fetch(one)).text();
    for (let i = 0; i < 1000; i++) expect(await (await fetch(one)).text()).toBe(first);
    // Same release, different raw facts: byte-identical answers.
    const before = await (await fetch(`${url}/v1/trends?by=year&split=country`)).text();
    await wh.db.transaction(async (tx) => {
      await tx.run('UPDATE facts SET count = count + 7');
      await tx.run('UPDATE agg_harm_month SET cases = cases + 7');
    });
    expect(await (await fetch(`${url}/v1/trends?by=year&split=country`)).text()).toBe(before);
    const q: TrendsQuery = { by: 'year', split: 'country' };
    expect(
      (
        await answerFromRelease(
          {
            query: async (id, qq) => {
              const r = await wh.releases.reader.query(id, qq);
              return { release: { id: r.release.id, manifest: r.release.manifest }, cells: r.cells };
            },
          },
          q,
        )
      ).rows.length,
    ).toBeGreaterThan(0);
  }, 180_000);
});
