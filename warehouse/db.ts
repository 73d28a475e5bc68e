/**
 * A thin layer over one `DuckDBInstance`: a write connection whose transactions run one at a time,
 * and a read connection for queries (DuckDB's MVCC lets reads see the last committed state).
 */
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { AppError } from '../domain/index.js';

export type Row = Record<string, unknown>;
export type Params = readonly DuckDBValue[];

export interface Tx {
  all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
  run(sql: string, params?: Params): Promise<void>;
  appender(table: string): Promise<DuckDBAppender>;
}

export interface Db {
  all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
  /** Runs `work` in one transaction; rolls back on any error. Transactions never interleave. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs read-only `work` on its own connection inside one transaction: one consistent snapshot. */
  snapshot<T>(work: (reader: Pick<Db, 'all'>) => Promise<T>): Promise<T>;
  /** Runs `work` with the writer to itself, outside any transaction (CHECKPOINT, a file copy). */
  exclusive<T>(work: (run: (sql: string) => Promise<void>) => Promise<T>): Promise<T>;
  close(): void;
}

export class WarehouseLockedError extends AppError {
  constructor(path: string, cause: unknown) {
    super(
      'warehouse_locked',
      `The warehouse file ${path} is held by another process (DuckDB allows one writer per file). ` +
        'Stop the running server (npm start) first, or talk to it over its admin API.',
      { status: 503, retriable: false, cause },
    );
  }
}

async function all<T extends Row>(conn: DuckDBConnection, sql: string, params?: Params): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params ? [...params] : undefined);
  return reader.getRowObjectsJS() as T[];
}

export interface DbOptions {
  /** DuckDB's buffer pool (e.g. 256MB); the configuration validated it. */
  readonly memoryLimit?: string;
}

export async function openDb(path: string, options: DbOptions = {}): Promise<Db> {
  let instance: DuckDBInstance;
  try {
    // A checkpoint folds the WAL into the file; DuckDB's default (every 16 MB of WAL) made loads
    // spend a third of their time checkpointing. The nightly checkpoint job and close do it too.
    // Memory: DuckDB's buffer pool would otherwise grow towards 80% of the machine; queries that
    // need more spill to disk.
    instance = await DuckDBInstance.create(path, {
      checkpoint_threshold: '256MB',
      memory_limit: options.memoryLimit ?? '256MB',
    });
  } catch (error) {
    if (/lock/i.test(String((error as Error).message))) throw new WarehouseLockedError(path, error);
    throw error;
  }
  const writer = await instance.connect();
  // Reads go round a few connections: one DuckDB connection runs one query at a time, and uploads,
  // API reads and jobs read concurrently.
  const readers = await Promise.all(Array.from({ length: 3 }, () => instance.connect()));
  let nextReader = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const tx: Tx = {
    all: (sql, params) => all(writer, sql, params),
    run: async (sql, params) => {
      await writer.run(sql, params ? [...params] : undefined);
    },
    appender: (table) => writer.createAppender(table),
  };

  return {
    all: (sql, params) => {
      nextReader = (nextReader + 1) % readers.length;
      return all(readers[nextReader] as DuckDBConnection, sql, params);
    },
    transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const next = queue.then(async () => {
        await writer.run('BEGIN TRANSACTION');
        try {
          const result = await work(tx);
          await writer.run('COMMIT');
          return result;
        } catch (error) {
          await writer.run('ROLLBACK').catch(() => {});
          throw error;
        }
      });
      queue = next.catch(() => {});
      return next;
    },
    exclusive<T>(work: (run: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
      const next = queue.then(() => work(async (sql) => void (await writer.run(sql))));
      queue = next.catch(() => {});
      return next;
    },
    async snapshot<T>(work: (reader: Pick<Db, 'all'>) => Promise<T>): Promise<T> {
      const conn = await instance.connect();
      try {
        await conn.run('BEGIN TRANSACTION');
        const result = await work({ all: (sql, params) => all(conn, sql, params) });
        await conn.run('COMMIT');
        return result;
      } finally {
        conn.closeSync();
      }
    },
    close() {
      for (const r of readers) r.closeSync();
      writer.closeSync();
      instance.closeSync();
    },
  };
}
