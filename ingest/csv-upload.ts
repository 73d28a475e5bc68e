/**
 * CSV as case systems export it: UTF-8 with or without BOM, comma or semicolon, LF or CRLF, quoted
 * fields, header names in any case and order. Parsing is csv-parse's; we only map its rows.
 */
import { parse } from 'csv-parse/sync';
import { AppError, invalidSubmission, type Problem, personalDataKind, quotable } from '../domain/index.js';
import type { RawCell, RawSubmission } from './validate.js';

export const MAX_ROWS = 20_000;

const COLUMNS: Record<string, string> = {
  period: 'period',
  harm: 'harm',
  age_band: 'ageBand',
  gender: 'gender',
  channel: 'channel',
  count: 'count',
};

/** The header's delimiter: whichever of `;` and `,` appears more often outside quotes. */
function detectDelimiter(text: string): ';' | ',' {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  let inQuotes = false;
  let commas = 0;
  let semicolons = 0;
  for (const ch of firstLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === ',') commas++;
    else if (!inQuotes && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

export function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidSubmission('The file is not valid UTF-8 text; export it as CSV UTF-8.', [
      { path: '(file)', rule: 'encoding', message: 'the file is not valid UTF-8; save it as "CSV UTF-8"' },
    ]);
  }
}

/** A multi-month file: up to this many rows in all (each month still at most MAX_ROWS cells). */
export const MAX_ROWS_MANY_MONTHS = 500_000;

export function parseCsvUpload(bytes: Buffer, maxRows = MAX_ROWS): RawSubmission {
  const text = decodeUtf8(bytes).replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw invalidSubmission('The file is empty.', [
      { path: '(file)', rule: 'empty', message: 'the file is empty; start from /v1/templates/submission.csv' },
    ]);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: detectDelimiter(text),
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: 4096,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { code?: string; lines?: number; message: string };
    throw invalidSubmission('The file is not valid CSV; nothing was accepted.', [
      {
        path: `row ${e.lines ?? '?'}`,
        ...(e.lines ? { row: e.lines } : {}),
        rule: 'csv_syntax',
        message: `row ${e.lines ?? '?'}: the CSV cannot be read (${(e.code ?? 'syntax error').toLowerCase().replace(/^csv_/, '').replace(/_/g, ' ')}); check quotes and delimiters`,
      },
    ]);
  }
  const [header, ...rows] = records;
  if (!header)
    throw invalidSubmission('The file is empty.', [{ path: '(file)', rule: 'empty', message: 'the file is empty' }]);
  if (rows.length > maxRows) {
    throw new AppError(
      'too_many_rows',
      `The file has ${rows.length} rows; the limit is ${maxRows}${maxRows === MAX_ROWS ? ' per month' : ' per file'}.`,
      { status: 413 },
    );
  }

  // Header: case-insensitive names, any order; unknown and missing columns are both problems.
  const problems: Problem[] = [];
  const index = new Map<string, number>();
  header.record.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    const field = COLUMNS[key];
    if (field && !index.has(field)) index.set(field, i);
    else if (field)
      problems.push({
        path: 'header',
        row: 1,
        column: key,
        rule: 'duplicate_column',
        message: `the header names column "${key}" twice`,
      });
    else {
      const kind = personalDataKind(name);
      problems.push({
        path: 'header',
        row: 1,
        ...(quotable(name.trim()) ? { column: name.trim(), value: name.trim() } : {}),
        rule: kind ? 'personal_data' : 'unknown_column',
        message: kind
          ? `column ${i + 1} of the header looks like ${kind}; personal data is not accepted`
          : `column ${i + 1} of the header, ${quotable(name.trim()) ? `"${name.trim()}"` : 'this name'}, is not part of the template; the columns are ${Object.keys(COLUMNS).join(', ')}`,
      });
    }
  });
  for (const [column, field] of Object.entries(COLUMNS)) {
    if (!index.has(field)) {
      problems.push({
        path: 'header',
        row: 1,
        column,
        rule: 'missing_column',
        message: `the header has no "${column}" column`,
      });
    }
  }
  if (rows.length === 0) {
    problems.push({
      path: '(file)',
      rule: 'empty',
      message: 'the file has a header but no rows; send one row per cell',
    });
  }
  if (problems.length > 0)
    throw invalidSubmission(`The file has ${problems.length} problem(s); nothing was accepted.`, problems);

  const cells: RawCell[] = rows.map(({ record, info }) => {
    const values: Record<string, unknown> = {};
    for (const [field, i] of index) values[field] = record[i] ?? '';
    if (record.length > header.record.length) values.__extra = record.slice(header.record.length).join('');
    return { values, row: info.lines, path: `row ${info.lines}` };
  });
  const ragged = cells.filter((c) => typeof c.values.__extra === 'string' && String(c.values.__extra).trim() !== '');
  if (ragged.length > 0) {
    throw invalidSubmission(
      'Some rows have more fields than the header.',
      ragged.map((c) => ({
        path: `row ${c.row}`,
        ...(c.row === undefined ? {} : { row: c.row }),
        rule: 'extra_fields',
        message: `row ${c.row} has more fields than the header; free text is not accepted`,
      })),
    );
  }
  return { cells, format: 'csv' };
}
