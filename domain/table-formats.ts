/**
 * Tables as CSV (RFC 4180, header row) and Arrow IPC (typed columns, readable by any Arrow
 * implementation): the one writer of every CSV the project writes — API answers, chart data,
 * release exports.
 */
import { Bool, Dictionary, Int32, Table, tableToIPC, Utf8, type Vector, vectorFromArray } from 'apache-arrow';

export type TableCell = string | number | boolean | null;

/**
 * One field. A text a spreadsheet would run as a formula (= + - @, tab, CR first) is opened with an
 * apostrophe and quoted (OWASP's CSV-injection advice); numbers stay plain for R and pandas.
 */
function csvField(v: TableCell): string {
  if (v === null) return '';
  const s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of fields, the first being the header, as CSV with CRLF line ends. */
export function csvLines(rows: readonly (readonly TableCell[])[]): string {
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, TableCell>[]): string {
  return csvLines([columns, ...rows.map((row) => columns.map((c) => row[c] ?? null))]);
}

export type ColumnType = 'string' | 'int' | 'bool';

export function toArrow(
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly Record<string, TableCell>[],
  metadata: Record<string, string> = {},
  /** 'stream' for HTTP answers (.arrows), 'file' for files on disk (.arrow, random access). */
  ipc: 'stream' | 'file' = 'stream',
): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [i, { name, type }] of columns.entries()) {
    const values = rows.map((r) => r[name] ?? null);
    // A dictionary's id is its column's position: Arrow's default comes from a counter in the
    // process, so the same answer from two processes (or after a restart) had other bytes.
    vectors[name] =
      type === 'int'
        ? vectorFromArray(values as (number | null)[], new Int32())
        : type === 'bool'
          ? vectorFromArray(values as (boolean | null)[], new Bool())
          : vectorFromArray(values as (string | null)[], new Dictionary(new Utf8(), new Int32(), i));
  }
  const table = new Table(vectors);
  for (const [k, v] of Object.entries(metadata)) table.schema.metadata.set(k, v);
  return tableToIPC(table, ipc);
}
