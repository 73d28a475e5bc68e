/**
 * Publishing a release (suppression mode):
 *
 *   1. span: first loaded month → last full month before today; id: YYYY-MM (then .2, .3 …)
 *   2. cube of every plan cell (zeros included) with helpline contributions and relations
 *   3. protect jointly with the previous release (carried cells, revision differences)
 *   4. the audit gate: refuse, storing nothing, unless every withheld cell's LP and integer ranges
 *      are at least the protection level wide
 *   5. store cells (withheld ones without a value), helplines reporting, manifest and audit
 *      report in one transaction: frozen from then on
 */
import { createHash } from 'node:crypto';
import {
  AppError,
  type InsiderProtection,
  lastFullMonth,
  parseReleaseCellKey,
  RELEASE_TABLES,
  type ReleaseManifest,
} from '../domain/index.js';
import type { Db, Tx } from '../warehouse/index.js';
import { buildCube } from './cube.js';
import { protectOffThread } from './protect-off-thread.js';
import type { RegimeOverride } from './regime.js';
import { DEFAULT_PROTECTION, type PreviousRelease, type ProtectionParams } from './suppress.js';

export type { InsiderProtection, ReleaseManifest };

/** The attacker model, stated once: the README says the same. */
export const AUDITED_ATTACKERS: readonly string[] = [
  'the public (an outsider): every published cell and additivity relation, who reported which month (/v1/completeness), that nobody can have contributed where nobody reported, and that the cells listed under withheld-for-insiders are no small counts; by linear and by integer program',
  "each helpline on its own: all that, plus its own part of every cell, and all of every cell only it can have contributed to (its country's cells when it is the country's only helpline; its region's and so, through the totals, others' cells in a month when its country is the only one reporting there; any cell whose possible contributors a published 0 narrows to it; a cell the previous release published where only it has submitted anew for the cell's months since); by linear program, and by integer program where the linear range is under twice the protection level",
  'each pair of helplines of one region sharing what they know (the two helplines of one country among them), the same way',
  'the helplines of a country with more than two, together, the same way',
];
export const NOT_AUDITED_ATTACKERS: readonly string[] = [
  'three or more helplines sharing what they know (other than all of one country), or two of different regions',
  "an attacker who also knows figures the release does not publish, such as another helpline's monthly harm breakdown or a child's own case",
  'an attacker combining this release with an earlier one beyond what the carried and revision rules cover (cells withheld before stay withheld; a change of 1 to the threshold is withheld)',
];

const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Step 1 of any release: what it covers and what it is called. */
export async function releaseSpanAndId(db: Db, now: Date): Promise<{ from: string; to: string; id: string }> {
  const bounds = await db.all<{ first: string | null; last: string | null }>(
    'SELECT min(period) AS first, max(period) AS last FROM current_versions',
  );
  const from = bounds[0]?.first;
  // Up to the last full month, and no further than any helpline has reported: months nobody has
  // reported yet are not published as zeros.
  const lastFull = lastFullMonth(now);
  const last = bounds[0]?.last ?? lastFull;
  // biome-ignore lint/complexity/useMathMinMax: periods are YYYY-MM strings, compared as text
  const to = last < lastFull ? last : lastFull;
  if (!from || !ISO_MONTH.test(from) || from > to) {
    throw new AppError('nothing_to_release', 'There is no loaded month before this one to release.', { status: 409 });
  }
  const base = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const taken = new Set(
    (await db.all<{ id: string }>('SELECT id FROM releases WHERE id LIKE $1', [`${base}%`])).map((r) => r.id),
  );
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}.${n}`;
  return { from, to, id };
}

async function previousRelease(db: Db): Promise<{ id: string; previous: PreviousRelease } | undefined> {
  // The newest suppression release: a noise release's values are not exact, so nothing to carry.
  const latest = await db.all<{ id: string; created_at: string }>(
    "SELECT id, created_at::VARCHAR AS created_at FROM releases WHERE mode = 'suppression' ORDER BY created_at DESC LIMIT 1",
  );
  const id = latest[0]?.id;
  if (!id) return undefined;
  // Every helpline-month submitted anew since: what an insider may have changed itself (insiders.ts).
  const since = await db.all<{ helpline_id: string; period: string }>(
    // A day's margin: a version submitted just before the release may have been loaded after it.
    `SELECT helpline_id, period FROM current_versions
      WHERE submitted_at > $1::TIMESTAMPTZ - INTERVAL 1 DAY`,
    [latest[0]?.created_at ?? ''],
  );
  const changed = new Map<string, Set<string>>();
  for (const r of since) changed.set(r.helpline_id, (changed.get(r.helpline_id) ?? new Set()).add(r.period));
  const rows = await storedCells(db, id);
  const withheld = new Set<string>();
  const values = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.geo}|${r.harm}|${r.period}|${r.dim}`;
    if (r.suppressed) withheld.add(key);
    else values.set(key, Number(r.value));
  }
  return { id, previous: { withheld, values, changed } };
}

