/**
 * Staging tables: temp tables of the write connection that a statement then reads set-based
 * (INSERT … SELECT, a join). Rows go in through one appender: a VALUES list of bound parameters
 * cost DuckDB's binder about 4× more (500 receipts: 100 ms against 25 ms).
 */
import type { Tx } from './db.js';

/** One staged value: VARCHAR, INTEGER, BIGINT or NULL, as the staging table's column is. */
export type Staged = string | number | bigint | null;

/** Empties `table`, then appends `rows` (each in the table's column order). */
export async function stageRows(tx: Tx, table: string, rows: Iterable<readonly Staged[]>): Promise<void> {
  await tx.run(`DELETE FROM ${table}`);
  const appender = await tx.appender(table);
  try {
    for (const row of rows) {
      for (const value of row) {
        if (value === null) appender.appendNull();
        else if (typeof value === 'string') appender.appendVarchar(value);
        else if (typeof value === 'bigint') appender.appendBigInt(value);
        else appender.appendInteger(value);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
