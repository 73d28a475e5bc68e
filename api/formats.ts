/**
 * Content negotiation for data endpoints: JSON (default), CSV (RFC 4180, header row) and the Arrow
 * IPC stream (typed columns, readable by any Arrow implementation). `?format=` wins over Accept.
 */
import { Bool, Dictionary, Int32, Table, tableToIPC, Utf8, type Vector, vectorFromArray } from 'apache-arrow';
import type { Request, Response } from 'express';
import { AppError } from '../domain/index.js';

export type Format = 'json' | 'csv' | 'arrow';
export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export function negotiate(req: Request): Format {
  const asked = req.query.format;
  if (asked === 'json' || asked === 'csv' || asked === 'arrow') return asked;
  if (asked !== undefined) {
    throw new AppError('invalid_parameter', 'format must be json, csv or arrow.', {
      status: 400,
      problems: [{ path: 'format', rule: 'enum', message: 'format must be one of json, csv, arrow' }],
    });
  }
  const type = req.accepts(['application/json', 'text/csv', ARROW_STREAM]);
  if (type === 'text/csv') return 'csv';
  if (type === ARROW_STREAM) return 'arrow';
  if (type === false && req.get('accept')) {
    throw new AppError('not_acceptable', `Available as application/json, text/csv or ${ARROW_STREAM}.`, {
      status: 406,
    });
  }
  return 'json';
}

export type Cell = string | number | boolean | null;

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, Cell>[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export type ColumnType = 'string' | 'int' | 'bool';

export function toArrow(
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly Record<string, Cell>[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const { name, type } of columns) {
    const values = rows.map((r) => r[name] ?? null);
    vectors[name] =
      type === 'int'
        ? vectorFromArray(values as (number | null)[], new Int32())
        : type === 'bool'
          ? vectorFromArray(values as (boolean | null)[], new Bool())
          : vectorFromArray(values as (string | null)[], new Dictionary(new Utf8(), new Int32()));
  }
  const table = new Table(vectors);
  for (const [k, v] of Object.entries(metadata)) table.schema.metadata.set(k, v);
  return tableToIPC(table, 'stream');
}

export function sendTable(
  res: Response,
  format: Format,
  json: unknown,
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly Record<string, Cell>[],
  options: { filename: string; metadata?: Record<string, string> },
): void {
  res.vary('Accept');
  if (format === 'csv') {
    res
      .type('text/csv; charset=utf-8; header=present')
      .set('Content-Disposition', `inline; filename="${options.filename}.csv"`)
      .send(
        toCsv(
          columns.map((c) => c.name),
          rows,
        ),
      );
  } else if (format === 'arrow') {
    res
      .type(ARROW_STREAM)
      .set('Content-Disposition', `attachment; filename="${options.filename}.arrows"`)
      .send(Buffer.from(toArrow(columns, rows, options.metadata)));
  } else {
    res.json(json);
  }
}
