/**
 * The release plan: the fixed set of linked tables a release publishes, each over the full cross
 * product of its codes (zeros included) with its margins. Hierarchies tie them together:
 * months → year, countries → region → world, types → group → all (and a rollup → its types).
 * A cut the plan does not publish is refused, never computed.
 *
 * A published cell is a coordinate (geo, harm, time, dim):
 *   geo  'world' | region code | country code        harm 'all' | group | type | rollup
 *   time 'YYYY' | 'YYYY-MM'                          dim  'all' | 'ageBand=13-15' | 'gender=girl' | …
 */
import { REGION_CODES } from './geography.js';
import { HARM_GROUPS, HARM_TYPES, ROLLUPS } from './taxonomy.js';

export type GeoLevel = 'country' | 'region' | 'world';
export type HarmLevel = 'type' | 'group' | 'all' | 'rollup';
export type TimeLevel = 'month' | 'year';
export type DimKind = 'ageBand' | 'gender' | 'channel';

export interface TableSpec {
  readonly id: string;
  readonly title: string;
  readonly geo: readonly GeoLevel[];
  readonly harm: readonly HarmLevel[];
  readonly time: readonly TimeLevel[];
  /** A breakdown by one of the other dimensions (with its 'all' margin), or none. */
  readonly dim?: DimKind;
}

const ALL_GEO: GeoLevel[] = ['country', 'region', 'world'];
const REGIONAL: GeoLevel[] = ['region', 'world'];

export const RELEASE_TABLES: readonly TableSpec[] = [
  { id: 'T1', title: 'country × harm group × year', geo: ALL_GEO, harm: ['group', 'all'], time: ['year'] },
  { id: 'T2', title: 'country × month, all harms', geo: ALL_GEO, harm: ['all'], time: ['month', 'year'] },
  {
    id: 'T3',
    title: 'region and world × harm type × year',
    geo: REGIONAL,
    harm: ['type', 'group', 'all'],
    time: ['year'],
  },
  {
    id: 'T4',
    title: 'region and world × harm group × month',
    geo: REGIONAL,
    harm: ['group', 'all'],
    time: ['month', 'year'],
  },
  {
    id: 'T5a',
    title: 'region and world × age band × harm group × year',
    geo: REGIONAL,
    harm: ['group', 'all'],
    time: ['year'],
    dim: 'ageBand',
  },
  {
    id: 'T5b',
    title: 'region and world × gender × harm group × year',
    geo: REGIONAL,
    harm: ['group', 'all'],
    time: ['year'],
    dim: 'gender',
  },
  {
    id: 'T5c',
    title: 'region and world × channel × harm group × year',
    geo: REGIONAL,
    harm: ['group', 'all'],
    time: ['year'],
    dim: 'channel',
  },
  { id: 'T6a', title: 'OCSEA rollup × country × year', geo: ALL_GEO, harm: ['rollup'], time: ['year'] },
  {
    id: 'T6b',
    title: 'OCSEA rollup × region and world × month',
    geo: REGIONAL,
    harm: ['rollup'],
    time: ['month', 'year'],
  },
];

const REGIONS = new Set<string>(REGION_CODES);
const GROUPS = new Set<string>(HARM_GROUPS.map((g) => g.code));
const ROLLUP_CODES = new Set(ROLLUPS.map((r) => r.code));

export function geoLevel(geo: string): GeoLevel {
  return geo === 'world' ? 'world' : REGIONS.has(geo) ? 'region' : 'country';
}
export function harmLevel(harm: string): HarmLevel {
  if (harm === 'all') return 'all';
  if (ROLLUP_CODES.has(harm)) return 'rollup';
  return GROUPS.has(harm) ? 'group' : 'type';
}
export const timeLevel = (time: string): TimeLevel => (time.length === 4 ? 'year' : 'month');
export const dimKind = (dim: string): DimKind | undefined =>
  dim === 'all' ? undefined : (dim.split('=')[0] as DimKind);

export const releaseCellKey = (geo: string, harm: string, time: string, dim = 'all') => `${geo}|${harm}|${time}|${dim}`;

export function parseReleaseCellKey(key: string) {
  const [geo = '', harm = '', time = '', dim = 'all'] = key.split('|');
  return { geo, harm, time, dim };
}

/** The plan table that publishes a cell of these levels, if any. A dim margin ('all') is in every table. */
export function publishingTable(geo: GeoLevel, harm: HarmLevel, time: TimeLevel, dim?: DimKind): TableSpec | undefined {
  return RELEASE_TABLES.find(
    (t) =>
      t.geo.includes(geo) && t.harm.includes(harm) && t.time.includes(time) && (dim === undefined || t.dim === dim),
  );
}

export function describePlan(): string {
  return RELEASE_TABLES.map((t) => `${t.id}: ${t.title}`).join('; ');
}

/** Children of a coordinate in one hierarchy (next finer level), for the additivity relations. */
export interface Hierarchy {
  readonly countriesOf: (region: string) => readonly string[];
  readonly monthsOf: (year: string) => readonly string[];
}

export function harmChildren(harm: string): readonly string[] {
  if (harm === 'all') return HARM_GROUPS.map((g) => g.code);
  const rollup = ROLLUPS.find((r) => r.code === harm);
  if (rollup) return rollup.types;
  if (GROUPS.has(harm)) return HARM_TYPES.filter((t) => t.group === harm).map((t) => t.code);
  return [];
}
