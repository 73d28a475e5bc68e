/**
 * The true values of every cell the release plan publishes, with each helpline's contribution
 * (for the insider rule), and the additivity relations between published cells.
 *
 *   keyset   every plan cell over the full cross product (zeros included): countries with a
 *            registered helpline, every month of the span — nothing about counts shapes it
 *   values   four helpline-level bases from the facts, each row added to every plan cell above it
 *   relations  parent = Σ children wherever a cell and all its next-finer children are published
 */
import {
  AGE_BAND_CODES,
  CHANNEL_CODES,
  type DimKind,
  GENDER_CODES,
  geoLevel,
  HARM_GROUPS,
  HARM_TYPES,
  harmChildren,
  harmLevel,
  monthsBetween,
  parseReleaseCellKey,
  RELEASE_TABLES,
  ROLLUPS,
  releaseCellKey,
  timeLevel,
} from '../domain/index.js';
import { type Db, periodBetween } from '../warehouse/index.js';

export interface CubeCell {
  value: number;
  /** helpline id → its part of the value. */
  readonly contributions: Map<string, number>;
}

export interface Relation {
  readonly parent: string;
  readonly children: readonly string[];
}

/** A helpline and the months it reported: public, through /v1/completeness. */
export interface Reporter {
  readonly id: string;
  readonly country: string;
  readonly region: string;
  readonly months: readonly string[];
}

export interface Cube {
  readonly cells: Map<string, CubeCell>;
  readonly relations: readonly Relation[];
  readonly months: readonly string[];
  readonly years: readonly string[];
  readonly countries: readonly string[];
  readonly regionOf: ReadonlyMap<string, string>;
  /** Every registered helpline with the months of the span it reported. */
  readonly reporters: readonly Reporter[];
}

const DIM_VALUES: Record<DimKind, readonly string[]> = {
  ageBand: AGE_BAND_CODES,
  gender: GENDER_CODES,
  channel: CHANNEL_CODES,
};
const DIM_COLUMN: Record<DimKind, string> = { ageBand: 'age_band', gender: 'gender', channel: 'channel' };
const OCSEA = ROLLUPS[0];

