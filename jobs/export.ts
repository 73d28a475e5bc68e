/**
 * `export`: a release's cells as files researchers and data platforms read — Parquet (written by
 * DuckDB), an Arrow IPC file, CSV, an HXL-tagged CSV, one CSV per plan table, the helplines
 * reporting per cell's geography and period (reporting.parquet), the manifest, and SHA256SUMS. A
 * read replica (reader/) serves the public API from these files alone. Written into a scratch folder and renamed into place, so a folder under
 * `exports/<release>/` is always complete; a release already exported is left as it is.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  COUNTRIES,
  type ColumnType,
  csvLines,
  dimKind,
  geoLevel,
  HARM_GROUPS,
  HARM_TYPES,
  harmLevel,
  REGIONS,
  RELEASE_TABLES,
  ROLLUPS,
  type TableCell,
  timeLevel,
  toArrow,
  toCsv,
} from '../domain/index.js';
import { storedCells } from '../releases/index.js';
import type { Db } from '../warehouse/index.js';
import type { Job } from './runner.js';

interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly hxl: string;
  readonly sql: string;
}

const text = (name: string, hxl: string): Column => ({ name, type: 'string', hxl, sql: 'VARCHAR' });

/** A dimension's three columns (`<prefix>_level`, `_code`, `_name`), HXL-tagged `#<tag>+type`, `+code`, `+name`. */
const levelCodeName = (prefix: string, tag: string): Column[] => [
  text(`${prefix}_level`, `#${tag}+type`),
  text(`${prefix}_code`, `#${tag}+code`),
  text(`${prefix}_name`, `#${tag}+name`),
];

const COLUMNS: readonly Column[] = [
  text('release', '#meta+release'),
  ...levelCodeName('geo', 'loc'),
  ...levelCodeName('harm', 'indicator'),
  text('period', '#date'),
  text('period_type', '#date+type'),
  text('breakdown', '#group+type'),
  text('breakdown_code', '#group+code'),
  { name: 'cases', type: 'int', hxl: '#affected+cases+num', sql: 'BIGINT' },
  { name: 'withheld', type: 'bool', hxl: '#status+withheld', sql: 'BOOLEAN' },
];

const NAMES = new Map<string, string>([
  ['world', 'World'],
  ['all', 'All harms'],
  ...REGIONS.map((r) => [r.code, r.label] as [string, string]),
  ...COUNTRIES.map((c) => [c.code, c.name] as [string, string]),
  ...HARM_GROUPS.map((g) => [g.code, g.label] as [string, string]),
  ...HARM_TYPES.map((t) => [t.code, t.label] as [string, string]),
  ...ROLLUPS.map((r) => [r.code, r.label] as [string, string]),
]);

export interface ExportFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The files of a complete export, from its SHA256SUMS (undefined when not exported). */
export async function listExport(exportsDir: string, release: string): Promise<ExportFile[] | undefined> {
  if (!/^\d{4}-\d{2}(\.\d+)?$/.test(release)) return undefined;
  const sums = await readFile(join(exportsDir, release, 'SHA256SUMS'), 'utf8').catch(() => undefined);
  if (sums === undefined) return undefined;
  const out: ExportFile[] = [];
  for (const line of sums.split('\n').filter(Boolean)) {
    const [sha256 = '', file = ''] = line.split(/ {2}/);
    out.push({ file, sha256, bytes: (await stat(join(exportsDir, release, file))).size });
  }
  return out;
}

async function rowsOf(db: Db, release: string): Promise<Record<string, TableCell>[]> {
  const cells = await storedCells(db, release, true);
  return cells.map((c) => {
    const [kind, code] = c.dim === 'all' ? ['all', 'all'] : (c.dim.split('=') as [string, string]);
    return {
      release,
      geo_level: geoLevel(c.geo),
      geo_code: c.geo,
      geo_name: NAMES.get(c.geo) ?? c.geo,
      harm_level: harmLevel(c.harm),
      harm_code: c.harm,
      harm_name: NAMES.get(c.harm) ?? c.harm,
      period: c.period,
      period_type: timeLevel(c.period),
      breakdown: kind,
      breakdown_code: code,
      cases: c.value === null ? null : Number(c.value),
      withheld: c.suppressed,
    };
  });
}

