import { createHash } from 'node:crypto';
/**
 * Content negotiation for data endpoints: JSON (default), CSV (RFC 4180, header row) and the Arrow
 * IPC stream (typed columns, readable by any Arrow implementation). `?format=` wins over Accept.
 */
import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError, type TableCell as Cell, type ColumnType, toArrow, toCsv } from '../domain/index.js';

export type { ColumnType, TableCell as Cell } from '../domain/index.js';

export type Format = 'json' | 'csv' | 'arrow';
export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/** The documented answer of a data endpoint, in each format it negotiates. */
export const tableAnswer = (schema: z.ZodType, description: string, headers?: ResponseConfig['headers']) =>
  ({
    description,
    ...(headers ? { headers } : {}),
    content: {
      'application/json': { schema },
      'text/csv': { schema: z.string() },
      [ARROW_STREAM]: { schema: z.string().meta({ format: 'binary' }) },
    },
  }) satisfies ResponseConfig;

/** A documented GET of a data endpoint: its query schema, its table answer (200) and its other answers. */
export const tableRoute = (
  route: { path: string; summary: string; query: z.ZodObject },
  answer: ResponseConfig,
  others: Record<number, ResponseConfig>,
): RouteConfig => ({
  method: 'get',
  path: route.path,
  summary: route.summary,
  request: { query: route.query },
  responses: { 200: answer, ...others },
});

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

/** A table answer ready to send: its type, headers and bytes, with an ETag computed once. */
export interface RenderedTable {
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export function renderTable(
  format: Format,
  json: unknown,
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly Record<string, Cell>[],
  options: { filename: string; metadata?: Record<string, string> },
): RenderedTable {
  let type: string;
  let headers: Record<string, string> = {};
  let body: Buffer;
  if (format === 'csv') {
    type = 'text/csv; charset=utf-8; header=present';
    headers = { 'Content-Disposition': `inline; filename="${options.filename}.csv"` };
    body = Buffer.from(
      toCsv(
        columns.map((c) => c.name),
        rows,
      ),
    );
  } else if (format === 'arrow') {
    type = ARROW_STREAM;
    headers = { 'Content-Disposition': `attachment; filename="${options.filename}.arrows"` };
    body = Buffer.from(toArrow(columns, rows, options.metadata));
  } else {
    type = 'application/json; charset=utf-8';
    body = Buffer.from(JSON.stringify(json));
  }
  const etag = `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`;
  return { type, headers: { ...headers, ETag: etag }, body };
}

/** Sends a rendered table; express answers 304 itself when the client's If-None-Match matches. */
export function sendRendered(res: Response, table: RenderedTable): void {
  res.vary('Accept').type(table.type).set(table.headers).send(table.body);
}

export function sendTable(res: Response, ...table: Parameters<typeof renderTable>): void {
  sendRendered(res, renderTable(...table));
}
