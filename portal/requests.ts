/** Unlock requests (a helpline asks, the secretariat decides) and who uploaded which version. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../warehouse/index.js';

export interface UnlockRequest {
  readonly id: string;
  readonly helplineId: string;
  readonly period: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly decision: 'approve' | 'decline' | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly note: string | null;
}

const iso = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS ${column}`;
const SELECT = `SELECT request_id, helpline_id, period, reason, requested_by, ${iso('requested_at')}, decision, decided_by, ${iso('decided_at')}, note FROM portal_unlock_requests`;
type Row = {
  request_id: string;
  helpline_id: string;
  period: string;
  reason: string;
  requested_by: string;
  requested_at: string;
  decision: 'approve' | 'decline' | null;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
};
const toRequest = (r: Row): UnlockRequest => ({
  id: r.request_id,
  helplineId: r.helpline_id,
  period: r.period,
  reason: r.reason,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  decision: r.decision,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  note: r.note,
});

export function createRequests(db: Db) {
  return {
    /** One open request per helpline-month: asking again returns the open one. */
    async ask(r: { helplineId: string; period: string; reason: string; by: string }, now: Date) {
      const open = await db.all<Row>(`${SELECT} WHERE helpline_id = $1 AND period = $2 AND decision IS NULL`, [
        r.helplineId,
        r.period,
      ]);
      if (open[0]) return toRequest(open[0]);
      const id = randomUUID();
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO portal_unlock_requests (request_id, helpline_id, period, reason, requested_by, requested_at)
           VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMPTZ)`,
          [id, r.helplineId, r.period, r.reason, r.by, now.toISOString()],
        ),
      );
      return (await this.get(id)) as UnlockRequest;
    },
    async get(id: string): Promise<UnlockRequest | undefined> {
      const rows = await db.all<Row>(`${SELECT} WHERE request_id = $1`, [id]);
      return rows[0] ? toRequest(rows[0]) : undefined;
    },
    async list(filter: { helplineId?: string; open?: boolean } = {}): Promise<UnlockRequest[]> {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.helplineId) {
        params.push(filter.helplineId);
        where.push(`helpline_id = $${params.length}`);
      }
      if (filter.open) where.push('decision IS NULL');
      const rows = await db.all<Row>(
        `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY requested_at DESC`,
        params,
      );
      return rows.map(toRequest);
    },
    /** Records the decision once; false when it was decided already. */
    async decide(id: string, decision: 'approve' | 'decline', by: string, note: string, now: Date) {
      return db.transaction(async (tx) => {
        const open = await tx.all<{ n: bigint }>(
          'SELECT count(*) AS n FROM portal_unlock_requests WHERE request_id = $1 AND decision IS NULL',
          [id],
        );
        if (Number(open[0]?.n ?? 0n) === 0) return false;
        await tx.run(
          `UPDATE portal_unlock_requests SET decision = $2, decided_by = $3, decided_at = $4::TIMESTAMPTZ, note = $5
            WHERE request_id = $1`,
          [id, decision, by, now.toISOString(), note || null],
        );
        return true;
      });
    },

    async recordUpload(u: { submissionId: string; helplineId: string; username: string; kind: string }, now: Date) {
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO portal_uploads (submission_id, helpline_id, username, file_kind, uploaded_at)
           VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ) ON CONFLICT DO NOTHING`,
          [u.submissionId, u.helplineId, u.username, u.kind, now.toISOString()],
        ),
      );
    },
    async uploaders(helplineId: string): Promise<Map<string, { username: string; kind: string }>> {
      const rows = await db.all<{ submission_id: string; username: string; file_kind: string }>(
        'SELECT submission_id, username, file_kind FROM portal_uploads WHERE helpline_id = $1',
        [helplineId],
      );
      return new Map(rows.map((r) => [r.submission_id, { username: r.username, kind: r.file_kind }]));
    },
  };
}

export type Requests = ReturnType<typeof createRequests>;
