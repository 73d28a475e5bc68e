/** Where reminders go (a helpline's webhook) and what the outbox holds, for the admin API. */
import { randomBytes } from 'node:crypto';
import type { ReminderView } from '../domain/index.js';
import type { Db } from '../warehouse/index.js';

export function createOpsStore(db: Db) {
  return {
    /** Sets the helpline's webhook; a new signing secret each time, returned once. */
    async setWebhook(helplineId: string, url: string, now: Date): Promise<{ url: string; secret: string }> {
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM helpline_webhooks WHERE helpline_id = $1', [helplineId]);
        await tx.run(
          'INSERT INTO helpline_webhooks (helpline_id, url, secret, created_at) VALUES ($1, $2, $3, $4::TIMESTAMPTZ)',
          [helplineId, url, secret, now.toISOString()],
        );
        // Reminders that were waiting for a webhook can now be posted.
        await tx.run(
          `UPDATE reminders SET delivery = 'pending', next_attempt_at = $2::TIMESTAMPTZ
            WHERE helpline_id = $1 AND delivery = 'no_webhook'`,
          [helplineId, now.toISOString()],
        );
      });
      return { url, secret };
    },
    async deleteWebhook(helplineId: string): Promise<boolean> {
      const rows = await db.transaction((tx) =>
        tx.all('DELETE FROM helpline_webhooks WHERE helpline_id = $1 RETURNING helpline_id', [helplineId]),
      );
      return rows.length > 0;
    },
    async reminders(limit = 200): Promise<ReminderView[]> {
      const rows = await db.all<{
        reminder_id: string;
        helpline_id: string;
        period: string;
        kind: string;
        due_by: string;
        delivery: string;
        attempts: number;
        delivered_at: string | null;
        last_error: string | null;
      }>(
        `SELECT reminder_id, helpline_id, period, kind,
                strftime(due_by AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS due_by, delivery, attempts,
                strftime(delivered_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS delivered_at, last_error
           FROM reminders ORDER BY created_at DESC, reminder_id LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({
        reminderId: r.reminder_id,
        helplineId: r.helpline_id,
        period: r.period,
        kind: r.kind,
        dueBy: r.due_by,
        delivery: r.delivery,
        attempts: r.attempts,
        deliveredAt: r.delivered_at,
        lastError: r.last_error,
      }));
    },
  };
}

export type OpsStore = ReturnType<typeof createOpsStore>;
