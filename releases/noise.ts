/**
 * Publishing a release in noise mode (differential privacy):
 *
 *   1. span and id as for suppression; the inputs' hash makes a re-run with the same data and
 *      settings return the same release (no new draws, no new charge)
 *   2. ε split across the plan's tables; each cell belongs to the first table that publishes it,
 *      and a table's sensitivity Δ is how many of its cells one child-case can change, so each cell
 *      gets discrete Laplace noise with parameter ε_table/Δ (one case per helpline-month is the unit)
 *   3. post-processing: clamp at zero; optionally apportion countries to regions to the world
 *   4. the ledger: refused, storing nothing, if any month would pass its budget; else draws, cells,
 *      ledger rows and manifest in one transaction
 */
import { createHash } from 'node:crypto';
import {
  AppError,
  type DimKind,
  type GeoLevel,
  geoLevel,
  type HarmLevel,
  monthsBetween,
  type NoisePrivacy,
  parseReleaseCellKey,
  publishingTable,
  RELEASE_TABLES,
  releaseCellKey,
  type TableSpec,
  type TimeLevel,
} from '../domain/index.js';
import type { Db } from '../warehouse/index.js';
import { buildCube } from './cube.js';
import { alphaOf, margin95 } from './noise-error.js';
import { sampleDiscreteLaplace } from './privacy/discrete-laplace.js';
import { overspent, spentPerMonth } from './privacy/ledger.js';
import { apportion, clampAtZero } from './privacy/post-process.js';
import {
  compare,
  divInt,
  format,
  parseRational,
  type Rational,
  rational,
  sum,
  toDecimalString,
} from './privacy/rational.js';
import { manifestHead, type ReleaseManifest, releaseSpanAndId, storeCells, storeReporting } from './publish.js';
import type { RegimeOverride } from './regime.js';

export interface NoiseSettings {
  /** Total ε of the release, e.g. "1" or "0.5". */
  readonly epsilon: string;
  /** ε per table id; must add up to `epsilon` exactly. Default: equal shares. */
  readonly split?: Readonly<Record<string, string>>;
  /** Make country values add up to their region's and regions to the world's. */
  readonly reconcile?: boolean;
  /** The most ε any month may ever have spent on it, over all releases. */
  readonly budgetPerMonth: string;
}

export type { NoisePrivacy };

const GEO: GeoLevel[] = ['country', 'region', 'world'];
const HARM: HarmLevel[] = ['type', 'group', 'all', 'rollup'];
const TIME: TimeLevel[] = ['month', 'year'];
const DIMS: (DimKind | undefined)[] = [undefined, 'ageBand', 'gender', 'channel'];
export const DISPLAY_BELOW = 5;

/**
 * Δ per table: one case (one type, one age band, gender and channel, one month of one helpline)
 * adds 1 to exactly one cell of every level combination; a combination is counted for the table
 * that owns its cells.
 */
export function sensitivities(): Map<string, number> {
  const out = new Map(RELEASE_TABLES.map((t) => [t.id, 0]));
  for (const g of GEO)
    for (const h of HARM)
      for (const t of TIME)
        for (const d of DIMS) {
          const owner = publishingTable(g, h, t, d);
          if (owner) out.set(owner.id, (out.get(owner.id) ?? 0) + 1);
        }
  return out;
}

export function ownerOf(key: string): TableSpec {
  const { geo, harm, time, dim } = parseReleaseCellKey(key);
  const kind = dim === 'all' ? undefined : (dim.split('=')[0] as DimKind);
  const harmLevel: HarmLevel =
    harm === 'all' ? 'all' : harm === 'ocsea' ? 'rollup' : harm.includes('.') ? 'type' : 'group';
  const owner = publishingTable(geoLevel(geo), harmLevel, time.length === 4 ? 'year' : 'month', kind);
  if (!owner) throw new Error(`no plan table publishes ${key}`);
  return owner;
}

function splitOf(settings: NoiseSettings): Map<string, Rational> {
  const total = parseRational(settings.epsilon);
  if (total.num <= 0n) throw badRequest('epsilon', 'ε must be above zero');
  if (!settings.split) {
    return new Map(RELEASE_TABLES.map((t) => [t.id, divInt(total, BigInt(RELEASE_TABLES.length))]));
  }
  const split = new Map(Object.entries(settings.split).map(([k, v]) => [k, parseRational(v)]));
  const missing = RELEASE_TABLES.filter((t) => !(split.get(t.id)?.num ?? 0n)).map((t) => t.id);
  if (missing.length) throw badRequest('split', `every table needs a positive ε; missing: ${missing.join(', ')}`);
  const unknown = [...split.keys()].filter((k) => !RELEASE_TABLES.some((t) => t.id === k));
  if (unknown.length) throw badRequest('split', `unknown tables: ${unknown.join(', ')}`);
  if (compare(sum([...split.values()]), total) !== 0) {
    throw badRequest('split', `the tables' ε add up to ${format(sum([...split.values()]))}, not ${settings.epsilon}`);
  }
  return split;
}