/** What every release's manifest begins with: its name, time, method and months. */
export function manifestHead(
  id: string,
  createdAt: string,
  mode: ReleaseManifest['mode'],
  span: ReleaseManifest['span'],
): Pick<ReleaseManifest, 'id' | 'createdAt' | 'mode' | 'span'> {
  return { id, createdAt, mode, span };
}

/** A stored release cell as read back: a withheld one has no value. */
export type StoredCell = {
  readonly geo: string;
  readonly harm: string;
  readonly period: string;
  readonly dim: string;
  readonly value: bigint | null;
  readonly suppressed: boolean;
};

/** A release's stored cells; `ordered` puts them years first, then months, each by geography, harm, dimension. */
export function storedCells(db: Db, id: string, ordered = false): Promise<StoredCell[]> {
  return db.all<StoredCell>(
    `SELECT geo, harm, period, dim, value, suppressed FROM release_cells WHERE release_id = $1${
      ordered ? ' ORDER BY length(period), period, geo, harm, dim' : ''
    }`,
    [id],
  );
}

export async function publishRelease(
  db: Db,
  options: {
    now: Date;
    params?: Partial<ProtectionParams>;
    codeVersion: string;
    baseUrl?: string;
    regimeOverride?: RegimeOverride;
    /** Compute the release and its audit, store nothing (the console shows it before confirming). */
    preview?: boolean;
    /** Publish only if the cells are still those of the preview the secretariat confirmed. */
    expectChecksum?: string;
    /** Where a failed protection worker is reported. */
    logger?: Parameters<typeof protectOffThread>[3];
  },
): Promise<ReleaseManifest> {
  const params: ProtectionParams = { ...DEFAULT_PROTECTION, ...options.params };
  // 1.
  const { from, to, id } = await releaseSpanAndId(db, options.now);
  // 2–3.
  // One snapshot: loads may continue meanwhile, but the cube sees one consistent state.
  const cube = await db.snapshot((reader) => buildCube(reader, { from, to }));
  const prior = await previousRelease(db);
  const result = await protectOffThread(cube, params, prior?.previous, options.logger);
  // 4.
  if (!result.passed) {
    throw new AppError(
      'audit_failed',
      `The audit found ${result.failures.length} withheld cell(s) an attacker could narrow; nothing was published.`,
      {
        status: 409,
      },
    );
  }
  // 5.
  const byReason: Record<string, number> = {};
  for (const reason of result.withheld.values()) byReason[reason] = (byReason[reason] ?? 0) + 1;
  const sortedKeys = [...cube.cells.keys()].sort();
  const hash = createHash('sha256');
  for (const key of sortedKeys) hash.update(`${key}=${result.withheld.has(key) ? 'x' : cube.cells.get(key)?.value}\n`);
  const widths = result.audit.map((a) => Math.min(a.lp.high - a.lp.low, a.ip.high - a.ip.low));
  const createdAt = options.now.toISOString();
  const included = await db.all<{ n: bigint }>(
    'SELECT count(DISTINCT helpline_id) AS n FROM current_versions WHERE period BETWEEN $1 AND $2',
    [from, to],
  );
  const helplines = Number(included[0]?.n ?? 0n);
  const manifest: ReleaseManifest = {
    ...manifestHead(id, createdAt, 'suppression', { from, to }),
    protection: {
      method:
        'cell suppression (primary, insider, revision, secondary, coarsening) with LP and integer audit against the public, each helpline and each pair of helplines of one region',
      ...params,
    },
    tables: RELEASE_TABLES.map((t) => ({ id: t.id, title: t.title })),
    cells: cube.cells.size,
    withheld: {
      total: result.withheld.size,
      primary: (byReason.primary ?? 0) + (byReason.insider ?? 0) + (byReason.revision ?? 0),
      carried: byReason.carried ?? 0,
      secondary: (byReason.secondary ?? 0) + (byReason['insider-secondary'] ?? 0) + (byReason.coarsened ?? 0),
      forInsiders: (byReason['insider-secondary'] ?? 0) + (byReason.coarsened ?? 0),
      byReason,
    },
    insiderProtection: {
      audited: [...AUDITED_ATTACKERS],
      notAudited: [...NOT_AUDITED_ATTACKERS],
      coalitions: {
        helplines: result.insiders.coalitions.filter((c) => c.members.length === 1).length,
        pairs: result.insiders.coalitions.filter((c) => c.members.length === 2).length,
        countries: result.insiders.coalitions.filter((c) => c.members.length > 2).length,
      },
      withheld: {
        why: 'withheld so that no audited helpline or pair, knowing its own figures, can narrow another helpline’s withheld cell; each was published before it was chosen, so none is a small count, and the audit gives every attacker that',
        cells: [...result.withheld]
          .filter(([, r]) => r === 'insider-secondary')
          .map(([k]) => k)
          .sort(),
      },
      coarsened: result.coarsened.map((c) => ({ unit: c.unit, cells: c.cells.length, why: c.why })),
    },
    audit: {
      passed: true,
      rounds: result.rounds,
      cellsAudited: result.audit.length,
      narrowestRange: widths.length ? Math.min(...widths) : null,
    },
    helplines,
    previousRelease: prior?.id ?? null,
    codeVersion: options.codeVersion,
    checksum: hash.digest('hex'),
    citation: `Child helpline statistics, release ${id} (${createdAt.slice(0, 10)}), months ${from} to ${to}; counts below ${params.threshold + 1} (${params.sensitiveThreshold + 1} for sexual violence and OCSEA) withheld.${options.baseUrl ? ` ${options.baseUrl}/v1/releases/${id}` : ''}`,
    ...(options.regimeOverride ? { regimeOverride: options.regimeOverride } : {}),
  };
  if (options.preview) return manifest;
  if (options.expectChecksum !== undefined && options.expectChecksum !== manifest.checksum) {
    throw new AppError(
      'release_changed',
      'The data changed since the preview (a month was loaded or corrected); nothing was published. Preview again.',
      { status: 409 },
    );
  }
  // The audit report keeps ranges and reasons, never a withheld value.
  const auditReport = result.audit.map((a) => ({ cell: a.key, reason: a.reason, lp: a.lp, ip: a.ip }));
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO releases (id, created_at, span_from, span_to, mode, manifest, audit) VALUES ($1, $2::TIMESTAMPTZ, $3, $4, 'suppression', $5, $6)`,
      [
        id,
        createdAt,
        from,
        to,
        JSON.stringify(manifest),
        JSON.stringify(auditReport, (_k, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v)),
      ],
    );
    await storeCells(tx, id, sortedKeys, (key) =>
      result.withheld.has(key) ? null : (cube.cells.get(key)?.value ?? 0),
    );
    await storeReporting(tx, id, from, to);
  });
  return manifest;
}

export async function listReleases(db: Db): Promise<ReleaseManifest[]> {
  const rows = await db.all<{ manifest: string }>('SELECT manifest FROM releases ORDER BY created_at DESC');
  return rows.map((r) => JSON.parse(r.manifest) as ReleaseManifest);
}

/** A release's cells, in key order; a null value is a withheld cell. */
export async function storeCells(
  tx: Tx,
  id: string,
  keys: readonly string[],
  valueFor: (key: string) => number | bigint | null,
): Promise<void> {
  const cells = await tx.appender('release_cells');
  for (const key of keys) {
    const { geo, harm, time, dim } = parseReleaseCellKey(key);
    const value = valueFor(key);
    cells.appendVarchar(id);
    cells.appendVarchar(geo);
    cells.appendVarchar(harm);
    cells.appendVarchar(time);
    cells.appendVarchar(dim);
    if (value === null) cells.appendNull();
    else cells.appendBigInt(BigInt(value));
    cells.appendBoolean(value === null);
    cells.endRow();
  }
  cells.flushSync();
  cells.closeSync();
}

/** Helplines reporting per geography and period: public facts about who submitted, not counts. */
export async function storeReporting(tx: Tx, id: string, from: string, to: string): Promise<void> {
  await tx.run(
    `INSERT INTO release_reporting
     SELECT $1, geo, period, count(DISTINCT helpline_id) FROM (
       SELECT cv.helpline_id, g.geo, p.period FROM current_versions cv JOIN helplines h ON h.id = cv.helpline_id,
         LATERAL (SELECT unnest([h.country, h.region, 'world']) AS geo) g,
         LATERAL (SELECT unnest([cv.period, substr(cv.period, 1, 4)]) AS period) p
        WHERE cv.period BETWEEN $2 AND $3)
     GROUP BY ALL`,
    [id, from, to],
  );
}
