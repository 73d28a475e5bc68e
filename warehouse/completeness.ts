/**
 * Which helplines reported which months of a year, and whether on time: a month is on time when
 * its first accepted version arrived by day `deadlineDay` of the following month (UTC).
 */
import type { Db } from './db.js';

export async function completeness(db: Db, year: number, deadlineDay: number, now: Date) {
  const helplines = await db.all<{ id: string; name: string; country: string; region: string }>(
    'SELECT id, name, country, region FROM helplines ORDER BY id',
  );
  const rows = await db.all<{ helpline_id: string; period: string; first: string }>(
    `SELECT helpline_id, period, strftime(min(submitted_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS first
       FROM submissions WHERE status <> 'rejected' AND substr(period, 1, 4) = $1 GROUP BY ALL`,
    [String(year)],
  );
  const first = new Map(rows.map((r) => [`${r.helpline_id}|${r.period}`, r.first]));
  const months: string[] = [];
  for (let m = 1; m <= 12; m++) {
    const end = Date.UTC(year, m, 1); // the month is over
    if (end <= now.getTime()) months.push(`${year}-${String(m).padStart(2, '0')}`);
  }
  return {
    year,
    deadlineDay,
    helplines: helplines.map((h) => ({
      ...h,
      months: months.map((period) => {
        const at = first.get(`${h.id}|${period}`);
        const [y, m] = period.split('-').map(Number) as [number, number];
        const deadline = Date.UTC(y, m, deadlineDay, 23, 59, 59);
        return { period, reported: at !== undefined, onTime: at === undefined ? null : Date.parse(at) <= deadline };
      }),
    })),
  };
}
