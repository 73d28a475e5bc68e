/**
 * Aggregate maintenance, set-based. The unit of change is (country, month): a load recomputes
 * exactly the aggregate rows of the country-months it touched, from the facts, in its transaction.
 */
import type { Tx } from './db.js';
import { periodIn, type SqlFilter } from './period-filter.js';

const HARM_SELECT = `SELECT period, year, country, region, harm, harm_group, sum(count) AS cases FROM facts`;
const DIMS_SELECT = `SELECT period, year, country, region, harm_group, age_band, gender, channel, sum(count) AS cases FROM facts`;
const TOUCHED = `EXISTS (SELECT 1 FROM stage_touched t WHERE t.country = facts.country AND t.period = facts.period)`;

/** The touched periods as a constant list, so the scans skip the row groups of other months. */
async function touchedPeriods(tx: Tx): Promise<SqlFilter> {
  const rows = await tx.all<{ period: string }>('SELECT DISTINCT period FROM stage_touched');
  return periodIn(rows.map((r) => r.period));
}

export const AGGREGATE_TABLES = ['agg_harm_month', 'agg_dims_month'] as const;

/** The helpline-months a load replaced, staged in a temp table of `(helpline_id, period)` in its transaction. */
export interface StagedKeys {
  readonly table: string;
}

/** Recomputes the aggregate rows of the country-months the staged helpline-months fall in. */
export async function refreshTouchedAggregates(tx: Tx, staged: StagedKeys): Promise<void> {
  await tx.run('DELETE FROM stage_touched');
  await tx.run(
    `INSERT INTO stage_touched SELECT DISTINCT h.country, k.period FROM ${staged.table} k JOIN helplines h ON h.id = k.helpline_id`,
  );
  const periods = await touchedPeriods(tx);
  for (const table of AGGREGATE_TABLES) {
    await tx.run(
      `DELETE FROM ${table} WHERE ${periods.sql} AND EXISTS (SELECT 1 FROM stage_touched t WHERE t.country = ${table}.country AND t.period = ${table}.period)`,
      periods.params,
    );
  }
  const where = `WHERE ${periods.sql} AND ${TOUCHED} GROUP BY ALL`;
  await tx.run(`INSERT INTO agg_harm_month ${HARM_SELECT} ${where}`, periods.params);
  await tx.run(`INSERT INTO agg_dims_month ${DIMS_SELECT} ${where}`, periods.params);
}

export async function recomputeAggregates(tx: Tx): Promise<void> {
  for (const table of AGGREGATE_TABLES) await tx.run(`DELETE FROM ${table}`);
  await tx.run(`INSERT INTO agg_harm_month ${HARM_SELECT} GROUP BY ALL`);
  await tx.run(`INSERT INTO agg_dims_month ${DIMS_SELECT} GROUP BY ALL`);
}

/** The aggregates as a full recomputation would make them, for checks (tests, rebuild). */
export const FULL_AGGREGATE_QUERIES: Record<(typeof AGGREGATE_TABLES)[number], string> = {
  agg_harm_month: `${HARM_SELECT} GROUP BY ALL`,
  agg_dims_month: `${DIMS_SELECT} GROUP BY ALL`,
};
