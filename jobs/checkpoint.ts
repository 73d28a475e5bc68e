/**
 * `checkpoint`: folds DuckDB's write-ahead log into the file, then copies the file while no write
 * can start (the writer queue is held), opens the copy to prove it is readable, and keeps the last
 * few copies.
 */
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Db } from '../warehouse/index.js';
import type { Job } from './runner.js';

export function checkpointJob(deps: {
  readonly db: Db;
  readonly warehousePath: string;
  readonly backupDir: string;
  readonly keep: number;
}): Job {
  return async ({ now }) => {
    await mkdir(deps.backupDir, { recursive: true });
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const target = join(deps.backupDir, `warehouse-${stamp}.duckdb`);
    await deps.db.exclusive(async (run) => {
      await run('CHECKPOINT');
      await copyFile(deps.warehousePath, target);
    });
    // A backup that does not open is no backup.
    const copy = await DuckDBInstance.create(target, { access_mode: 'READ_ONLY' });
    let facts = 0;
    let releases = 0;
    try {
      const conn = await copy.connect();
      const reader = await conn.runAndReadAll(
        'SELECT (SELECT count(*) FROM facts) AS f, (SELECT count(*) FROM releases) AS r',
      );
      const [row] = reader.getRowObjects() as { f: bigint; r: bigint }[];
      facts = Number(row?.f ?? 0);
      releases = Number(row?.r ?? 0);
      conn.closeSync();
    } finally {
      copy.closeSync();
    }
    const backups = (await readdir(deps.backupDir)).filter((f) => /^warehouse-.*\.duckdb$/.test(f)).sort();
    const removed = backups.slice(0, Math.max(0, backups.length - deps.keep));
    for (const f of removed) await rm(join(deps.backupDir, f), { force: true });
    return {
      figures: { backup: target, facts, releases, kept: backups.length - removed.length, removed: removed.length },
    };
  };
}
