/**
 * Answers a trends query from the stored cells of one release, and nothing else: every number is
 * a published cell or a sum of published cells, and a sum that would include a withheld cell is
 * withheld itself. A cut the plan does not publish is refused with the finest alternatives.
 */
import {
  AGE_BAND_CODES,
  AppError,
  CHANNEL_CODES,
  type DimKind,
  describePlan,
  expandHarmCode,
  GENDER_CODES,
  geoLevel,
  HARM_GROUPS,
  HARM_TYPES,
  harmLevel,
  parseReleaseCellKey,
  publishingTable,
  type ReleasedTrendCell,
  type ReleaseManifest,
  releaseCellKey,
  type TrendsQuery,
  timeLevel,
} from '../domain/index.js';
import type { Db } from '../warehouse/index.js';
import { lowerBound, upperBound } from '../warehouse/index.js';
import { ownerOf } from './noise.js';
import { alphaOf, sumMargin95 } from './noise-error.js';

interface LoadedRelease {
  readonly id: string;
  readonly cells: Map<string, number | null>;
  readonly reporting: Map<string, number>;
  readonly months: string[];
  readonly years: string[];
  readonly countries: string[];
  readonly regionOf: Map<string, string>;
  readonly manifest: ReleaseManifest;
  /** Noise releases: each cell's noise parameter ε/Δ, for the 95% margins. */
  readonly alphaOf?: (key: string) => number;
}

const DIM_VALUES: Record<DimKind, readonly string[]> = {
  ageBand: AGE_BAND_CODES,
  gender: GENDER_CODES,
  channel: CHANNEL_CODES,
};

