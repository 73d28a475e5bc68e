/** Submission receipts and history, as a helpline (or the admin) sees them. */
import type { Db } from './db.js';

export interface SubmissionRecord {
  readonly submissionId: string;
  readonly helplineId: string;
  readonly period: string;
  readonly version: number | null;
  readonly status: string;
  readonly reason: string | null;
  readonly contentHash: string;
  readonly submittedAt: string;
  readonly loadedAt: string | null;
  readonly cells: number | null;
  readonly total: number | null;
}

export interface AcceptedSubmission {
  readonly submissionId: string;
  readonly helplineId: string;
  readonly period: string;
  readonly contentHash: string;
  readonly submittedAt: string;
}

const SELECT = `SELECT submission_id, helpline_id, period, version, status, reason, content_hash,
       strftime(submitted_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS submitted_at,
       strftime(loaded_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS loaded_at, cells, total
  FROM submissions`;

type RawRow = {
  submission_id: string;
  helpline_id: string;
  period: string;
  version: number | null;
  status: string;
  reason: string | null;
  content_hash: string;
  submitted_at: string;
  loaded_at: string | null;
  cells: number | null;
  total: bigint | null;
};

const toRecord = (r: RawRow): SubmissionRecord => ({
  submissionId: r.submission_id,
  helplineId: r.helpline_id,
  period: r.period,
  version: r.version,
  status: r.status,
  reason: r.reason,
  contentHash: r.content_hash,
  submittedAt: r.submitted_at,
  loadedAt: r.loaded_at,
  cells: r.cells,
  total: r.total === null ? null : Number(r.total),
});

export function createSubmissionStore(db: Db) {
  // Receipts of concurrent uploads are written together: one transaction instead of one each.
  let pending: { s: AcceptedSubmission; ok: () => void; fail: (e: unknown) => void }[] = [];
  let writing = false;
  const flush = async (): Promise<void> => {
    if (writing || pending.length === 0) return;
    writing = true;
    const taken = pending.slice(0, 500);
    pending = pending.slice(taken.length);
    try {
      const values = taken.map(
        (_, i) =>
          `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5}::TIMESTAMPTZ, 'accepted')`,
      );
      const params = taken.flatMap(({ s }) => [s.submissionId, s.helplineId, s.period, s.contentHash, s.submittedAt]);
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO submissions (submission_id, helpline_id, period, content_hash, submitted_at, status)
           VALUES ${values.join(', ')} ON CONFLICT (submission_id) DO NOTHING`,
          params,
        ),
      );
      for (const p of taken) p.ok();
    } catch (error) {
      for (const p of taken) p.fail(error);
    } finally {
      writing = false;
      if (pending.length > 0) void flush();
    }
  };

  return {
    /** Written after Kafka acknowledged; a load that got there first is never overwritten. */
    recordAccepted(s: AcceptedSubmission): Promise<void> {
      return new Promise((ok, fail) => {
        pending.push({ s, ok, fail });
        queueMicrotask(() => void flush());
      });
    },

    async get(submissionId: string): Promise<SubmissionRecord | undefined> {
      const rows = await db.all<RawRow>(`${SELECT} WHERE submission_id = $1`, [submissionId]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },

    /** The newest accepted-or-loaded version with this content, for idempotent re-uploads. */
    async findCurrentWithHash(helplineId: string, period: string, contentHash: string) {
      const rows = await db.all<RawRow>(
        `${SELECT} WHERE submission_id = (
           SELECT submission_id FROM submissions WHERE helpline_id = $1 AND period = $2
              AND status IN ('accepted', 'loaded') ORDER BY submitted_at DESC LIMIT 1)
           AND content_hash = $3`,
        [helplineId, period, contentHash],
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },

    async list(helplineId: string, period?: string): Promise<SubmissionRecord[]> {
      const rows = period
        ? await db.all<RawRow>(`${SELECT} WHERE helpline_id = $1 AND period = $2 ORDER BY submitted_at`, [
            helplineId,
            period,
          ])
        : await db.all<RawRow>(`${SELECT} WHERE helpline_id = $1 ORDER BY period, submitted_at`, [helplineId]);
      return rows.map(toRecord);
    },
  };
}

export type SubmissionStore = ReturnType<typeof createSubmissionStore>;