/** `contributions: false` (noise mode) skips each helpline's part: values only, far less memory. */
export async function buildCube(
  db: Pick<Db, 'all'>,
  span: { from: string; to: string },
  options: { contributions?: boolean } = {},
): Promise<Cube> {
  const track = options.contributions !== false;
  const none = new Map<string, number>();
  const helplines = await db.all<{ id: string; country: string; region: string }>(
    'SELECT id, country, region FROM helplines',
  );
  const countries = [...new Set(helplines.map((h) => h.country))].sort();
  const regionOf = new Map(helplines.map((h) => [h.country, h.region]));
  const months = monthsBetween(span.from, span.to);
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  const regions = [...new Set(helplines.map((h) => h.region))].sort();

  // 1. The keyset.
  const cells = new Map<string, CubeCell>();
  const geos = (levels: readonly string[]) => [
    ...(levels.includes('country') ? countries : []),
    ...(levels.includes('region') ? regions : []),
    ...(levels.includes('world') ? ['world'] : []),
  ];
  const harms = (levels: readonly string[]) => [
    ...(levels.includes('type') ? HARM_TYPES.map((t) => t.code) : []),
    ...(levels.includes('group') ? HARM_GROUPS.map((g) => g.code) : []),
    ...(levels.includes('all') ? ['all'] : []),
    ...(levels.includes('rollup') ? ROLLUPS.map((r) => r.code) : []),
  ];
  const times = (levels: readonly string[]) => [
    ...(levels.includes('month') ? months : []),
    ...(levels.includes('year') ? years : []),
  ];
  for (const t of RELEASE_TABLES) {
    const dims = t.dim ? ['all', ...DIM_VALUES[t.dim].map((v) => `${t.dim}=${v}`)] : ['all'];
    for (const g of geos(t.geo)) {
      for (const h of harms(t.harm)) {
        for (const time of times(t.time)) {
          for (const d of dims) {
            const key = releaseCellKey(g, h, time, d);
            if (!cells.has(key)) cells.set(key, { value: 0, contributions: track ? new Map() : none });
          }
        }
      }
    }
  }

  // 2. Values: each base row goes to every plan cell above it.
  const add = (
    helpline: string,
    geoChain: readonly string[],
    harmChain: readonly string[],
    timeChain: readonly string[],
    dims: readonly string[],
    n: number,
  ) => {
    for (const g of geoChain)
      for (const h of harmChain)
        for (const time of timeChain)
          for (const d of dims) {
            const cell = cells.get(releaseCellKey(g, h, time, d));
            if (!cell) continue;
            cell.value += n;
            if (track) cell.contributions.set(helpline, (cell.contributions.get(helpline) ?? 0) + n);
          }
  };
  const inSpan = periodBetween(span);
  // Each helpline's harm groups and all harms, by month and by year: the roll-ups to 'all' and to
  // the year are DuckDB's (GROUPING SETS), so each row feeds only its country, region and world.
  const byGroupMonth = await db.all<{ h: string; country: string; region: string; g: string; t: string; n: bigint }>(
    `SELECT h, country, region, coalesce(g, 'all') AS g, coalesce(period, y) AS t, sum(n) AS n FROM (
       SELECT helpline_id AS h, country, region, harm_group AS g, period, substr(period, 1, 4) AS y, sum(count) AS n
         FROM facts WHERE ${inSpan.sql} GROUP BY ALL)
      GROUP BY GROUPING SETS ((h, country, region, g, period, y), (h, country, region, period, y),
                              (h, country, region, g, y), (h, country, region, y))`,
    inSpan.params,
  );
  for (const r of byGroupMonth) add(r.h, [r.country, r.region, 'world'], [r.g], [r.t], ['all'], Number(r.n));
  const byTypeYear = await db.all<{ h: string; region: string; harm: string; y: string; n: bigint }>(
    `SELECT helpline_id AS h, region, harm, substr(period, 1, 4) AS y, sum(count) AS n FROM facts WHERE ${inSpan.sql} GROUP BY ALL`,
    inSpan.params,
  );
  // Types only feed the type-level cells (groups and 'all' came from the group base).
  for (const r of byTypeYear) add(r.h, [r.region, 'world'], [r.harm], [r.y], ['all'], Number(r.n));
  if (OCSEA) {
    const byOcsea = await db.all<{ h: string; country: string; region: string; period: string; n: bigint }>(
      `SELECT helpline_id AS h, country, region, period, sum(count) AS n FROM facts
        WHERE ${inSpan.sql} AND harm IN (${OCSEA.types.map((t) => `'${t}'`).join(', ')}) GROUP BY ALL`,
      inSpan.params,
    );
    for (const r of byOcsea)
      add(r.h, [r.country, r.region, 'world'], [OCSEA.code], [r.period, r.period.slice(0, 4)], ['all'], Number(r.n));
  }
  for (const kind of Object.keys(DIM_VALUES) as DimKind[]) {
    const rows = await db.all<{ h: string; region: string; g: string; y: string; v: string; n: bigint }>(
      `SELECT h, region, coalesce(g, 'all') AS g, y, v, sum(n) AS n FROM (
         SELECT helpline_id AS h, region, harm_group AS g, substr(period, 1, 4) AS y, ${DIM_COLUMN[kind]} AS v, sum(count) AS n
           FROM facts WHERE ${inSpan.sql} GROUP BY ALL)
        GROUP BY GROUPING SETS ((h, region, g, y, v), (h, region, y, v))`,
      inSpan.params,
    );
    for (const r of rows) add(r.h, [r.region, 'world'], [r.g], [r.y], [`${kind}=${r.v}`], Number(r.n));
  }

  // 3. Relations between published cells.
  const relations: Relation[] = [];
  const seen = new Set<string>();
  const countriesOf = (region: string) => countries.filter((c) => regionOf.get(c) === region);
  for (const key of cells.keys()) {
    const { geo, harm, time, dim } = parseReleaseCellKey(key);
    const candidates: string[][] = [];
    if (geoLevel(geo) === 'world') candidates.push(regions.map((r) => releaseCellKey(r, harm, time, dim)));
    if (geoLevel(geo) === 'region') candidates.push(countriesOf(geo).map((c) => releaseCellKey(c, harm, time, dim)));
    if (harmLevel(harm) !== 'type') candidates.push(harmChildren(harm).map((h) => releaseCellKey(geo, h, time, dim)));
    if (timeLevel(time) === 'year')
      candidates.push(months.filter((m) => m.startsWith(time)).map((m) => releaseCellKey(geo, harm, m, dim)));
    if (dim === 'all') {
      for (const kind of Object.keys(DIM_VALUES) as DimKind[]) {
        candidates.push(DIM_VALUES[kind].map((v) => releaseCellKey(geo, harm, time, `${kind}=${v}`)));
      }
    }
    for (const children of candidates) {
      if (children.length === 0 || !children.every((c) => cells.has(c))) continue;
      const id = `${key}=${children.join('+')}`;
      if (seen.has(id)) continue;
      seen.add(id);
      relations.push({ parent: key, children });
    }
  }
  const reported = await db.all<{ id: string; months: string[] }>(
    `SELECT helpline_id AS id, list(period ORDER BY period) AS months FROM current_versions WHERE ${inSpan.sql} GROUP BY ALL`,
    inSpan.params,
  );
  const monthsOf = new Map(reported.map((r) => [r.id, [...r.months]]));
  const reporters = helplines.map((h) => ({
    id: h.id,
    country: h.country,
    region: h.region,
    months: monthsOf.get(h.id) ?? [],
  }));
  return { cells, relations, months, years, countries, regionOf, reporters };
}
