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

export async function completeness(db: Db, year: number, policy: DeadlinePolicy, now: Date): Promise<Completeness> {
  const helplines = await db.all<{ id: string; name: string; country: string; region: string; created: string }>(
    `SELECT id, name, country, region, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS created
       FROM helplines ORDER BY id`,
  );
  const rows = await db.all<{ helpline_id: string; period: string; first: string }>(
    `SELECT helpline_id, period, strftime(min(submitted_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS first
       FROM submissions WHERE status <> 'rejected' AND substr(period, 1, 4) = $1 GROUP BY ALL`,
    [String(year)],
  );
  const first = new Map(rows.map((r) => [`${r.helpline_id}|${r.period}`, r.first]));
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
    helplines: helplines.map(({ created: _c, ...h }) => ({
      ...h,
      months: months.map((period): MonthStatus => {
        const at = first.get(`${h.id}|${period}`);
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
