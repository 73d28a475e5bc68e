/**
 * Applies Kafka batches (one, or several partitions' together) to the warehouse in ONE transaction,
 * set-based:
 *
 *   1. read the stored offset of the partition; skip records already applied
 *   2. read the current version of every helpline-month in the batch (one query) and decide each
 *      record in offset order: new version | unchanged (same content) | superseded (older than the
 *      current version) | rejected
 *   3. stage every kept version's cells (JSON, one row a version); replace the facts of every
 *      helpline-month that got a new version (one DELETE, one INSERT that expands the staged JSON),
 *      and recompute the aggregates of the country-months they touch (unless deferred: a rebuild)
 *   4. record every version in `submissions`, move `current_versions` (staged, then one statement each)
 *   5. store the next offset of the partition, and the answer of each record's Idempotency-Key
 *
 * A crash anywhere before COMMIT leaves nothing; after it, step 1 makes a redelivery a no-op. A
 * record whose submission the warehouse already holds (a retry that re-sent the same submission
 * after its first produce went unanswered) is applied once, too.
 */
import { listValue } from '@duckdb/node-api';
import {
  HARM_TYPES,
  idempotencyRequestHash,
  type LoadBatch,
  type LoadResult,
  type SubmissionMessage,
} from '../domain/index.js';
import { refreshTouchedAggregates, type StagedKeys } from './aggregates.js';
import type { Db, Tx } from './db.js';
import { type Staged, stageRows } from './staging.js';

interface Current {
  submissionId: string;
  version: number;
  contentHash: string;
  submittedAt: string;
}

type Decision = { partition: number } & (
  | {
      status: 'loaded' | 'unchanged' | 'superseded';
      message: SubmissionMessage;
      offset: bigint;
      version: number | null;
      idempotencyKey?: string;
    }
  | {
      status: 'rejected';
      submissionId: string | undefined;
      helplineId: string | undefined;
      period: string | undefined;
      offset: bigint;
      reason: string;
    }
);

type FreshItem = LoadBatch['items'][number] & { readonly partition: number };

const ISO = `'%Y-%m-%dT%H:%M:%S.%gZ'`;

export const STAGING_SQL: readonly string[] = [
  `CREATE TEMP TABLE IF NOT EXISTS stage_keys (helpline_id VARCHAR, period VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_touched (country VARCHAR, period VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_versions (
     submission_id VARCHAR, helpline_id VARCHAR, period VARCHAR, cells VARCHAR, winner INTEGER)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_offsets (topic VARCHAR, partition INTEGER, next_offset BIGINT)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_submissions (
     submission_id VARCHAR, helpline_id VARCHAR, period VARCHAR, version INTEGER, content_hash VARCHAR,
     submitted_at VARCHAR, status VARCHAR, cells INTEGER, total BIGINT, kafka_partition INTEGER, kafka_offset BIGINT)`,
  `CREATE TEMP TABLE IF NOT EXISTS stage_current (
     helpline_id VARCHAR, period VARCHAR, submission_id VARCHAR, version INTEGER, content_hash VARCHAR, submitted_at VARCHAR)`,
];

/** The stored next offset of each batch's partition, keyed `topic|partition`: one query for all. */
async function storedOffsetsIn(tx: Tx, batches: readonly LoadBatch[]): Promise<Map<string, bigint>> {
  const rows = await tx.all<{ k: string; next_offset: bigint }>(
    `SELECT topic || '|' || partition AS k, next_offset FROM kafka_offsets WHERE list_contains($1, topic)`,
    [listValue([...new Set(batches.map((b) => b.topic))])],
  );
  return new Map(rows.map((r) => [r.k, r.next_offset]));
}

