/**
 * Content negotiation for data endpoints: JSON (default), CSV (RFC 4180, header row) and the Arrow
 * IPC stream (typed columns, readable by any Arrow implementation). `?format=` wins over Accept.
 */
import type { Request, Response } from 'express';
import { AppError, type TableCell as Cell, type ColumnType, toArrow, toCsv } from '../domain/index.js';

export type { ColumnType, TableCell as Cell } from '../domain/index.js';

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