/** The cells of one plan table: its levels, with the breakdown's 'all' margin. */
function inTable(table: (typeof RELEASE_TABLES)[number], row: Record<string, TableCell>): boolean {
  const dim = row.breakdown === 'all' ? undefined : (row.breakdown as string);
  return (
    table.geo.includes(geoLevel(String(row.geo_code))) &&
    table.harm.includes(harmLevel(String(row.harm_code))) &&
    table.time.includes(timeLevel(String(row.period))) &&
    (dim === undefined || table.dim === dimKind(`${dim}=x`))
  );
}

export async function exportRelease(db: Db, exportsDir: string, release: string): Promise<ExportFile[]> {
  const head = await db.all<{ manifest: string }>('SELECT manifest FROM releases WHERE id = $1', [release]);
  if (!head[0]) throw new Error(`there is no release ${release}`);
  const rows = await rowsOf(db, release);
  const names = COLUMNS.map((c) => c.name);
  const scratch = join(exportsDir, `.${release}.partial-${process.pid}-${Date.now()}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(join(scratch, 'tables'), { recursive: true });
  try {
    const csv = toCsv(names, rows);
    await writeFile(join(scratch, 'cells.csv'), csv);
    // HXL: the same table with its hashtag row under the header.
    const hxl = csvLines([names, COLUMNS.map((c) => c.hxl), ...rows.map((r) => names.map((n) => r[n] ?? null))]);
    await writeFile(join(scratch, 'cells.hxl.csv'), hxl);
    await writeFile(
      join(scratch, 'cells.arrow'),
      toArrow(COLUMNS, rows, { release, source: 'helpline-analytics release export' }, 'file'),
    );
    // Parquet through DuckDB, from the CSV just written, with the column types spelled out.
    const types = COLUMNS.map((c) => `'${c.name}': '${c.sql}'`).join(', ');
    const csvPath = join(scratch, 'cells.csv').replace(/'/g, "''");
    const parquetPath = join(scratch, 'cells.parquet').replace(/'/g, "''");
    await db.all(
      `COPY (SELECT * FROM read_csv('${csvPath}', header = true, columns = {${types}}, nullstr = ''))
         TO '${parquetPath}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    // How many helplines reported per geography and period: published beside every figure
    // (helplinesReporting), and what a read replica needs to answer as the warehouse does.
    const reportingPath = join(scratch, 'reporting.parquet').replace(/'/g, "''");
    await db.all(
      `COPY (SELECT geo, period, helplines FROM release_reporting WHERE release_id = '${release.replace(/'/g, "''")}'
              ORDER BY period, geo)
         TO '${reportingPath}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    for (const table of RELEASE_TABLES) {
      await writeFile(
        join(scratch, 'tables', `${table.id}.csv`),
        toCsv(
          names,
          rows.filter((r) => inTable(table, r)),
        ),
      );
    }
    await writeFile(join(scratch, 'manifest.json'), `${JSON.stringify(JSON.parse(head[0].manifest), null, 2)}\n`);
    const files = [
      'cells.parquet',
      'cells.arrow',
      'cells.csv',
      'cells.hxl.csv',
      'reporting.parquet',
      ...RELEASE_TABLES.map((t) => `tables/${t.id}.csv`),
      'manifest.json',
    ];
    const listed: ExportFile[] = [];
    for (const file of files) {
      const body = await readFile(join(scratch, file));
      listed.push({ file, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    }
    // The format `sha256sum -c` reads.
    await writeFile(join(scratch, 'SHA256SUMS'), listed.map((f) => `${f.sha256}  ${f.file}\n`).join(''));
    const target = join(exportsDir, release);
    await rm(target, { recursive: true, force: true });
    await rename(scratch, target);
    return listed;
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

export function exportJob(deps: { readonly db: Db; readonly exportsDir: string }): Job {
  return async ({ args }) => {
    await mkdir(deps.exportsDir, { recursive: true });
    const releases = args.release
      ? [args.release]
      : (await deps.db.all<{ id: string }>('SELECT id FROM releases ORDER BY created_at')).map((r) => r.id);
    const todo = releases.filter((id) => args.force === 'true' || !existsSync(join(deps.exportsDir, id, 'SHA256SUMS')));
    if (!todo.length) return { figures: { releases: releases.length }, skipped: 'every release is already exported' };
    const done: Record<string, number> = {};
    for (const id of todo) {
      const files = await exportRelease(deps.db, deps.exportsDir, id);
      done[id] = files.reduce((s, f) => s + f.bytes, 0);
    }
    return { figures: { exported: Object.keys(done), bytes: done } };
  };
}
