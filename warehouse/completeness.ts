/**
 * Which helplines reported which months of a year, and how late. A month is due once it is over in
 * the secretariat's time zone; it is on time when its first accepted version arrived before the end
 * of day `deadlineDay` of the following month, in that zone.
 */
import { type Completeness, deadlineOf, monthIn, nextMonth } from '../domain/index.js';
import type { Db } from './db.js';

export interface DeadlinePolicy {
  readonly deadlineDay: number;
  readonly timeZone: string;
}

const DAY = 86_400_000;

/** One helpline-month of the answer (domain's CompletenessSchema is the one source). */
export type MonthStatus = Completeness['helplines'][number]['months'][number];

/** A registered helpline, as completeness shows it (public facts: who, where). */
export interface HelplineEntry {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly region: string;
}

/** When a helpline-month's first accepted version arrived (ISO 8601, milliseconds, UTC). */
export interface Arrival {
  readonly helpline_id: string;
  readonly period: string;
  readonly first: string;
}

/** What completeness is computed from: the register and first arrivals (of one year, or all). */
export async function completenessInputs(
  db: Db,
  year?: number,
): Promise<{ helplines: HelplineEntry[]; arrivals: Arrival[] }> {
  const helplines = await db.all<{ id: string; name: string; country: string; region: string }>(
    'SELECT id, name, country, region FROM helplines ORDER BY id',
  );
  const arrivals = await db.all<{ helpline_id: string; period: string; first: string }>(
    `SELECT helpline_id, period, strftime(min(submitted_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS first
       FROM submissions WHERE status <> 'rejected' AND ($1::VARCHAR IS NULL OR substr(period, 1, 4) = $1)
      GROUP BY ALL ORDER BY ALL`,
    [year === undefined ? null : String(year)],
  );
  return { helplines, arrivals };
}

export async function completeness(db: Db, year: number, policy: DeadlinePolicy, now: Date): Promise<Completeness> {
  const { helplines, arrivals } = await completenessInputs(db, year);
  return completenessReport(helplines, arrivals, year, policy, now);
}

/**
 * The report from its inputs alone: the warehouse computes it from its tables, a read replica from
 * the writer's published register (public-state.ts), so both answer alike.
 */
export function completenessReport(
  helplines: readonly HelplineEntry[],
  arrivals: readonly Arrival[],
  year: number,
  policy: DeadlinePolicy,
  now: Date,
): Completeness {
  const first = new Map(
    arrivals.filter((r) => r.period.startsWith(`${year}-`)).map((r) => [`${r.helpline_id}|${r.period}`, r.first]),
  );
  const current = monthIn(now, policy.timeZone);
  const months: string[] = [];
  for (let m = 1; m <= 12; m++) {
    const period = `${year}-${String(m).padStart(2, '0')}`;
    if (nextMonth(period) <= current) months.push(period);
  }
  return {
    year,
    deadlineDay: policy.deadlineDay,
    timeZone: policy.timeZone,
    helplines: helplines.map(({ id, name, country, region }) => ({
      id,
      name,
      country,
      region,
      months: months.map((period): MonthStatus => {
        const at = first.get(`${id}|${period}`);
        const deadline = deadlineOf(period, policy.deadlineDay, policy.timeZone).getTime();
        const arrived = at === undefined ? undefined : Date.parse(at);
        const late = (until: number) => Math.max(0, Math.ceil((until - deadline) / DAY));
        return {
          period,
          reported: arrived !== undefined,
          onTime: arrived === undefined ? null : arrived < deadline,
          arrivedAt: at ?? null,
          dueBy: new Date(deadline).toISOString(),
          daysLate: arrived !== undefined ? late(arrived) : now.getTime() >= deadline ? late(now.getTime()) : null,
        };
      }),
    })),
  };
}
