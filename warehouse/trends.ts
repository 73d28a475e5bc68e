/**
 * Trend aggregates (the internal, unprotected view). Reads the smallest table that can answer:
 * `agg_harm_month` unless the query splits or filters by age band, gender or channel, then
 * `agg_dims_month` when the harm filter is whole groups, else `facts`. Every filter value arrives
 * already checked against the closed code lists, and still travels as a bound parameter.
 */
import { listValue } from '@duckdb/node-api';
import {
  expandHarmCode,
  HARM_TYPES,
  type HarmTypeCode,
  type Split,
  type TrendCell,
  type TrendsQuery,
} from '../domain/index.js';
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

/** The harm filter as whole groups, when it is exactly that (so group-level tables can answer). */
function asWholeGroups(types: readonly HarmTypeCode[]): string[] | undefined {
  const wanted = new Set<string>(types);
  const groups = [...new Set(HARM_TYPES.filter((t) => wanted.has(t.code)).map((t) => t.group))];
  const covered = HARM_TYPES.filter((t) => groups.includes(t.group)).length;
  return covered === wanted.size ? groups : undefined;
}

function chooseSource(q: TrendsQuery, types: readonly HarmTypeCode[] | undefined) {
  const usesDims =
    Boolean(q.ageBand || q.gender || q.channel) || ['ageBand', 'gender', 'channel'].includes(q.split ?? '');
  if (!usesDims)
    return { table: 'agg_harm_month', value: 'cases', harm: types ? { column: 'harm', codes: types } : undefined };
  const groups = types ? asWholeGroups(types) : undefined;
  if (q.split !== 'harm' && (!types || groups)) {
    return {
      table: 'agg_dims_month',
      value: 'cases',
      harm: groups ? { column: 'harm_group', codes: groups } : undefined,
    };
  }
  return { table: 'facts', value: 'count', harm: types ? { column: 'harm', codes: types } : undefined };
}

/** A WHERE clause built from bound parameters: code lists and a period range. */
function filter(periodColumn: string, from: string | undefined, to: string | undefined) {
  const where: string[] = [];
  const params: Params[number][] = [];
  const api = {
    list(column: string, values: readonly string[] | undefined) {
      if (!values) return api;
      params.push(listValue([...values]));
      where.push(`list_contains($${params.length}, ${column})`);
      return api;
    },
    get sql() {
      return where.length ? `WHERE ${where.join(' AND ')}` : '';
    },
    params,
  };
  if (from) {
    params.push(lowerBound(from));
    where.push(`${periodColumn} >= $${params.length}`);
  }
  if (to) {
    params.push(upperBound(to));
    where.push(`${periodColumn} <= $${params.length}`);
  }
  return api;
}

export async function queryTrends(db: Db, q: TrendsQuery): Promise<TrendCell[]> {
  const types = q.harm ? [...new Set(q.harm.flatMap((code) => expandHarmCode(code) ?? []))] : undefined;
  const source = chooseSource(q, types);
  const facts = filter('period', q.from, q.to)
    .list('region', q.region)
    .list('country', q.country)
    .list(source.harm?.column ?? 'harm', source.harm?.codes)
    .list('age_band', q.ageBand)
    .list('gender', q.gender)
    .list('channel', q.channel);
  const period = q.by === 'month' ? 'period' : 'CAST(year AS VARCHAR)';
  const key = q.split ? SPLIT_COLUMN[q.split] : 'NULL';
  const values = await db.all<{ period: string; key: string | null; value: bigint }>(
    `SELECT ${period} AS period, ${key} AS key, sum(${source.value}) AS value
       FROM ${source.table} ${facts.sql}
      GROUP BY ALL ORDER BY period, key`,
    facts.params,
  );

  // Helplines reporting: those with a loaded month in the period and geography (per region or
  // country when split by it), whatever the harm filter.
  const geo = filter('cv.period', q.from, q.to).list('h.region', q.region).list('h.country', q.country);
  const geoKey = q.split === 'region' ? 'h.region' : q.split === 'country' ? 'h.country' : 'NULL';
  const geoPeriod = q.by === 'month' ? 'cv.period' : 'substr(cv.period, 1, 4)';
  const reporting = await db.all<{ period: string; key: string | null; n: bigint }>(
    `SELECT ${geoPeriod} AS period, ${geoKey} AS key, count(DISTINCT cv.helpline_id) AS n
       FROM current_versions cv JOIN helplines h ON h.id = cv.helpline_id
      ${geo.sql} GROUP BY ALL`,
    geo.params,
  );
  const perKey = new Map(reporting.map((r) => [`${r.period}|${r.key ?? ''}`, Number(r.n)]));
  const perPeriod = new Map<string, number>();
  if (geoKey === 'NULL') for (const r of reporting) perPeriod.set(r.period, Number(r.n));

  return values.map((r) => ({
    period: r.period,
    key: r.key,
    value: Number(r.value),
    helplinesReporting:
      geoKey === 'NULL' ? (perPeriod.get(r.period) ?? 0) : (perKey.get(`${r.period}|${r.key ?? ''}`) ?? 0),
  }));
}