function badRequest(path: string, message: string): AppError {
  return new AppError('invalid_body', `The noise settings are not valid: ${message}.`, {
    status: 422,
    problems: [{ path, rule: 'noise_settings', message }],
  });
}

/** Countries → region → world, per harm, period and breakdown: parts apportioned to their total. */
function reconcile(values: Map<string, bigint>, regionOf: ReadonlyMap<string, string>): void {
  const groups = new Map<string, { world?: string; regions: Map<string, string[]> }>();
  for (const key of values.keys()) {
    const { geo, harm, time, dim } = parseReleaseCellKey(key);
    const rest = `${harm}|${time}|${dim}`;
    const g = groups.get(rest) ?? { regions: new Map<string, string[]>() };
    groups.set(rest, g);
    const level = geoLevel(geo);
    if (level === 'world') g.world = key;
    else if (level === 'region') g.regions.set(geo, g.regions.get(geo) ?? []);
  }
  for (const key of values.keys()) {
    const { geo, harm, time, dim } = parseReleaseCellKey(key);
    if (geoLevel(geo) !== 'country') continue;
    const region = regionOf.get(geo);
    const g = groups.get(`${harm}|${time}|${dim}`);
    if (region && g?.regions.has(region)) g.regions.get(region)?.push(key);
  }
  for (const [rest, g] of groups) {
    const [harm = '', time = '', dim = ''] = rest.split('|');
    const regionKeys = [...g.regions.keys()].map((r) => releaseCellKey(r, harm, time, dim));
    if (g.world && regionKeys.length) {
      const shares = apportion(
        values.get(g.world) ?? 0n,
        regionKeys.map((k) => values.get(k) ?? 0n),
      );
      for (const [i, k] of regionKeys.entries()) values.set(k, shares[i] ?? 0n);
    }
    for (const [region, countries] of g.regions) {
      if (!countries.length) continue;
      const total = values.get(releaseCellKey(region, harm, time, dim)) ?? 0n;
      const shares = apportion(
        total,
        countries.map((k) => values.get(k) ?? 0n),
      );
      for (const [i, k] of countries.entries()) values.set(k, shares[i] ?? 0n);
    }
  }
}

