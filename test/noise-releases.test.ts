/**
 * Noise mode end to end over a real DuckDB file and real HTTP: a release publishes every cell with
 * stored noise; the API answers only from those stored values; ε, the mechanism and the split are
 * in the manifest; the ledger refuses a release that would pass a month's budget, changing nothing;
 * the same request on the same data returns the same release and charges nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChart } from '../dashboards/index.js';
import { ChartParamsSchema, TrendsAnswerSchema } from '../domain/index.js';
import { type ServedWarehouse, serveFixture } from './helpers/api-app.js';
import { publishRelease } from './helpers/requests.js';
import { smallCountsWarehouse } from './helpers/small-counts.js';

const NOW = new Date('2025-01-15T10:00:00Z');
const admin = `ak_${'n'.repeat(40)}`;
let fixture: ServedWarehouse;

beforeAll(async () => {
  fixture = await serveFixture('noise-', smallCountsWarehouse, { now: NOW, adminKey: admin });
}, 180_000);
afterAll(() => fixture?.close());

const publish = (body: unknown) => publishRelease(fixture.api.url, admin, body);

const count = async (sql: string, params: string[] = []) =>
  Number((await fixture.wh.db.all<{ n: bigint }>(sql, params))[0]?.n ?? 0n);

type Manifest = {
  id: string;
  mode: string;
  cells: number;
  privacy: {
    epsilon: string;
    mechanism: string;
    tables: { id: string; epsilon: string; sensitivity: number; margin95: number }[];
  };
  withheld: { total: number };
  reused?: boolean;
};

describe('noise mode', () => {
  let release: Manifest;

  it('publishes every cell with noise, and says how in the manifest', async () => {
    const r = await publish({ mode: 'noise', epsilon: 1 });
    expect(r.status, await r.clone().text()).toBe(201);
    release = (await r.json()) as Manifest;
    expect(release.mode).toBe('noise');
    expect(release.withheld.total).toBe(0);
    expect(release.privacy.epsilon).toBe('1');
    expect(release.privacy.mechanism).toMatch(/discrete Laplace/);
    expect(release.privacy.tables).toHaveLength(9);
    // Equal shares of ε, each table's sensitivity from the plan, margins that grow with Δ/ε.
    expect(new Set(release.privacy.tables.map((t) => t.epsilon))).toEqual(new Set(['1/9']));
    expect(release.privacy.tables.every((t) => t.sensitivity >= 1 && t.margin95 > 0)).toBe(true);
    expect(
      await count('SELECT count(*) AS n FROM release_cells WHERE release_id = $1 AND value IS NULL', [release.id]),
    ).toBe(0);
    expect(
      await count('SELECT count(*) AS n FROM release_cells WHERE release_id = $1 AND value < 0', [release.id]),
    ).toBe(0);
    expect(await count('SELECT count(*) AS n FROM noise_draws WHERE release_id = $1', [release.id])).toBe(
      release.cells,
    );
    // Noise was really added: most cells differ from the truth somewhere.
    expect(
      await count('SELECT count(*) AS n FROM noise_draws WHERE release_id = $1 AND noise <> 0', [release.id]),
    ).toBeGreaterThan(release.cells / 2);
    // The manifest is public, through the API.
    const served = (await (await fetch(`${fixture.api.url}/v1/releases/${release.id}`)).json()) as Manifest;
    expect(served.privacy.epsilon).toBe('1');
  });

  it('answers only from the stored noisy values, with their 95% margins', async () => {
    const r = await fetch(`${fixture.api.url}/v1/trends?release=${release.id}&by=year&split=country`);
    expect(r.status).toBe(200);
    const body = TrendsAnswerSchema.parse(await r.json());
    const stored = new Map(
      (
        await fixture.wh.db.all<{ geo: string; period: string; value: bigint }>(
          `SELECT geo, period, value FROM release_cells WHERE release_id = $1 AND harm = 'all' AND dim = 'all' AND length(period) = 4`,
          [release.id],
        )
      ).map((c) => [`${c.geo}|${c.period}`, Number(c.value)]),
    );
    expect(body.rows.length).toBeGreaterThan(3);
    for (const row of body.rows) {
      expect(row.value).toBe(stored.get(`${row.country}|${row.period}`));
      expect(row.suppressed).toBe(false);
      expect(row.margin95).toBeGreaterThan(0);
    }
    // Sums of stored cells for a multi-region filter, and a larger margin for the sum.
    const two = TrendsAnswerSchema.parse(
      await (await fetch(`${fixture.api.url}/v1/trends?release=${release.id}&by=year&region=europe,africa`)).json(),
    );
    const one = TrendsAnswerSchema.parse(
      await (await fetch(`${fixture.api.url}/v1/trends?release=${release.id}&by=year&region=europe`)).json(),
    );
    const europe = await count(
      `SELECT value AS n FROM release_cells WHERE release_id = $1 AND geo = 'europe' AND harm = 'all' AND dim = 'all' AND period = '2024'`,
      [release.id],
    );
    const africa = await count(
      `SELECT value AS n FROM release_cells WHERE release_id = $1 AND geo = 'africa' AND harm = 'all' AND dim = 'all' AND period = '2024'`,
      [release.id],
    );
    expect(two.rows[0]?.value).toBe(europe + africa);
    expect(one.rows[0]?.margin95 ?? 0).toBeLessThan(two.rows[0]?.margin95 ?? 0);
    // A cut the plan does not publish is refused as in suppression mode.
    expect((await fetch(`${fixture.api.url}/v1/trends?release=${release.id}&split=harm&country=DE`)).status).toBe(400);
  });

  it('charts say noise was added, show small values as <5 and give the typical error', async () => {
    const answer = TrendsAnswerSchema.parse(
      await (await fetch(`${fixture.api.url}/v1/trends?release=${release.id}&by=year&split=country`)).json(),
    );
    const params = ChartParamsSchema.parse({ year: '2024' });
    const chart = buildChart('map', answer as never, params, { expectedHelplines: 8, latestRelease: release.id });
    expect(chart.text.source).toMatch(/noise added to every value/);
    expect(chart.text.source).toMatch(/±\d+ cases \(95%\)/);
    expect(chart.text.source).not.toMatch(/withheld/);
    expect(chart.table.displayBelow).toBe(5);
  });

  it('re-running the same release on the same data draws nothing and charges nothing', async () => {
    const ledgerBefore = await count('SELECT count(*) AS n FROM privacy_ledger');
    const drawsBefore = await count('SELECT count(*) AS n FROM noise_draws');
    const r = await publish({ mode: 'noise', epsilon: 1 });
    expect(r.status).toBe(200);
    const again = (await r.json()) as Manifest;
    expect(again.id).toBe(release.id);
    expect(again.reused).toBe(true);
    expect(await count('SELECT count(*) AS n FROM privacy_ledger')).toBe(ledgerBefore);
    expect(await count('SELECT count(*) AS n FROM noise_draws')).toBe(drawsBefore);
  });

  it('refuses a release over the budget and changes nothing', async () => {
    // Budget 4 per month: 1 spent; 2.5 more fits, then 0.75 more does not (1 + 2.5 + 0.75 > 4).
    const second = await publish({ mode: 'noise', epsilon: '2.5' });
    expect(second.status, await second.clone().text()).toBe(201);
    const state = async () => ({
      releases: await count('SELECT count(*) AS n FROM releases'),
      cells: await count('SELECT count(*) AS n FROM release_cells'),
      ledger: await count('SELECT count(*) AS n FROM privacy_ledger'),
      draws: await count('SELECT count(*) AS n FROM noise_draws'),
    });
    const before = await state();
    const third = await publish({ mode: 'noise', epsilon: '0.75' });
    expect(third.status).toBe(409);
    const problem = (await third.json()) as {
      code: string;
      title: string;
      errors: { path: string; message: string }[];
    };
    expect(problem.code).toBe('privacy_budget_exceeded');
    expect(problem.errors[0]?.path).toBe('2024-01');
    expect(problem.errors[0]?.message).toMatch(/spent 3.5 of 4; 0.5 left/);
    expect(await state()).toEqual(before);
    const budget = (await (await fetch(`${fixture.api.url}/v1/privacy/budget`)).json()) as {
      releases: { epsilon: string }[];
    };
    expect(budget.releases.map((r) => r.epsilon)).toEqual(['1', '2.5']);
  });

  it('checks the split of ε across tables', async () => {
    const bad = await publish({ mode: 'noise', epsilon: '0.1', split: { T1: '0.1' } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/missing: T2/);
  });
});