async function currentVersions(tx: Tx, keys: readonly string[]): Promise<Map<string, Current>> {
  if (keys.length === 0) return new Map();
  // A join on the staged keys, not list_contains per row (that compares every row with every key).
  const rows = await tx.all<{
    k: string;
    submission_id: string;
    version: number;
    content_hash: string;
    submitted_at: string;
  }>(
    `SELECT cv.helpline_id || '|' || cv.period AS k, cv.submission_id, cv.version, cv.content_hash,
            strftime(cv.submitted_at AT TIME ZONE 'UTC', ${ISO}) AS submitted_at
       FROM current_versions cv SEMI JOIN (SELECT unnest($1::VARCHAR[]) AS k) wanted
         ON wanted.k = cv.helpline_id || '|' || cv.period`,
    [listValue([...keys])],
  );
  return new Map(
    rows.map((r) => [
      r.k,
      { submissionId: r.submission_id, version: r.version, contentHash: r.content_hash, submittedAt: r.submitted_at },
    ]),
  );
}

function decide(fresh: readonly FreshItem[], current: Map<string, Current>) {
  const winners = new Map<string, SubmissionMessage>();
  const decisions: Decision[] = [];
  for (const item of fresh) {
    const partition = item.partition;
    if (item.kind === 'reject') {
      decisions.push({
        partition,
        status: 'rejected',
        submissionId: item.submissionId,
        helplineId: item.helplineId,
        period: item.period,
        offset: item.offset,
        reason: item.reason,
      });
      continue;
    }
    const m = item.message;
    const key = `${m.helplineId}|${m.period}`;
    const now = current.get(key);
    const idempotency = item.idempotencyKey ? { idempotencyKey: item.idempotencyKey } : {};
    if (now && now.contentHash === m.contentHash) {
      decisions.push({
        partition,
        status: 'unchanged',
        message: m,
        offset: item.offset,
        version: now.version,
        ...idempotency,
      });
    } else if (now && Date.parse(now.submittedAt) > Date.parse(m.submittedAt)) {
      // An older version arriving after a newer one is kept in the history, never made current.
      decisions.push({
        partition,
        status: 'superseded',
        message: m,
        offset: item.offset,
        version: null,
        ...idempotency,
      });
    } else {
      const version = (now?.version ?? 0) + 1;
      current.set(key, {
        submissionId: m.submissionId,
        version,
        contentHash: m.contentHash,
        submittedAt: m.submittedAt,
      });
      winners.set(key, m);
      decisions.push({ partition, status: 'loaded', message: m, offset: item.offset, version, ...idempotency });
    }
  }
  return { winners, decisions };
}

/** The cells of a record as DuckDB reads them from the record's JSON (validated by transform). */
const CELLS_JSON = `'[{"harm": "VARCHAR", "ageBand": "VARCHAR", "gender": "VARCHAR", "channel": "VARCHAR", "count": "INTEGER"}]'`;

async function replaceFacts(
  tx: Tx,
  winners: ReadonlyMap<string, SubmissionMessage>,
  replaced: ReadonlySet<string>,
): Promise<StagedKeys & { readonly cells: number }> {
  await stageRows(
    tx,
    'stage_keys',
    [...winners.values()].map((m) => [m.helplineId, m.period]),
  );
  // Only months that had a version already have facts to remove.
  if ([...winners.keys()].some((key) => replaced.has(key))) {
    await tx.run(
      `DELETE FROM facts USING stage_keys k WHERE facts.helpline_id = k.helpline_id AND facts.period = k.period`,
    );
  }
  const places = await tx.all<{ id: string }>(
    `SELECT id FROM helplines WHERE id IN (SELECT DISTINCT helpline_id FROM stage_keys)`,
  );
  const registered = new Set(places.map((p) => p.id));
  let cells = 0;
  for (const m of winners.values()) {
    // Transform checked the helpline exists; its disappearance is a retriable inconsistency.
    if (!registered.has(m.helplineId)) throw new Error(`helpline ${m.helplineId} is not registered in the warehouse`);
    cells += m.cells.length;
  }
  // DuckDB expands the staged cells JSON (keepVersionCells staged it) into fact rows itself: building
  // the rows in JS, value by value into data chunks, was a fifth of a load's time in the profile.
  await tx.run(
    `INSERT INTO facts
     SELECT s.helpline_id, s.period, CAST(substr(s.period, 1, 4) AS SMALLINT), CAST(substr(s.period, 6, 2) AS TINYINT),
            h.country, h.region, c.harm, coalesce(g.harm_group, 'unknown'), c."ageBand", c.gender, c.channel, c.count,
            s.submission_id
       FROM (SELECT helpline_id, period, submission_id, unnest(from_json(cells, ${CELLS_JSON})) AS c
               FROM stage_versions WHERE winner = 1) s
       JOIN helplines h ON h.id = s.helpline_id
       LEFT JOIN harm_groups g ON g.harm = c.harm`,
  );
  return { table: 'stage_keys', cells };
}

