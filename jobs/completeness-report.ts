/** `completeness`: who has reported the months that are due, who is late, who is missing. */
import { monthIn, previousMonth } from '../domain/index.js';
import type { DeadlinePolicy, MonthStatus } from '../warehouse/index.js';
import type { Job } from './runner.js';

type Report = { helplines: { id: string; months: MonthStatus[] }[] };

export function completenessJob(deps: {
  readonly completeness: (year: number, policy: DeadlinePolicy, now: Date) => Promise<Report>;
  readonly policy: DeadlinePolicy;
}): Job {
  return async ({ now }) => {
    const lastDue = previousMonth(monthIn(now, deps.policy.timeZone));
    const year = Number(lastDue.slice(0, 4));
    const report = await deps.completeness(year, deps.policy, now);
    const months = report.helplines.flatMap((h) => h.months);
    const latest = report.helplines.map((h) => h.months.find((m) => m.period === lastDue));
    return {
      figures: {
        year,
        helplines: report.helplines.length,
        monthsDue: months.length,
        reported: months.filter((m) => m.reported).length,
        onTime: months.filter((m) => m.onTime === true).length,
        late: months.filter((m) => m.onTime === false).length,
        missing: months.filter((m) => !m.reported).length,
        lastMonth: lastDue,
        lastMonthMissing: latest.filter((m) => m && !m.reported).length,
        lastMonthOverdue: latest.filter((m) => m && !m.reported && (m.daysLate ?? 0) > 0).length,
      },
    };
  };
}
