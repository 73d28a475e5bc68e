/** Submission receipts and history, as a helpline (or the admin) sees them. */
import { listValue } from '@duckdb/node-api';
import { createBatcher, type SubmissionRecord } from '../domain/index.js';
import type { Db, Params, Row } from './db.js';
import { stageRows } from './staging.js';

export type { SubmissionRecord };

/** The write connection's table of receipts on their way into `submissions`. */
export const RECEIPT_STAGING_SQL = `CREATE TEMP TABLE IF NOT EXISTS stage_receipts (
  submission_id VARCHAR, helpline_id VARCHAR, period VARCHAR, content_hash VARCHAR, submitted_at VARCHAR)`;

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
  status: SubmissionRecord['status'];
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
  // Receipts Kafka already holds but DuckDB not yet: answered from memory meanwhile, so an upload
  // never waits behind a load transaction for its receipt.
  const unwritten = new Map<string, AcceptedSubmission>();
  const firstRow = async <T extends Row>(sql: string, params: Params) => (await db.all<T>(sql, params))[0];
  const asRecord = (a: AcceptedSubmission): SubmissionRecord => ({
    submissionId: a.submissionId,
    helplineId: a.helplineId,
    period: a.period,
    version: null,
    status: 'accepted',
    reason: null,
    contentHash: a.contentHash,
    submittedAt: a.submittedAt,
    loadedAt: null,
    cells: null,
    total: null,
  });
  const receipts = createBatcher<AcceptedSubmission>({
    take: (waiting) => Math.min(waiting.length, 500),
    run: async (taken) => {
      try {
        await db.transaction(async (tx) => {
          await stageRows(
            tx,
            'stage_receipts',
            taken.map((s) => [s.submissionId, s.helplineId, s.period, s.contentHash, s.submittedAt]),
          );
          await tx.run(
            `INSERT INTO submissions (submission_id, helpline_id, period, content_hash, submitted_at, status)
             SELECT submission_id, helpline_id, period, content_hash, submitted_at::TIMESTAMPTZ, 'accepted'
               FROM stage_receipts ON CONFLICT (submission_id) DO NOTHING`,
          );
        });
      } finally {
        for (const s of taken) unwritten.delete(s.submissionId);
      }
    },
  });

  return {
    /** Written after Kafka acknowledged; a load that got there first is never overwritten. */
    recordAccepted(s: AcceptedSubmission): Promise<void> {
      unwritten.set(s.submissionId, s);
      return receipts.add(s);
    },

    async get(submissionId: string): Promise<SubmissionRecord | undefined> {
      // Look in memory before and after the query: the receipt may be written while it runs.
      const before = unwritten.get(submissionId);
      const rows = await db.all<RawRow>(`${SELECT} WHERE submission_id = $1`, [submissionId]);
      if (rows[0]) return toRecord(rows[0]);
      const waiting = before ?? unwritten.get(submissionId);
      return waiting ? asRecord(waiting) : undefined;
    },

    /** The newest accepted-or-loaded version with this content, for idempotent re-uploads. */
    async findCurrentWithHash(helplineId: string, period: string, contentHash: string) {
      const waiting = [...unwritten.values()]
        .filter((a) => a.helplineId === helplineId && a.period === period)
        .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
        .at(-1);
      if (waiting) return waiting.contentHash === contentHash ? asRecord(waiting) : undefined;
      const rows = await db.all<RawRow>(
        `${SELECT} WHERE submission_id = (
           SELECT submission_id FROM submissions WHERE helpline_id = $1 AND period = $2
              AND status IN ('accepted', 'loaded') ORDER BY submitted_at DESC LIMIT 1)
           AND content_hash = $3`,
        [helplineId, period, contentHash],
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },

    async cells(submissionId: string) {
      const kept = await db.all<{ cells: string }>('SELECT cells FROM submission_contents WHERE submission_id = $1', [
        submissionId,
      ]);
      if (kept[0]) {
        const cells = JSON.parse(kept[0].cells) as {
          harm: string;
          ageBand: string;
          gender: string;
          channel: string;
          count: number;
        }[];
        const key = (c: (typeof cells)[number]) => `${c.harm}|${c.ageBand}|${c.gender}|${c.channel}`;
        return cells.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      }
      const rows = await db.all<{ harm: string; age_band: string; gender: string; channel: string; count: number }>(
        `SELECT harm, age_band, gender, channel, count FROM submission_cells WHERE submission_id = $1
          ORDER BY harm, age_band, gender, channel`,
        [submissionId],
      );
      return rows.map((r) => ({
        harm: r.harm,
        ageBand: r.age_band,
        gender: r.gender,
        channel: r.channel,
        count: r.count,
      }));
    },

    /**
     * Everything a multi-month upload needs to know of the helpline's months, in three queries
     * for the whole upload: the newest accepted-or-loaded version of each asked month (memory
     * first, as `findCurrentWithHash`), the current versions with their cases, and the locks.
     */
    async helplineMonths(helplineId: string, periods: readonly string[]) {
      const asked = listValue([...periods]);
      const [newestRows, currentRows, lockRows] = await Promise.all([
        db.all<RawRow>(
          `${SELECT} WHERE helpline_id = $1 AND list_contains($2, period) AND status IN ('accepted', 'loaded')
             QUALIFY row_number() OVER (PARTITION BY period ORDER BY submitted_at DESC) = 1`,
          [helplineId, asked],
        ),
        db.all<{ period: string; submission_id: string; version: number; total: bigint | null }>(
          `SELECT cv.period, cv.submission_id, cv.version, s.total FROM current_versions cv
             LEFT JOIN submissions s ON s.submission_id = cv.submission_id WHERE cv.helpline_id = $1`,
          [helplineId],
        ),
        db.all<{ period: string; id: string }>(
          `SELECT p.period, (SELECT r.id FROM releases r
                WHERE p.period BETWEEN r.span_from AND r.span_to
                  AND NOT EXISTS (SELECT 1 FROM period_unlocks u
                                   WHERE u.helpline_id = $1 AND u.period = p.period AND u.unlocked_at > r.created_at)
                ORDER BY r.created_at DESC LIMIT 1) AS id
             FROM (SELECT unnest($2::VARCHAR[]) AS period) p`,
          [helplineId, asked],
        ),
      ]);
      const newest = new Map(newestRows.map((r) => [r.period, toRecord(r)]));
      // Receipts not written yet are newer than anything in the table.
      const waiting = new Map<string, AcceptedSubmission>();
      for (const a of unwritten.values()) {
        const seen = waiting.get(a.period);
        if (a.helplineId === helplineId && (!seen || seen.submittedAt <= a.submittedAt)) waiting.set(a.period, a);
      }
      for (const [period, a] of waiting) newest.set(period, asRecord(a));
      const wanted = new Set(periods);
      return {
        newest,
        current: new Map(
          currentRows
            .filter((r) => wanted.has(r.period))
            .map((r) => [r.period, { submissionId: r.submission_id, version: r.version }]),
        ),
        totals: new Map(currentRows.map((r) => [r.period, Number(r.total ?? 0n)])),
        locks: new Map(lockRows.flatMap((r) => (r.id ? [[r.period, r.id] as const] : []))),
      };
    },

    /** The version a new upload would replace, if any. */
    async current(helplineId: string, period: string) {
      const row = await firstRow<{ submission_id: string; version: number }>(
        'SELECT submission_id, version FROM current_versions WHERE helpline_id = $1 AND period = $2',
        [helplineId, period],
      );
      return row && { submissionId: row.submission_id, version: row.version };
    },

    /**
     * The helpline's usual month: the mean total of its last 12 loaded months. Read from the
     * versions table (small), never from the facts, so every upload stays cheap.
     */
    async usualLevels(helplineId: string, before: string) {
      const rows = await db.all<{ mean: number | null; months: bigint }>(
        `SELECT avg(s.total) AS mean, count(*) AS months FROM (
           SELECT cv.submission_id FROM current_versions cv
            WHERE cv.helpline_id = $1 AND cv.period < $2 ORDER BY cv.period DESC LIMIT 12) recent
           JOIN submissions s ON s.submission_id = recent.submission_id`,
        [helplineId, before],
      );
      return { months: Number(rows[0]?.months ?? 0n), total: Number(rows[0]?.mean ?? 0) };
    },

    /** The release that locks this helpline-month, unless the secretariat unlocked it since. */
    async lockedBy(helplineId: string, period: string): Promise<string | undefined> {
      const rows = await db.all<{ id: string }>(
        `SELECT r.id FROM releases r
          WHERE $2 BETWEEN r.span_from AND r.span_to
            AND NOT EXISTS (SELECT 1 FROM period_unlocks u
                             WHERE u.helpline_id = $1 AND u.period = $2 AND u.unlocked_at > r.created_at)
          ORDER BY r.created_at DESC LIMIT 1`,
        [helplineId, period],
      );
      return rows[0]?.id;
    },

    async unlock(helplineId: string, period: string, now: Date): Promise<void> {
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO period_unlocks (helpline_id, period, unlocked_at) VALUES ($1, $2, $3::TIMESTAMPTZ)
           ON CONFLICT (helpline_id, period) DO UPDATE SET unlocked_at = excluded.unlocked_at`,
          [helplineId, period, now.toISOString()],
        ),
      );
    },

    async findIdempotent(helplineId: string, key: string) {
      const row = await firstRow<{ request_hash: string; submission_id: string }>(
        'SELECT request_hash, submission_id FROM idempotency_keys WHERE helpline_id = $1 AND idempotency_key = $2',
        [helplineId, key],
      );
      return row && { requestHash: row.request_hash, submissionId: row.submission_id };
    },

    async rememberIdempotent(helplineId: string, key: string, requestHash: string, submissionId: string) {
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO idempotency_keys (helpline_id, idempotency_key, request_hash, submission_id, created_at)
           VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING`,
          [helplineId, key, requestHash, submissionId],
        ),
      );
    },

    async list(helplineId: string, period?: string): Promise<SubmissionRecord[]> {
      const rows = period
        ? await db.all<RawRow>(`${SELECT} WHERE helpline_id = $1 AND period = $2 ORDER BY submitted_at`, [
            helplineId,
            period,
          ])
        : await db.all<RawRow>(`${SELECT} WHERE helpline_id = $1 ORDER BY period, submitted_at`, [helplineId]);
      const listed = rows.map(toRecord);
      const seen = new Set(listed.map((r) => r.submissionId));
      const waiting = [...unwritten.values()]
        .filter((a) => a.helplineId === helplineId && (!period || a.period === period) && !seen.has(a.submissionId))
        .map(asRecord);
      return [...listed, ...waiting].sort(
        (a, b) => a.period.localeCompare(b.period) || a.submittedAt.localeCompare(b.submittedAt),
      );
    },
  };
}

export type SubmissionStore = ReturnType<typeof createSubmissionStore>;