/** Each harm code's group, for the facts (a temp table of the write connection). */
export const HARM_GROUPS_SQL: readonly string[] = [
  'CREATE TEMP TABLE IF NOT EXISTS harm_groups (harm VARCHAR, harm_group VARCHAR)',
  'DELETE FROM harm_groups',
  `INSERT INTO harm_groups VALUES ${HARM_TYPES.map((t) => `('${t.code.replace(/'/g, "''")}', '${t.group.replace(/'/g, "''")}')`).join(', ')}`,
];

/**
 * Every version's cells are kept, so a helpline can see exactly what it sent in each version: one
 * row per version (its cells as JSON), staged once for both the kept cells and the facts.
 */
async function stageVersions(
  tx: Tx,
  decisions: readonly Decision[],
  winners: ReadonlyMap<string, SubmissionMessage>,
): Promise<void> {
  const winnerIds = new Set([...winners.values()].map((m) => m.submissionId));
  await stageRows(
    tx,
    'stage_versions',
    decisions.flatMap((d) =>
      d.status === 'loaded' || d.status === 'superseded'
        ? [
            [
              d.message.submissionId,
              d.message.helplineId,
              d.message.period,
              JSON.stringify(d.message.cells),
              winnerIds.has(d.message.submissionId) ? 1 : 0,
            ],
          ]
        : [],
    ),
  );
}

/**
 * No DELETE first: a submission whose cells were kept was recorded with its Kafka offset in the
 * same transaction, so a redelivery of it is skipped (`appliedSubmissions`) before it gets here.
 */
async function keepVersionCells(tx: Tx): Promise<void> {
  await tx.run('INSERT INTO submission_contents SELECT submission_id, cells FROM stage_versions');
}

