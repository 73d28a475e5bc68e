/** The API calls many suites make, spelled once: the tests still read and assert every answer. */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { HelplineInfo } from '../../domain/index.js';
import { type TestRuntime, waitFor } from './runtime.js';

/** A helpline's CSV upload (POST /v1/submissions). */
export const submitCsv = (base: string, key: string, csv: string) =>
  fetch(`${base}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body: csv,
  });

/** A helpline's own submissions (GET /v1/submissions), as the API lists them. */
export async function listSubmissions<S = unknown>(base: string, key: string): Promise<S[]> {
  const r = await fetch(`${base}/v1/submissions`, { headers: { authorization: `Bearer ${key}` } });
  return ((await r.json()) as { submissions: S[] }).submissions;
}

/** The secretariat publishes a release (POST /v1/admin/releases), with the body's options. */
export const publishRelease = (base: string, adminKey: string, body: unknown = {}) =>
  fetch(`${base}/v1/admin/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/**
 * Where the live figures by month and country (`period|country` → cases) differ from the expected
 * ones, a line each: empty when every figure is as expected and no other is there.
 */
export async function liveDifferences(base: string, adminKey: string, expected: ReadonlyMap<string, number>) {
  const rows = await liveRows<{ period: string; country: string; value: number }>(
    base,
    adminKey,
    'by=month&split=country',
  );
  const got = new Map(rows.map((row) => [`${row.period}|${row.country}`, row.value]));
  return [...new Set([...got.keys(), ...expected.keys()])]
    .filter((k) => got.get(k) !== expected.get(k))
    .map((k) => `${k}: got ${got.get(k)}, expected ${expected.get(k)}`);
}

/** Waits (up to `timeoutMs`) until the live figures are the expected ones; then none may differ. */
export async function expectLiveFigures(
  what: string,
  base: string,
  adminKey: string,
  expected: ReadonlyMap<string, number>,
  timeoutMs = 180_000,
) {
  const differences = () => liveDifferences(base, adminKey, expected);
  await waitFor(what, async () => ((await differences()).length === 0 ? true : undefined), timeoutMs).catch(
    () => undefined,
  );
  expect(await differences()).toEqual([]);
}

/** The rows of /v1/trends on the live data (admin only) for the query, e.g. `by=year`. */
export async function liveRows<Row>(base: string, adminKey: string, query: string): Promise<Row[]> {
  const r = await fetch(`${base}/v1/trends?${query}&release=live`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  return ((await r.json()) as { rows: Row[] }).rows;
}

/** A random admin key, as a runtime or `npm start` is given one. */
export const newAdminKey = () => `ak_${randomBytes(24).toString('base64url')}`;

/** Publishes a release with the runtime's admin key, which must succeed (201); its answer. */
export async function mustPublish(rt: TestRuntime, body: unknown = {}) {
  const release = await publishRelease(rt.url, rt.adminKey, body);
  expect(release.status).toBe(201);
  return release;
}

/** Helplines on three continents (Germany, Kenya, Brazil), for suites that draw every region. */
export const THREE_CONTINENTS = [
  ['de-1', 'DE', 'europe'],
  ['ke-1', 'KE', 'africa'],
  ['br-1', 'BR', 'americas_caribbean'],
] as const;

/** A month's CSV row: harm, age band, gender, channel, and the multiple of the month's base count. */
export type MonthRow = readonly [harm: string, ageBand: string, gender: string, channel: string, times: number];

/** Two rows every month: grooming in chat, and twice as many family conflicts by phone. */
export const GROOMING_AND_CONFLICT: readonly MonthRow[] = [
  ['online.grooming', '13-15', 'girl', 'chat', 1],
  ['family.conflict', '10-12', 'boy', 'phone', 2],
];

/** A base count that differs by helpline and by year (the period's fourth character). */
export const byYear = (id: string, period: string) => 40 + period.charCodeAt(3) * 3 + id.charCodeAt(0);

/**
 * Registers each helpline and uploads one CSV a helpline and month through the API (each row's
 * count is `base(id, period)` times its multiple), each accepted (202), then waits until the
 * warehouse holds every one of those helpline-months.
 */
export async function uploadEveryMonth(
  rt: TestRuntime,
  plan: {
    lines: readonly (readonly [id: string, country: string, region: HelplineInfo['region']])[];
    periods: readonly string[];
    base: (id: string, period: string) => number;
    rows: readonly MonthRow[];
    name?: (id: string) => string;
  },
) {
  for (const [id, country, region] of plan.lines) {
    const key = await rt.addHelpline({ id, name: plan.name?.(id) ?? `${id} line`, country, region });
    for (const period of plan.periods) {
      const count = plan.base(id, period);
      const body = plan.rows.map(([harm, age, gender, channel, times]) =>
        [period, harm, age, gender, channel, count * times].join(','),
      );
      const r = await submitCsv(rt.url, key, `period,harm,age_band,gender,channel,count\n${body.join('\n')}\n`);
      expect(r.status).toBe(202);
    }
  }
  const months = plan.lines.length * plan.periods.length;
  await waitFor('the load', async () => ((await rt.warehouse.helplineMonths()) === months ? true : undefined));
}
