/**
 * Excel workbooks, behind our own small interface (exceljs's last release is from 2023; swapping
 * the reader must touch this file only).
 *
 *   1. the zip, checked before any XML parser sees it: entries, sheets, and the REAL uncompressed
 *      size (every entry inflated with a ceiling, so a lying header or a zip bomb stops early)
 *   2. exceljs reads the first sheet; formulas are never evaluated: a formula cell counts with its
 *      saved result, and one without a saved result is refused
 *   3. the sheet becomes CSV text (row numbers kept), so it goes through the same parser, checks
 *      and messages as a CSV upload
 */
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { AppError, invalidSubmission, type Problem } from '../domain/index.js';
import { MAX_ROWS } from '../ingest/index.js';

export const XLSX_LIMITS = {
  entries: 500,
  sheets: 20,
  /** All entries together, once inflated. */
  uncompressedBytes: 40 * 1024 * 1024,
  rows: MAX_ROWS + 1,
  columns: 30,
} as const;

const notWorkbook = (why: string) =>
  invalidSubmission('The file is not an Excel workbook (.xlsx) that can be read; nothing was kept.', [
    { path: '(file)', rule: 'xlsx', message: why },
  ]);

/** 1. Walks the central directory and inflates each entry within the remaining budget. */
export function checkZip(bytes: Buffer, limits = XLSX_LIMITS): void {
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== 0x04034b50) throw notWorkbook('the file is not a zip archive');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notWorkbook('the zip archive is incomplete (no end record); the file may be cut off');
  const entries = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  if (entries > limits.entries) throw notWorkbook(`the workbook has ${entries} parts; at most ${limits.entries}`);
  let budget = limits.uncompressedBytes;
  let sheets = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== 0x02014b50)
      throw notWorkbook('the zip directory is damaged');
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const compressed = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) throw notWorkbook('the workbook is encrypted (password-protected); save it without a password');
    if (compressed === 0xffffffff || local === 0xffffffff) throw notWorkbook('the workbook is too large (zip64)');
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(name)) sheets++;
    if (sheets > limits.sheets) throw notWorkbook(`the workbook has more than ${limits.sheets} sheets`);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50)
      throw notWorkbook('a zip entry is damaged');
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + compressed);
    let size: number;
    if (method === 0) size = data.length;
    else if (method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) }).length;
      } catch {
        throw notWorkbook(
          `the workbook expands to more than ${Math.round(limits.uncompressedBytes / 1048576)} MB, or is damaged`,
        );
      }
    } else throw notWorkbook('the workbook uses an unknown compression method');
    budget -= size;
    if (budget < 0)
      throw notWorkbook(`the workbook expands to more than ${Math.round(limits.uncompressedBytes / 1048576)} MB`);
  }
  if (sheets === 0) throw notWorkbook('the workbook has no sheet');
}

const csvField = (s: string) => (/[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A cell's value as the text a CSV export would hold. */
function cellText(value: ExcelJS.CellValue, column: string | undefined, row: number, problems: Problem[]): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    // Excel turns a typed 2026-10 into a date: as a period it is that month.
    if (column === 'period') return value.toISOString().slice(0, 7);
    return value.toISOString().slice(0, 10);
  }
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) {
    problems.push({
      path: `row ${row}/${column ?? '?'}`,
      row,
      ...(column ? { column } : {}),
      rule: 'xlsx_error',
      message: `row ${row}: ${column ?? 'a cell'} holds the spreadsheet error ${value.error}; fix it and save again`,
    });
    return '';
  }
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    if (result === undefined || result === null || typeof result === 'object') {
      problems.push({
        path: `row ${row}/${column ?? '?'}`,
        row,
        ...(column ? { column } : {}),
        rule: 'xlsx_formula',
        message: `row ${row}: ${column ?? 'a cell'} is a formula without a saved value (formulas are never calculated here); open the file in Excel, save it, or paste values`,
      });
      return '';
    }
    return cellText(result as ExcelJS.CellValue, column, row, problems);
  }
  return '';
}

/** 2–3. The first sheet as CSV bytes, with the spreadsheet's own row numbers. */
export async function xlsxToCsv(bytes: Buffer, limits = XLSX_LIMITS): Promise<Buffer> {
  checkZip(bytes, limits);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's types want its own Buffer type; the bytes are a plain Node Buffer.
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    throw notWorkbook('the workbook cannot be read; save it again as an Excel workbook (.xlsx)');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw notWorkbook('the workbook has no sheet');
  if (sheet.rowCount > limits.rows) {
    throw new AppError(
      'too_many_rows',
      `The sheet has ${sheet.rowCount - 1} rows; the limit is ${MAX_ROWS} per month.`,
      {
        status: 413,
      },
    );
  }
  if (sheet.columnCount > limits.columns) {
    throw notWorkbook(`the first sheet has ${sheet.columnCount} columns; the template has 6`);
  }
  const problems: Problem[] = [];
  const header = sheet.getRow(1);
  const names: (string | undefined)[] = [];
  for (let c = 1; c <= sheet.columnCount; c++) {
    names[c] = cellText(header.getCell(c).value, undefined, 1, problems).trim().toLowerCase() || undefined;
  }
  const lines: string[] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const fields: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) fields.push(cellText(row.getCell(c).value, names[c], r, problems));
    // An empty row stays an empty line: the CSV parser skips it, and later rows keep their numbers.
    lines.push(fields.every((f) => f.trim() === '') ? '' : fields.map(csvField).join(','));
  }
  if (problems.length > 0) {
    throw invalidSubmission(`The workbook has ${problems.length} problem(s); nothing was kept.`, problems);
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}