async function recordVersions(
  tx: Tx,
  decisions: readonly Decision[],
  current: ReadonlyMap<string, Current>,
  winners: ReadonlyMap<string, SubmissionMessage>,
): Promise<void> {
  const staged: Staged[][] = [];
  for (const d of decisions) {
    if (d.status === 'rejected') {
      if (d.submissionId === undefined) continue;
      // Accepted by ingest → marked rejected; written by another client → recorded as rejected.
      await tx.run(
        `INSERT INTO submissions (submission_id, helpline_id, period, content_hash, submitted_at, status, reason,
                                  kafka_partition, kafka_offset, loaded_at)
         VALUES ($1, $5, $6, '', now(), 'rejected', $2, $3, $4, now())
         ON CONFLICT (submission_id) DO UPDATE SET status = 'rejected', reason = excluded.reason,
           kafka_partition = excluded.kafka_partition, kafka_offset = excluded.kafka_offset, loaded_at = excluded.loaded_at`,
        [d.submissionId, d.reason, d.partition, d.offset, d.helplineId ?? 'unknown', d.period ?? 'unknown'],
      );
      continue;
    }
    const m = d.message;
    const total = BigInt(m.cells.reduce((sum, c) => sum + c.count, 0));
    const row = [m.submissionId, m.helplineId, m.period, d.version, m.contentHash, m.submittedAt, d.status];
    staged.push([...row, m.cells.length, total, d.partition, d.offset]);
  }
  await stageRows(tx, 'stage_submissions', staged);
  // A submission id appears once per batch unless a client re-sent the same record; keep the last.
  await tx.run(
    `INSERT INTO submissions (submission_id, helpline_id, period, version, content_hash, submitted_at, status, reason,
                              cells, total, kafka_partition, kafka_offset, loaded_at)
     SELECT submission_id, helpline_id, period, version, content_hash, submitted_at::TIMESTAMPTZ, status, NULL,
            cells, total, kafka_partition, kafka_offset, now()
       FROM stage_submissions QUALIFY row_number() OVER (PARTITION BY submission_id ORDER BY kafka_offset DESC) = 1
     ON CONFLICT (submission_id) DO UPDATE SET
       version = excluded.version, status = excluded.status, reason = NULL, cells = excluded.cells,
       total = excluded.total, kafka_partition = excluded.kafka_partition, kafka_offset = excluded.kafka_offset,
       loaded_at = excluded.loaded_at`,
  );

  await stageRows(
    tx,
    'stage_current',
    [...winners].flatMap(([key, m]) => {
      const c = current.get(key);
      return c ? [[m.helplineId, m.period, c.submissionId, c.version, c.contentHash, c.submittedAt]] : [];
    }),
  );
  await tx.run(
    `UPDATE submissions SET status = 'replaced' FROM stage_current c
      WHERE submissions.helpline_id = c.helpline_id AND submissions.period = c.period
        AND submissions.status = 'loaded' AND submissions.submission_id <> c.submission_id`,
  );
  await tx.run(
    `INSERT INTO current_versions (helpline_id, period, submission_id, version, content_hash, submitted_at)
     SELECT helpline_id, period, submission_id, version, content_hash, submitted_at::TIMESTAMPTZ FROM stage_current
     ON CONFLICT (helpline_id, period) DO UPDATE SET submission_id = excluded.submission_id,
       version = excluded.version, content_hash = excluded.content_hash, submitted_at = excluded.submitted_at`,
  );
}

/** Submissions of these records that a load already applied (their records were re-sent). */
async function appliedSubmissions(tx: Tx, fresh: readonly FreshItem[]): Promise<Set<string>> {
  const ids = fresh.flatMap((i) => (i.kind === 'load' ? [i.message.submissionId] : []));
  if (ids.length === 0) return new Set();
  const rows = await tx.all<{ submission_id: string }>(
    `SELECT submission_id FROM submissions
      WHERE kafka_offset IS NOT NULL AND submission_id IN (SELECT unnest($1::VARCHAR[]))`,
    [listValue(ids)],
  );
  return new Set(rows.map((r) => r.submission_id));
}

/** Each Idempotency-Key's answer, in the transaction that loads its submission: a crash cannot part them. */
async function rememberKeys(tx: Tx, decisions: readonly Decision[]): Promise<void> {
  for (const d of decisions) {
    if (d.status === 'rejected' || !d.idempotencyKey) continue;
    const m = d.message;
    await tx.run(
      `INSERT INTO idempotency_keys (helpline_id, idempotency_key, request_hash, submission_id, created_at)
       VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ) ON CONFLICT DO NOTHING`,
      [m.helplineId, d.idempotencyKey, idempotencyRequestHash(m.contentHash), m.submissionId, m.submittedAt],
    );
  }
}

export interface LoadOptions {
  /**
   * Leave the aggregates to one recomputation at the end (a rebuild into a new file, read by no
   * one until it is complete): refreshing them per load was a fifth of a rebuild's time.
   */
  readonly deferAggregates?: boolean;
}

const NOTHING = { loaded: 0, unchanged: 0, superseded: 0, rejected: 0, skipped: 0, cells: 0 };

/**
 * Several partitions' batches in ONE transaction (a group commit: each transaction has a fixed
 * cost, and a steady stream spread over partitions would otherwise pay it per partition). A
 * helpline-month always lives in one partition, so the batches never compete for a key.
 * Returns each batch's result, in order.
 */