export function createReleaseReader(db: Db) {
  // Releases are frozen: each is read once and kept.
  const cache = new Map<string, Promise<LoadedRelease | undefined>>();

  async function load(id: string): Promise<LoadedRelease | undefined> {
    const head = await db.all<{ manifest: string }>('SELECT manifest FROM releases WHERE id = $1', [id]);
    if (!head[0]) return undefined;
    const rows = await db.all<{ geo: string; harm: string; period: string; dim: string; value: bigint | null }>(
      'SELECT geo, harm, period, dim, value FROM release_cells WHERE release_id = $1',
      [id],
    );
    const cells = new Map<string, number | null>();
    const months = new Set<string>();
    const countries = new Set<string>();
    for (const r of rows) {
      cells.set(releaseCellKey(r.geo, r.harm, r.period, r.dim), r.value === null ? null : Number(r.value));
      if (r.period.length === 7) months.add(r.period);
      if (geoLevel(r.geo) === 'country') countries.add(r.geo);
    }
    const reporting = new Map(
      (
        await db.all<{ geo: string; period: string; helplines: number }>(
          'SELECT geo, period, helplines FROM release_reporting WHERE release_id = $1',
          [id],
        )
      ).map((r) => [`${r.geo}|${r.period}`, r.helplines]),
    );
    const regionRows = await db.all<{ country: string; region: string }>(
      'SELECT DISTINCT country, region FROM helplines',
    );
    const sortedMonths = [...months].sort();
    // Written by publish from the same schema; read back as it was stored.
    const manifest = JSON.parse(head[0].manifest) as ReleaseManifest;
    const alphaByTable = new Map(
      (manifest.privacy?.tables ?? []).map((t) => [t.id, alphaOf(t.epsilon, t.sensitivity)] as const),
    );
    // A cell's table follows from its levels alone: looked up once per shape of key, not per cell.
    const alphaOfShape = new Map<string, number>();
    const alphaOfKey =
      manifest.mode === 'noise'
        ? (key: string) => {
            const shape = keyShape(key);
            let alpha = alphaOfShape.get(shape);
            if (alpha === undefined) {
              alpha = alphaByTable.get(ownerOf(key).id) ?? 1;
              alphaOfShape.set(shape, alpha);
            }
            return alpha;
          }
        : undefined;
    return {
      id,
      cells,
      reporting,
      months: sortedMonths,
      years: [...new Set(sortedMonths.map((m) => m.slice(0, 4)))],
      countries: [...countries].sort(),
      regionOf: new Map(regionRows.map((r) => [r.country, r.region])),
      manifest,
      ...(alphaOfKey ? { alphaOf: alphaOfKey } : {}),
    };
  }

  const get = (id: string) => {
    let found = cache.get(id);
    if (!found) {
      found = load(id).then((r) => {
        if (!r) cache.delete(id);
        return r;
      });
      cache.set(id, found);
    }
    return found;
  };

  let latest: Promise<string | undefined> | undefined;
  /** Kept until `forgetLatest()` (called when a release is published). */
  function latestId(): Promise<string | undefined> {
    latest ??= db
      .all<{ id: string }>('SELECT id FROM releases ORDER BY created_at DESC LIMIT 1')
      .then((rows) => rows[0]?.id)
      .catch((error: unknown) => {
        latest = undefined;
        throw error;
      });
    return latest;
  }

  async function query(
    releaseId: string | undefined,
    q: TrendsQuery,
  ): Promise<{ release: LoadedRelease; cells: ReleasedTrendCell[] }> {
    const id = releaseId ?? (await latestId());
    if (!id) throw new AppError('no_release', 'No release has been published yet.', { status: 404 });
    const release = await get(id);
    if (!release)
      throw new AppError('unknown_release', `There is no release ${id}; see /v1/releases.`, { status: 404 });

    // Coordinates per dimension: the split's values (one row each) or the filter's (summed).
    const dimKinds = (['ageBand', 'gender', 'channel'] as const).filter((k) => q[k] || q.split === k);
    if (dimKinds.length > 1) throw refuse(`a breakdown by ${dimKinds.join(' and ')} together`);
    const dimKind = dimKinds[0];
    const geoSplit = q.split === 'region' || q.split === 'country';
    const regionFilter: readonly string[] | undefined = q.region;
    const countriesIn = (regions?: readonly string[]) =>
      release.countries.filter((c) => !regions || regions.includes(release.regionOf.get(c) ?? ''));
    const geoKeys: string[] =
      q.split === 'region'
        ? [...new Set(release.countries.map((c) => release.regionOf.get(c) ?? ''))]
            .filter((r) => r && (!regionFilter || regionFilter.includes(r)))
            .sort()
        : q.split === 'country'
          ? countriesIn(q.region).filter((c) => !q.country || q.country.includes(c))
          : q.country
            ? q.country.filter((c) => !regionFilter || regionFilter.includes(release.regionOf.get(c) ?? ''))
            : (q.region ?? ['world']);
    let harmKeys: string[];
    if (q.split === 'harmGroup') {
      const wanted = q.harm?.flatMap((h) => expandHarmCode(h) ?? []);
      harmKeys = HARM_GROUPS.map((g) => g.code).filter(
        (g) => !wanted || HARM_TYPES.some((t) => t.group === g && wanted.includes(t.code)),
      );
      if (q.harm?.some((h) => harmLevel(h) !== 'group'))
        throw refuse('a harm-group split filtered by harm types or rollups');
    } else if (q.split === 'harm') {
      const wanted = q.harm ? new Set(q.harm.flatMap((h) => expandHarmCode(h) ?? [])) : undefined;
      harmKeys = HARM_TYPES.map((t) => t.code).filter((t) => !wanted || wanted.has(t));
    } else {
      harmKeys = q.harm ?? ['all'];
      const covered = harmKeys.flatMap((h) => expandHarmCode(h) ?? HARM_TYPES.map((t) => t.code));
      if (new Set(covered).size !== covered.length) {
        throw new AppError(
          'overlapping_filter',
          'The harm codes overlap (e.g. a group and one of its types); list each harm once.',
          {
            status: 400,
            problems: [{ path: 'harm', rule: 'no_overlap', message: 'the harm codes overlap' }],
          },
        );
      }
    }
    const dimKeys = dimKind ? (q[dimKind] ?? DIM_VALUES[dimKind]).map((v) => `${dimKind}=${v}`) : ['all'];
    const lo = q.from ? lowerBound(q.from) : '0000';
    const hi = q.to ? upperBound(q.to) : '9999';
    const periods = (q.by === 'month' ? release.months : release.years).filter((p) =>
      q.by === 'month' ? p >= lo && p <= hi : p >= lo.slice(0, 4) && p <= hi.slice(0, 4),
    );

    // Every coordinate must be a published cell.
    const sample = {
      geo: geoKeys[0] ?? 'world',
      harm: harmKeys[0] ?? 'all',
      time: periods[0] ?? release.years[0] ?? '2000',
    };
    if (!publishingTable(geoLevel(sample.geo), harmLevel(sample.harm), q.by === 'month' ? 'month' : 'year', dimKind)) {
      const what = `${geoLevel(sample.geo)} × ${harmLevel(sample.harm) === 'all' ? 'all harms' : `harm ${harmLevel(sample.harm)}`} × ${q.by}${dimKind ? ` × ${dimKind}` : ''}`;
      throw refuse(what);
    }
    void timeLevel;

    const splitKeys: (string | null)[] =
      q.split === 'region' || q.split === 'country'
        ? geoKeys
        : q.split === 'harmGroup' || q.split === 'harm'
          ? harmKeys
          : q.split
            ? dimKeys
            : [null];
    const cells: ReleasedTrendCell[] = [];
    for (const period of periods) {
      for (const splitKey of splitKeys) {
        const geos = geoSplit ? [splitKey as string] : geoKeys;
        const harms = q.split === 'harmGroup' || q.split === 'harm' ? [splitKey as string] : harmKeys;
        const dims = q.split && dimKind === q.split ? [splitKey as string] : dimKeys;
        let sum = 0;
        let suppressed = false;
        const alphas: number[] = [];
        for (const g of geos)
          for (const h of harms)
            for (const d of dims) {
              const cellKey = releaseCellKey(g, h, period, d);
              const v = release.cells.get(cellKey);
              if (v === undefined) throw refuse(`${g} × ${h} × ${period}${d === 'all' ? '' : ` × ${d}`}`);
              if (v === null) suppressed = true;
              else sum += v;
              if (release.alphaOf) alphas.push(release.alphaOf(cellKey));
            }
        const helplinesReporting = geos.reduce((s, g) => s + (release.reporting.get(`${g}|${period}`) ?? 0), 0);
        const key = q.split && dimKind === q.split && splitKey ? (splitKey.split('=')[1] ?? splitKey) : splitKey;
        cells.push({
          period,
          key,
          value: suppressed ? null : sum,
          suppressed,
          helplinesReporting,
          ...(alphas.length ? { margin95: sumMargin95(alphas) } : {}),
        });
      }
    }
    return { release, cells };
  }

  return {
    query,
    latestId,
    forgetLatest: () => {
      latest = undefined;
    },
    manifest: async (id: string) => (await get(id))?.manifest,
  };
}

/**
 * What decides a cell's table (noise.ts ownerOf): the geography's level (world, a region's name,
 * a country's two letters), the harm's level (all, the rollup, a group, a type with a dot), month or
 * year, and the breakdown's kind — the key with its values reduced to those.
 */
function keyShape(key: string): string {
  const { geo, harm, time, dim } = parseReleaseCellKey(key);
  return `${geoLevel(geo)}|${harm === 'all' || harm === 'ocsea' ? harm : harm.includes('.') ? 'type' : 'group'}|${time.length}|${dim.split('=')[0]}`;
}

function refuse(what: string): AppError {
  return new AppError(
    'not_published',
    `The release plan does not publish ${what}. The finest published tables are: ${describePlan()}.`,
    {
      status: 400,
      problems: [
        { path: '(query)', rule: 'release_plan', message: `not published: ${what}; published: ${describePlan()}` },
      ],
    },
  );
}

export type ReleaseReader = ReturnType<typeof createReleaseReader>;
