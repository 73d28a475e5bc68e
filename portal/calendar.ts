/**
 * A helpline's last 24 months at a glance. Pure: versions, locks and the clock in, one status per
 * month out. A month is due once it is over (in the secretariat's time zone) and late when its
 * first version arrived after the deadline (day `deadlineDay` of the next month).
 */
import { deadlineOf, monthIn, previousMonth } from '../domain/index.js';

export interface VersionLike {
  readonly submissionId: string;
  readonly period: string;
  readonly version: number | null;
  readonly status: string;
  readonly reason: string | null;
  readonly submittedAt: string;
  readonly loadedAt: string | null;
  readonly cells: number | null;
  readonly total: number | null;
}

export type MonthState = 'loaded' | 'submitted' | 'rejected' | 'missing' | 'open';

export interface MonthView {
  readonly period: string;
  readonly state: MonthState;
  readonly late: boolean;
  readonly lockedBy: string | undefined;
  readonly dueBy: string;
  readonly versions: number;
  readonly latest: VersionLike | undefined;
}

export interface Policy {
  readonly deadlineDay: number;
  readonly timeZone: string;
}

export function lastMonths(now: Date, policy: Policy, count = 24): string[] {
  const months: string[] = [];
  let p = monthIn(now, policy.timeZone);
  for (let i = 0; i < count; i++) {
    months.push(p);
    p = previousMonth(p);
  }
  return months;
}

export function monthView(
  period: string,
  versions: readonly VersionLike[],
  lockedBy: string | undefined,
  now: Date,
  policy: Policy,
): MonthView {
  const mine = versions.filter((v) => v.period === period).sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  const deadline = deadlineOf(period, policy.deadlineDay, policy.timeZone);
  const latest = mine.at(-1);
  const firstAccepted = mine.find((v) => v.status !== 'rejected');
  const current = monthIn(now, policy.timeZone);
  let state: MonthState;
  if (!latest) state = period >= current ? 'open' : 'missing';
  else if (latest.status === 'accepted') state = 'submitted';
  else if (mine.some((v) => v.status === 'loaded' || v.status === 'replaced' || v.status === 'superseded'))
    state = 'loaded';
  else state = 'rejected';
  // Late is about what arrived; a month with nothing is "missing" already.
  const late = firstAccepted ? Date.parse(firstAccepted.submittedAt) >= deadline.getTime() : false;
  return {
    period,
    state,
    late,
    lockedBy,
    dueBy: deadline.toISOString(),
    versions: mine.length,
    latest,
  };
}

/** The next deadline still ahead, and the month it is for. */
export function nextDeadline(now: Date, policy: Policy): { period: string; dueBy: string } {
  const current = monthIn(now, policy.timeZone);
  const last = previousMonth(current);
  const lastDue = deadlineOf(last, policy.deadlineDay, policy.timeZone);
  if (now < lastDue) return { period: last, dueBy: lastDue.toISOString() };
  return { period: current, dueBy: deadlineOf(current, policy.deadlineDay, policy.timeZone).toISOString() };
}

export const STATE_LABELS: Record<MonthState, string> = {
  loaded: 'Loaded',
  submitted: 'Submitted, loading',
  rejected: 'Rejected',
  missing: 'Missing',
  open: 'Not due yet',
};
