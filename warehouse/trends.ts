/**
 * Trend aggregates over the current facts (the internal, unprotected view). Every filter value
 * arrives already checked against the closed code lists, and still travels as a bound parameter.
 */
import { listValue } from '@duckdb/node-api';
import { expandHarmCode, type Split, type TrendCell, type TrendsQuery } from '../domain/index.js';
import type { Db, Params } from './db.js';

const SPLIT_COLUMN: Record<Split, string> = {
  region: 'region',
  country: 'country',
  harmGroup: 'harm_group',
  harm: 'harm',
  ageBand: 'age_band',
  gender: 'gender',
  channel: 'channel',
};

export const lowerBound = (p: string) => (p.length === 4 ? `${p}-01` : p);
export const upperBound = (p: string) => (p.length === 4 ? `${p}-12` : p);

export async function queryTrends(db: Db, q: TrendsQuery): Promise<TrendCell[]> {
  const where: string[] = [];
  const params: Params[number][] = [];
  const inList = (column: string, values: readonly string[] | undefined) => {
    if (!values) return;
    params.push(listValue([...values]));
    where.push(`list_contains($${params.length}, ${column})`);
  };
  inList('region', q.region);
  inList('country', q.country);
  inList('harm', q.harm ? [...new Set(q.harm.flatMap((code) => expandHarmCode(code) ?? []))] : undefined);
  inList('age_band', q.ageBand);
  inList('gender', q.gender);
  inList('channel', q.channel);
  if (q.from) {
    params.push(lowerBound(q.from));
    where.push(`period >= $${params.length}`);
  }
  if (q.to) {
    params.push(upperBound(q.to));
    where.push(`period <= $${params.length}`);
  }
  const period = q.by === 'month' ? 'period' : 'CAST(year AS VARCHAR)';
  const key = q.split ? SPLIT_COLUMN[q.split] : 'NULL';
  const rows = await db.all<{ period: string; key: string | null; value: bigint; helplines: bigint }>(
    `SELECT ${period} AS period, ${key} AS key, sum(count) AS value, count(DISTINCT helpline_id) AS helplines
       FROM facts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY ALL ORDER BY period, key`,
    params,
  );
  return rows.map((r) => ({
    period: r.period,
    key: r.key,
    value: Number(r.value),
    helplinesReporting: Number(r.helplines),
  }));
}
