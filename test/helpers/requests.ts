/** The API calls many suites make, spelled once: the tests still read and assert every answer. */
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

/** The secretariat publishes a release (POST /v1/admin/releases), with the body's options. */
export const publishRelease = (base: string, adminKey: string, body: unknown = {}) =>
  fetch(`${base}/v1/admin/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

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
