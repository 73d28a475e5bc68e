/**
 * The warehouse: one DuckDB file owned by this process.
 *
 *   open file (DuckDB's lock: a second process gets WarehouseLockedError)
 *     → create tables → expose: load target (transform), registry, submissions, trends, completeness
 *
 * Storage and loads only: publication (releases/) and the scheduled work (jobs/) build on `db`.
 */
import { createBatcher, type LoadBatch, type LoadResult, type LoadTarget, type TrendsQuery } from '../domain/index.js';
import { recomputeAggregates } from './aggregates.js';
import { completeness, type DeadlinePolicy } from './completeness.js';
import { type Db, type DbOptions, openDb } from './db.js';
import { applyBatches, HARM_GROUPS_SQL, type LoadOptions, STAGING_SQL, storedOffsets } from './load.js';
import { createRegistry } from './registry.js';
import {
  ACCOUNT_SQL,
  AGGREGATE_SQL,
  LEDGER_SQL,
  LOCK_SQL,
  OPS_SQL,
  RELEASE_SQL,
  SCHEMA_SQL,
  SCHEMA_VERSION,
} from './schema.js';
import { createSubmissionStore, RECEIPT_STAGING_SQL } from './submissions.js';
import { queryTrends } from './trends.js';

/** Tables that are configuration, not data: a rebuild copies them rather than replaying them. */
export const ACCOUNT_TABLES = ['helplines', 'api_keys', 'helpline_mappings', 'idempotency_keys'] as const;
/** Tables a replay of the topic must reproduce exactly. */
export const DATA_TABLES = [
  'facts',
  'current_versions',
  'submission_contents',
  'kafka_offsets',
  'agg_harm_month',
  'agg_dims_month',
] as const;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function openWarehouse(path: string, options: DbOptions & LoadOptions = {}) {
  const db: Db = await openDb(path, options);
  await db.transaction(async (tx) => {
    for (const sql of [
      ...SCHEMA_SQL,
      ...ACCOUNT_SQL,
      ...AGGREGATE_SQL,
      ...RELEASE_SQL,
      ...LOCK_SQL,
      ...OPS_SQL,
      ...LEDGER_SQL,
      ...STAGING_SQL,
      RECEIPT_STAGING_SQL,
      ...HARM_GROUPS_SQL,
    ])
      await tx.run(sql);
    await tx.run(`INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`, [
      String(SCHEMA_VERSION),
    ]);
  });
  const registry = createRegistry(db);
  const loads = createBatcher<LoadBatch, LoadResult>({ run: (batches) => applyBatches(db, batches, options) });
  const loadTarget: LoadTarget = {
    storedOffsets: (topic, partitions) => storedOffsets(db, topic, partitions),
    findHelpline: (id) => registry.findHelpline(id),
    // Batches that arrive while a load transaction runs (other partitions' batches, consumed
    // concurrently) wait and then go in together, in one transaction; a lone batch goes at once.
    applyBatch: (batch) => loads.add(batch),
  };
  return {
    db,
    registry,
    submissions: createSubmissionStore(db),
    loadTarget,
    trends: (q: TrendsQuery) => queryTrends(db, q),
    completeness: (year: number, policy: DeadlinePolicy, now: Date) => completeness(db, year, policy, now),
    async factCount(): Promise<number> {
      const rows = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM facts');
      return Number(rows[0]?.n ?? 0n);
    },
    /** Helpline-months with a loaded version. */
    async helplineMonths(): Promise<number> {
      const rows = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM current_versions');
      return Number(rows[0]?.n ?? 0n);
    },
    /** Copies helplines, keys, mappings and idempotency keys from another warehouse file. */
    async copyAccountsFrom(path: string): Promise<void> {
      // ATTACH and DETACH cannot share the copy's transaction.
      await db.transaction((tx) => tx.run(`ATTACH ${quote(path)} AS source (READ_ONLY)`));
      try {
        await db.transaction(async (tx) => {
          for (const table of ACCOUNT_TABLES) await tx.run(`INSERT INTO ${table} SELECT * FROM source.${table}`);
        });
      } finally {
        await db.transaction((tx) => tx.run('DETACH source'));
      }
    },
    /** Builds the aggregates from the facts (after loads that deferred them). */
    recomputeAggregates: () => db.transaction((tx) => recomputeAggregates(tx)),
    async checkpoint(): Promise<void> {
      await db.transaction(async () => {});
      await db.all('CHECKPOINT');
    },
    close: () => db.close(),
  };
}

export type Warehouse = Awaited<ReturnType<typeof openWarehouse>>;
