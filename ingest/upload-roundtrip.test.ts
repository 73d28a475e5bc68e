/**
 * Properties of the upload parsers: any valid table survives CSV (every dialect the contract
 * allows) and JSON unchanged, and arbitrary bytes never crash the parser.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGE_BAND_CODES,
  AppError,
  CHANNEL_CODES,
  cellKey,
  GENDER_CODES,
  HARM_TYPE_CODES,
  type SubmissionBody,
} from '../domain/index.js';
import { parseCsvUpload } from './csv-upload.js';
import { parseJsonUpload } from './json-upload.js';
import { validateRaw } from './validate.js';

const NOW = new Date('2026-11-26T00:00:00Z');

const cellArb = fc.record({
  harm: fc.constantFrom(...HARM_TYPE_CODES),
  ageBand: fc.constantFrom(...AGE_BAND_CODES),
  gender: fc.constantFrom(...GENDER_CODES),
  channel: fc.constantFrom(...CHANNEL_CODES),
  count: fc.integer({ min: 0, max: 1_000_000 }),
});

const bodyArb: fc.Arbitrary<SubmissionBody> = fc
  .record({
    year: fc.integer({ min: 2000, max: 2025 }),
    month: fc.integer({ min: 1, max: 12 }),
    cells: fc.uniqueArray(cellArb, { minLength: 1, maxLength: 40, selector: cellKey }),
  })
  .map(({ year, month, cells }) => ({ period: `${year}-${String(month).padStart(2, '0')}`, cells }));

const dialectArb = fc.record({
  delimiter: fc.constantFrom(',', ';'),
  newline: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  quoteAll: fc.boolean(),
  upperHeader: fc.boolean(),
  order: fc.shuffledSubarray(['period', 'harm', 'age_band', 'gender', 'channel', 'count'], {
    minLength: 6,
    maxLength: 6,
  }),
  trailingNewline: fc.boolean(),
});

type Dialect = typeof dialectArb extends fc.Arbitrary<infer T> ? T : never;

function toCsv(body: SubmissionBody, d: Dialect) {
  const q = (s: string) => (d.quoteAll ? `"${s.replace(/"/g, '""')}"` : s);
  const header = d.order.map((c) => q(d.upperHeader ? c.toUpperCase() : c)).join(d.delimiter);
  const value = (cell: SubmissionBody['cells'][number], column: string) =>
    ({
      period: body.period,
      harm: cell.harm,
      age_band: cell.ageBand,
      gender: cell.gender,
      channel: cell.channel,
      count: String(cell.count),
    })[column] ?? '';
  const rows = body.cells.map((cell) => d.order.map((c) => q(value(cell, c))).join(d.delimiter));
  return `${d.bom ? '\uFEFF' : ''}${[header, ...rows].join(d.newline)}${d.trailingNewline ? d.newline : ''}`;
}

describe('upload parsers', () => {
  it('any valid table survives a CSV round trip in every allowed dialect', () => {
    fc.assert(
      fc.property(bodyArb, dialectArb, (body, dialect) => {
        const raw = parseCsvUpload(Buffer.from(toCsv(body, dialect), 'utf8'));
        const result = validateRaw(raw, {}, NOW);
        expect(result.problems).toEqual([]);
        expect(result.body).toEqual(body);
      }),
      { numRuns: 300 },
    );
  });

  it('any valid table survives a JSON round trip', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const raw = parseJsonUpload(JSON.parse(JSON.stringify(body)));
        expect(validateRaw(raw, {}, NOW).body).toEqual(body);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes never crash the CSV parser: they are accepted or rejected with problems', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        try {
          const raw = parseCsvUpload(Buffer.from(bytes));
          validateRaw(raw, {}, NOW);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random text with CSV punctuation never crashes the parser either', () => {
    const csvish = fc.string({
      unit: fc.constantFrom(...'period,harm;age_band\r\n"gender channel count 2024-03 abc 13-15 é\uFEFF'.split('')),
      maxLength: 300,
    });
    fc.assert(
      fc.property(csvish, (text) => {
        try {
          validateRaw(parseCsvUpload(Buffer.from(text)), {}, NOW);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random JSON values never crash the JSON path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateRaw(parseJsonUpload(value), {}, NOW);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
