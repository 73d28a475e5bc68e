/**
 * `reminders`: for helplines that have not sent last month as its deadline nears or passes, writes
 * one reminder per (helpline, month, kind) to the outbox, then posts every pending one to the
 * helpline's webhook, signed, retried with backoff within the run and across runs, and marked
 * delivered on the first 2xx so it is never posted again.
 */
import { createHash } from 'node:crypto';
import { deadlineOf, monthIn, previousMonth } from '../domain/index.js';
import type { Db, DeadlinePolicy } from '../warehouse/index.js';
import type { Job } from './runner.js';
import { postSigned } from './webhook.js';

const DAY = 86_400_000;

export interface ReminderOptions {
  readonly db: Db;
  readonly policy: DeadlinePolicy;
  /** Days before the deadline that the "due soon" reminder goes out. */
  readonly leadDays: number;
  /**
   * Real time, for a post's signature and delivery time: a receiver checks a signature's freshness
   * against its own clock, whatever time the run is scheduled by.
   */
  readonly wallClock: () => Date;
  /** Posts per reminder within one run, and the first pause between them (doubled each time). */
  readonly attemptsPerRun?: number;
  readonly retryDelayMs?: number;
  /** Total posts before a reminder is given up (and reported). */
  readonly maxAttempts?: number;
}

const monthName = (period: string) =>
  new Date(`${period}-15T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export function remindersJob(options: ReminderOptions): Job {
  const { db, policy } = options;
  const attemptsPerRun = options.attemptsPerRun ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const maxAttempts = options.maxAttempts ?? 10;

  async function writeDue(now: Date): Promise<{ period: string; kind: string | null; written: number }> {
    const period = previousMonth(monthIn(now, policy.timeZone));
    const due = deadlineOf(period, policy.deadlineDay, policy.timeZone);
    const kind =
      now.getTime() >= due.getTime()
        ? 'overdue'
        : due.getTime() - now.getTime() <= options.leadDays * DAY
          ? 'due_soon'
          : null;
    if (!kind) return { period, kind, written: 0 };
    const missing = await db.all<{ id: string; webhook: boolean }>(
      `SELECT h.id, w.helpline_id IS NOT NULL AS webhook
         FROM helplines h LEFT JOIN helpline_webhooks w ON w.helpline_id = h.id
        WHERE h.created_at < $1::TIMESTAMPTZ
          AND NOT EXISTS (SELECT 1 FROM submissions s
                           WHERE s.helpline_id = h.id AND s.period = $2 AND s.status <> 'rejected')
        ORDER BY h.id`,
      [due.toISOString(), period],
    );
    let written = 0;
    await db.transaction(async (tx) => {
      for (const h of missing) {
        const id = createHash('sha256').update(`${h.id}|${period}|${kind}`).digest('hex').slice(0, 32);
        const rows = await tx.all<{ n: number }>(
          `INSERT INTO reminders (reminder_id, helpline_id, period, kind, due_by, created_at, delivery, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, $6::TIMESTAMPTZ, $7, $6::TIMESTAMPTZ)
           ON CONFLICT (reminder_id) DO NOTHING RETURNING 1 AS n`,
          [id, h.id, period, kind, due.toISOString(), now.toISOString(), h.webhook ? 'pending' : 'no_webhook'],
        );
        written += rows.length;
      }
    });
    return { period, kind, written };
  }

  async function deliver(now: Date) {
    const pending = await db.all<{
      reminder_id: string;
      helpline_id: string;
      period: string;
      kind: string;
      due_by: string;
      attempts: number;
      url: string;
      secret: string;
    }>(
      `SELECT r.reminder_id, r.helpline_id, r.period, r.kind,
              strftime(r.due_by AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS due_by, r.attempts, w.url, w.secret
         FROM reminders r JOIN helpline_webhooks w ON w.helpline_id = r.helpline_id
        WHERE r.delivery = 'pending' AND r.next_attempt_at <= $1::TIMESTAMPTZ
        ORDER BY r.created_at, r.reminder_id`,
      [now.toISOString()],
    );
    const figures = { delivered: 0, retrying: 0, givenUp: 0, posts: 0 };
    for (const r of pending) {
      const dueBy = new Date(r.due_by);
      const payload = {
        type: 'reminder',
        reminderId: r.reminder_id,
        helplineId: r.helpline_id,
        period: r.period,
        kind: r.kind,
        dueBy: r.due_by,
        message:
          r.kind === 'overdue'
            ? `Your statistics for ${monthName(r.period)} were due by ${new Date(dueBy.getTime() - 1).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: policy.timeZone })} and have not arrived yet.`
            : `A reminder: your statistics for ${monthName(r.period)} are due by ${new Date(dueBy.getTime() - 1).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: policy.timeZone })}.`,
      };
      let attempts = r.attempts;
      let result: Awaited<ReturnType<typeof postSigned>> = { ok: false, status: 0 };
      for (let i = 0; i < attemptsPerRun && attempts < maxAttempts; i++) {
        if (i > 0) await new Promise((ok) => setTimeout(ok, retryDelayMs * 2 ** (i - 1)));
        attempts++;
        figures.posts++;
        result = await postSigned(r.url, r.secret, payload, { 'x-reminder-id': r.reminder_id }, options.wallClock());
        if (result.ok) break;
      }
      const delivery = result.ok ? 'delivered' : attempts >= maxAttempts ? 'failed' : 'pending';
      // Across runs, wait longer after each failed run (1 h, 2 h, 4 h … at most a day).
      const next = new Date(now.getTime() + Math.min(DAY, 3_600_000 * 2 ** Math.max(0, attempts - attemptsPerRun)));
      await db.transaction((tx) =>
        tx.run(
          `UPDATE reminders SET delivery = $2, attempts = $3, next_attempt_at = $4::TIMESTAMPTZ,
                  delivered_at = NULLIF($5, '')::TIMESTAMPTZ, last_error = NULLIF($6, '') WHERE reminder_id = $1`,
          [
            r.reminder_id,
            delivery,
            attempts,
            next.toISOString(),
            result.ok ? options.wallClock().toISOString() : '',
            result.ok ? '' : (result.error ?? 'failed'),
          ],
        ),
      );
      if (delivery === 'delivered') figures.delivered++;
      else if (delivery === 'failed') figures.givenUp++;
      else figures.retrying++;
    }
    return figures;
  }

  return async ({ now, logger }) => {
    const due = await writeDue(now);
    const sent = await deliver(now);
    if (sent.givenUp) logger.error({ givenUp: sent.givenUp }, 'reminders could not be delivered and were given up');
    return { figures: { ...due, ...sent } };
  };
}