export async function applyBatches(
  db: Db,
  batches: readonly LoadBatch[],
  options: LoadOptions = {},
): Promise<LoadResult[]> {
  return db.transaction(async (tx) => {
    // 1.
    const fresh: FreshItem[] = [];
    const skipped: number[] = [];
    const stored = await storedOffsetsIn(tx, batches);
    for (const batch of batches) {
      const next = stored.get(`${batch.topic}|${batch.partition}`) ?? 0n;
      const mine = batch.items.filter((i) => i.offset >= next).sort((a, b) => (a.offset < b.offset ? -1 : 1));
      skipped.push(batch.items.length - mine.length);
      fresh.push(...mine.map((i) => ({ ...i, partition: batch.partition })));
    }
    if (fresh.length === 0) return batches.map((_, i) => ({ ...NOTHING, skipped: skipped[i] ?? 0 }));
    const applied = await appliedSubmissions(tx, fresh);
    const seen = new Set<string>();
    const redelivered = new Map<number, number>();
    const toDecide = fresh.filter((i) => {
      if (i.kind !== 'load') return true;
      const id = i.message.submissionId;
      const again = applied.has(id) || seen.has(id);
      seen.add(id);
      if (again) redelivered.set(i.partition, (redelivered.get(i.partition) ?? 0) + 1);
      return !again;
    });
    // 2.
    const keys = [
      ...new Set(toDecide.flatMap((i) => (i.kind === 'load' ? [`${i.message.helplineId}|${i.message.period}`] : []))),
    ];
    const current = await currentVersions(tx, keys);
    const replaced = new Set(current.keys());
    const { winners, decisions } = decide(toDecide, current);
    // 3.
    await stageVersions(tx, decisions, winners);
    if (winners.size > 0) {
      const staged = await replaceFacts(tx, winners, replaced);
      if (!options.deferAggregates) await refreshTouchedAggregates(tx, staged);
    }
    // 4.
    await recordVersions(tx, decisions, current, winners);
    await keepVersionCells(tx);
    await rememberKeys(tx, decisions);
    // 5.
    await stageRows(
      tx,
      'stage_offsets',
      batches.flatMap((batch) => {
        const last = fresh.filter((i) => i.partition === batch.partition).at(-1);
        return last ? [[batch.topic, batch.partition, last.offset + 1n]] : [];
      }),
    );
    await tx.run(
      `INSERT INTO kafka_offsets (topic, partition, next_offset) SELECT topic, partition, next_offset FROM stage_offsets
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
    );
    const winnerIds = new Set([...winners.values()].map((m) => m.submissionId));
    return batches.map((batch, i) => {
      const mine = decisions.filter((d) => d.partition === batch.partition);
      const count = (status: Decision['status']) => mine.filter((d) => d.status === status).length;
      return {
        loaded: count('loaded'),
        unchanged: count('unchanged'),
        superseded: count('superseded'),
        rejected: count('rejected'),
        skipped: (skipped[i] ?? 0) + (redelivered.get(batch.partition) ?? 0),
        cells: mine.reduce(
          (sum, d) =>
            sum + (d.status === 'loaded' && winnerIds.has(d.message.submissionId) ? d.message.cells.length : 0),
          0,
        ),
      };
    });
  });
}

export async function applyBatch(db: Db, batch: LoadBatch): Promise<LoadResult> {
  return (await applyBatches(db, [batch]))[0] ?? NOTHING;
}

export async function storedOffsets(db: Db, topic: string, partitions: readonly number[]) {
  const rows = await db.all<{ partition: number; next_offset: bigint }>(
    'SELECT partition, next_offset FROM kafka_offsets WHERE topic = $1',
    [topic],
  );
  const wanted = new Set(partitions);
  return new Map(rows.filter((r) => wanted.has(r.partition)).map((r) => [r.partition, r.next_offset]));
}
