/**
 * A file picked in the portal → the shape the shared validation takes. CSV and JSON go through
 * ingest's own parsers; an Excel workbook is turned into CSV first (xlsx.ts), so every format
 * gets the same rules and the same messages.
 */

import { duplicateKeyError, duplicateKeys } from '../api/http/index.js';
import { AppError } from '../domain/index.js';
import { parseCsvUpload, parseJsonUpload, type UploadedFile } from '../ingest/index.js';
import { xlsxToCsv } from './xlsx.js';

export type FileKind = 'csv' | 'json' | 'xlsx';

export function kindOf(file: UploadedFile): FileKind | undefined {
  const name = file.filename.toLowerCase();
  if (name.endsWith('.xlsx') || /spreadsheetml/.test(file.mimeType)) return 'xlsx';
  if (name.endsWith('.json') || /json/.test(file.mimeType)) return 'json';
  if (name.endsWith('.csv') || name.endsWith('.txt') || /csv|text\/plain/.test(file.mimeType)) return 'csv';
  return undefined;
}

export async function readUploadedFile(file: UploadedFile) {
  const kind = kindOf(file);
  if (!kind) {
    throw new AppError(
      'unsupported_file',
      'Choose a CSV file (.csv), an Excel workbook (.xlsx) or a JSON file (.json). Older Excel files (.xls) must be saved as .xlsx first.',
      {
        status: 415,
        problems: [{ path: 'file', rule: 'file_type', message: 'the file must be .csv, .xlsx or .json' }],
      },
    );
  }
  if (file.bytes.length === 0) {
    throw new AppError('empty_file', 'The file is empty.', {
      status: 422,
      problems: [{ path: 'file', rule: 'empty', message: 'the selected file is empty' }],
    });
  }
  if (kind === 'csv') return { kind, raw: parseCsvUpload(file.bytes) };
  if (kind === 'xlsx') return { kind, raw: parseCsvUpload(await xlsxToCsv(file.bytes)) };
  const text = file.bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('malformed_json', 'The file is not valid JSON.', {
      status: 422,
      problems: [{ path: 'file', rule: 'json_syntax', message: 'the file is not valid JSON' }],
    });
  }
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) throw duplicateKeyError(duplicates);
  return { kind, raw: parseJsonUpload(parsed) };
}