export async function publishNoiseRelease(
  db: Db,
  options: { now: Date; codeVersion: string; baseUrl?: string; noise: NoiseSettings; regimeOverride?: RegimeOverride },
): Promise<{ manifest: ReleaseManifest; reused: boolean }> {
  const settings = options.noise;
  const split = splitOf(settings);
  const budget = parseRational(settings.budgetPerMonth);
  const epsilon = parseRational(settings.epsilon);
  // 1.
  const { from, to, id } = await releaseSpanAndId(db, options.now);
  const inputs = await db.all<{ helpline_id: string; period: string; content_hash: string }>(
    'SELECT helpline_id, period, content_hash FROM current_versions WHERE period BETWEEN $1 AND $2 ORDER BY ALL',
    [from, to],
  );
  const inputHash = createHash('sha256')
    .update(
      JSON.stringify({
        from,
        to,
        epsilon: format(epsilon),
        split: [...split].map(([k, v]) => [k, format(v)]),
        reconcile: !!settings.reconcile,
      }),
    )
    .update(inputs.map((r) => `${r.helpline_id}|${r.period}|${r.content_hash}`).join('\n'))
    .digest('hex');
  const same = await db.all<{ manifest: string }>(
    `SELECT manifest FROM releases WHERE mode = 'noise' AND json_extract_string(manifest, '$.privacy.inputHash') = $1`,
    [inputHash],
  );
  if (same[0]) return { manifest: JSON.parse(same[0].manifest) as ReleaseManifest, reused: true };

  // 2.
  const cube = await db.snapshot((reader) => buildCube(reader, { from, to }, { contributions: false }));
  const delta = sensitivities();
  const perCell = new Map(
    RELEASE_TABLES.map((t) => [t.id, divInt(split.get(t.id) ?? rational(1n), BigInt(delta.get(t.id) ?? 1))]),
  );
  const keys = [...cube.cells.keys()].sort();
  const draws = new Map<string, bigint>();
  const values = new Map<string, bigint>();
  for (const key of keys) {
    const noise = sampleDiscreteLaplace(perCell.get(ownerOf(key).id) ?? rational(1n));
    draws.set(key, noise);
    // 3.
    values.set(key, clampAtZero(BigInt(cube.cells.get(key)?.value ?? 0) + noise));
  }
  if (settings.reconcile) reconcile(values, cube.regionOf);

  const createdAt = options.now.toISOString();
  const months = monthsBetween(from, to);
  const hash = createHash('sha256');
  for (const key of keys) hash.update(`${key}=${values.get(key)}\n`);
  const helplines = Number(
    (
      await db.all<{ n: bigint }>(
        'SELECT count(DISTINCT helpline_id) AS n FROM current_versions WHERE period BETWEEN $1 AND $2',
        [from, to],
      )
    )[0]?.n ?? 0n,
  );
  const privacy: NoisePrivacy = {
    mechanism: 'discrete Laplace (two-sided geometric), sampled exactly with integers (Canonne, Kamath, Steinke 2020)',
    unit: 'one child-case in one helpline-month',
    epsilon: toDecimalString(epsilon),
    budgetPerMonth: toDecimalString(budget),
    tables: RELEASE_TABLES.map((t) => {
      const eps = split.get(t.id) ?? rational(1n);
      const sensitivity = delta.get(t.id) ?? 1;
      return {
        id: t.id,
        epsilon: toDecimalString(eps),
        sensitivity,
        margin95: margin95(alphaOf(format(eps), sensitivity)),
      };
    }),
    reconciled: !!settings.reconcile,
    displayBelow: DISPLAY_BELOW,
    inputHash,
  };
  const manifest: ReleaseManifest = {
    ...manifestHead(id, createdAt, 'noise', { from, to }),
    protection: {
      method: 'differential privacy (noise on every cell)',
      displayBelow: DISPLAY_BELOW,
      epsilon: toDecimalString(epsilon),
    },
    privacy,
    tables: RELEASE_TABLES.map((t) => ({ id: t.id, title: t.title })),
    cells: keys.length,
    withheld: { total: 0, primary: 0, carried: 0, secondary: 0, forInsiders: 0, byReason: {} },
    audit: { passed: true, rounds: 0, cellsAudited: 0, narrowestRange: null },
    helplines,
    previousRelease: null,
    codeVersion: options.codeVersion,
    checksum: hash.digest('hex'),
    citation: `Child helpline statistics, release ${id} (${createdAt.slice(0, 10)}), months ${from} to ${to}; differentially private (ε = ${privacy.epsilon} per helpline-month case, discrete Laplace noise).${options.baseUrl ? ` ${options.baseUrl}/v1/releases/${id}` : ''}`,
    ...(options.regimeOverride ? { regimeOverride: options.regimeOverride } : {}),
  };

  // 4.
  await db.transaction(async (tx) => {
    const over = overspent(await spentPerMonth(tx, months), epsilon, budget);
    if (over.length) {
      throw new AppError(
        'privacy_budget_exceeded',
        `This release would spend ε = ${privacy.epsilon} on months that have only ${toDecimalString(over[0]?.remaining ?? rational(0n))} left of their budget of ${privacy.budgetPerMonth}; nothing was published.`,
        {
          status: 409,
          problems: over.slice(0, 24).map((o) => ({
            path: o.month,
            rule: 'privacy_budget',
            message: `${o.month} has spent ${toDecimalString(o.spent)} of ${privacy.budgetPerMonth}; ${toDecimalString(o.remaining)} left`,
          })),
        },
      );
    }
    await tx.run(
      `INSERT INTO releases (id, created_at, span_from, span_to, mode, manifest, audit) VALUES ($1, $2::TIMESTAMPTZ, $3, $4, 'noise', $5, '[]')`,
      [id, createdAt, from, to, JSON.stringify(manifest)],
    );
    await storeCells(tx, id, keys, (key) => values.get(key) ?? 0n);
    await storeReporting(tx, id, from, to);
    const noise = await tx.appender('noise_draws');
    for (const key of keys) {
      const { geo, harm, time, dim } = parseReleaseCellKey(key);
      noise.appendVarchar(id);
      noise.appendVarchar(geo);
      noise.appendVarchar(harm);
      noise.appendVarchar(time);
      noise.appendVarchar(dim);
      noise.appendBigInt(draws.get(key) ?? 0n);
      noise.endRow();
    }
    noise.flushSync();
    noise.closeSync();
    for (const t of RELEASE_TABLES) {
      await tx.run(
        'INSERT INTO privacy_ledger (release_id, table_id, epsilon, span_from, span_to, created_at) VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMPTZ)',
        [id, t.id, format(split.get(t.id) ?? rational(0n)), from, to, createdAt],
      );
    }
  });
  return { manifest, reused: false };
}

/** What each month has spent and has left (for the API). */
export async function budgetReport(db: Db, budgetPerMonth: string) {
  const rows = await db.all<{
    release_id: string;
    table_id: string;
    epsilon: string;
    span_from: string;
    span_to: string;
  }>('SELECT release_id, table_id, epsilon, span_from, span_to FROM privacy_ledger ORDER BY release_id, table_id');
  const releases = new Map<string, { from: string; to: string; tables: Record<string, string> }>();
  for (const r of rows) {
    const entry = releases.get(r.release_id) ?? { from: r.span_from, to: r.span_to, tables: {} };
    entry.tables[r.table_id] = toDecimalString(parseRational(r.epsilon));
    releases.set(r.release_id, entry);
  }
  const ledger = [...releases].map(([release, e]) => ({
    release,
    span: { from: e.from, to: e.to },
    epsilon: toDecimalString(sum(Object.values(e.tables).map(parseRational))),
    tables: e.tables,
  }));
  return { budgetPerMonth: budgetPerMonth, unit: 'one child-case in one helpline-month', releases: ledger };
}
