/**
 * The published release files → an in-memory warehouse holding exactly what the writer's public
 * routes read: release manifests, cells (withheld ones as nulls), helplines reporting, and the
 * register from public-state.json. Nothing else exists here, so nothing else can be served.
 *
 *   scan ─────── exports/<release>/ with a SHA256SUMS (the export job renames a folder into place
 *                only once complete) + exports/public-state.json
 *   verify ───── every file loaded matches its SHA256SUMS line (a truncated copy is refused)
 *   load ─────── manifest.json → releases; cells.parquet → release_cells;
 *                reporting.parquet → release_reporting; register → helplines
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PublicState, type PublishingWarehouse, readPublicState, withReleases } from '../releases/index.js';
import { openWarehouse } from '../warehouse/index.js';

const RELEASE_ID = /^\d{4}-\d{2}(\.\d+)?$/;
/** What a release folder must hold for a replica to serve it. */
const NEEDED = ['manifest.json', 'cells.parquet', 'reporting.parquet'] as const;

export class ReleaseFilesError extends Error {
  override readonly name = 'ReleaseFilesError';
  readonly retriable = true;
}

export interface LoadedFiles {
  readonly warehouse: PublishingWarehouse;
  readonly state: PublicState;
  /** Releases loaded, oldest first. */
  readonly releases: readonly string[];
  /** Release folders left out (written by an older export without reporting.parquet, or damaged). */
  readonly skipped: readonly { id: string; reason: string }[];
  readonly signature: string;
}

const EMPTY_STATE: PublicState = {
  version: 1,
  helplines: [],
  arrivals: [],
  policy: { deadlineDay: 15, timeZone: 'UTC' },
  budget: { budgetPerMonth: '0', unit: 'one child-case in one helpline-month', releases: [] },
};

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Complete release folders, by id. */
async function releaseFolders(exportsDir: string): Promise<string[]> {
  const names = await readdir(exportsDir).catch(() => [] as string[]);
  return names.filter((n) => RELEASE_ID.test(n) && existsSync(join(exportsDir, n, 'SHA256SUMS'))).sort();
}

/**
 * What changed is seen from the checksum files and the public state alone (small files): a new
 * release, a re-export, or a new register or arrival.
 */
export async function signatureOf(exportsDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const id of await releaseFolders(exportsDir)) {
    hash.update(`${id}\n`);
    hash.update(await readFile(join(exportsDir, id, 'SHA256SUMS')).catch(() => Buffer.alloc(0)));
  }
  hash.update(await readFile(join(exportsDir, 'public-state.json')).catch(() => Buffer.alloc(0)));
  return hash.digest('hex');
}

async function verified(dir: string): Promise<string | undefined> {
  const sums = new Map(
    (await readFile(join(dir, 'SHA256SUMS'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [sha, file = ''] = line.split(/ {2}/);
        return [file, sha] as const;
      }),
  );
  for (const file of NEEDED) {
    const expected = sums.get(file);
    if (!expected) return `no ${file} (exported before read replicas: run the export job with force=true)`;
    const body = await readFile(join(dir, file)).catch(() => undefined);
    if (!body) return `${file} is missing`;
    if (createHash('sha256').update(body).digest('hex') !== expected) return `${file} does not match SHA256SUMS`;
  }
  return undefined;
}

export async function loadReleaseFiles(exportsDir: string): Promise<LoadedFiles> {
  const signature = await signatureOf(exportsDir);
  const state = (await readPublicState(exportsDir)) ?? EMPTY_STATE;
  const warehouse = withReleases(await openWarehouse(':memory:'));
  const releases: string[] = [];
  const skipped: { id: string; reason: string }[] = [];
  try {
    await warehouse.db.transaction(async (tx) => {
      for (const h of state.helplines) {
        await tx.run(
          `INSERT INTO helplines (id, name, country, region, created_at) VALUES ($1, $2, $3, $4, TIMESTAMPTZ '1970-01-01 00:00:00+00')`,
          [h.id, h.name, h.country, h.region],
        );
      }
      for (const id of await releaseFolders(exportsDir)) {
        const dir = join(exportsDir, id);
        const problem = await verified(dir);
        if (problem) {
          skipped.push({ id, reason: problem });
          continue;
        }
        const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
          id: string;
          createdAt: string;
          mode: string;
          span: { from: string; to: string };
        };
        if (manifest.id !== id) {
          skipped.push({ id, reason: `its manifest names release ${manifest.id}` });
          continue;
        }
        await tx.run(
          `INSERT INTO releases (id, created_at, span_from, span_to, mode, manifest, audit)
           VALUES ($1, $2::TIMESTAMPTZ, $3, $4, $5, $6, '[]')`,
          [id, manifest.createdAt, manifest.span.from, manifest.span.to, manifest.mode, JSON.stringify(manifest)],
        );
        // The export's columns back to the warehouse's: breakdown "all", or "<dimension>=<code>".
        await tx.run(
          `INSERT INTO release_cells
           SELECT ${sqlString(id)}, geo_code, harm_code, period,
                  CASE WHEN breakdown = 'all' THEN 'all' ELSE breakdown || '=' || breakdown_code END,
                  cases, withheld
             FROM read_parquet(${sqlString(join(dir, 'cells.parquet'))})`,
        );
        await tx.run(
          `INSERT INTO release_reporting
           SELECT ${sqlString(id)}, geo, period, helplines FROM read_parquet(${sqlString(join(dir, 'reporting.parquet'))})`,
        );
        releases.push(id);
      }
    });
  } catch (error) {
    warehouse.close();
    throw new ReleaseFilesError(`The release files in ${exportsDir} could not be loaded: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { warehouse, state, releases, skipped, signature };
}
