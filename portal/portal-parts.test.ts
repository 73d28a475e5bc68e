/** The portal's parts without a browser: the Excel reader's limits, the calendar, passwords, limits. */
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../domain/index.js';
import { monthView, nextDeadline } from './calendar.js';
import { diffCells } from './helpline-routes.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createSignInLimits } from './sign-in-limits.js';
import { checkZip, xlsxToCsv } from './xlsx.js';

/** A zip record of `size` bytes: each field [offset, value, width] little-endian, the rest zero. */
function zipRecord(size: number, fields: readonly (readonly [offset: number, value: number, width: 2 | 4])[]): Buffer {
  const record = Buffer.alloc(size);
  for (const [offset, value, width] of fields)
    width === 2 ? record.writeUInt16LE(value, offset) : record.writeUInt32LE(value, offset);
  return record;
}

const DEFLATE = 8;

/** A zip written by hand, so its headers can lie. */
function zip(entries: { name: string; data: Buffer; claimedSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = deflateRawSync(e.data);
    const size = e.claimedSize ?? e.data.length;
    // Method, compressed size, size and name length: at these offsets in the local record, two bytes
    // later in the central one (which also says where the local record starts).
    const described = (shift: number) =>
      [
        [shift + 8, DEFLATE, 2],
        [shift + 18, packed.length, 4],
        [shift + 22, size, 4],
        [shift + 26, name.length, 2],
      ] as const;
    const local = zipRecord(30, [[0, 0x04034b50, 4], ...described(0)]);
    const central = zipRecord(46, [[0, 0x02014b50, 4], ...described(2), [42, offset, 4]]);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  // signature, entries on this disk and in all, the central directory's size and where it starts
  const end = zipRecord(22, [
    [0, 0x06054b50, 4],
    [8, entries.length, 2],
    [10, entries.length, 2],
    [12, dir.length, 4],
    [16, offset, 4],
  ]);
  return Buffer.concat([...locals, dir, end]);
}

const refusal = async (work: () => unknown) => {
  try {
    await work();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('Excel uploads', () => {
  it('refuses a zip bomb whose headers claim a small size, without inflating it all', async () => {
    const bomb = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(64 * 1024 * 1024), claimedSize: 100 }]);
    expect(bomb.length).toBeLessThan(200_000);
    const error = await refusal(() => checkZip(bomb));
    expect(error.problems[0]?.message).toMatch(/expands to more than 40 MB/);
  });

  it('refuses too many sheets, and files that are not workbooks', async () => {
    const sheets = Array.from({ length: 25 }, (_, i) => ({
      name: `xl/worksheets/sheet${i}.xml`,
      data: Buffer.from('<x/>'),
    }));
    expect((await refusal(() => checkZip(zip(sheets)))).problems[0]?.message).toMatch(/more than 20 sheets/);
    expect((await refusal(() => xlsxToCsv(Buffer.from('period,harm\n')))).problems[0]?.message).toMatch(/not a zip/);
    const cut = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>') }]);
    expect((await refusal(() => checkZip(cut.subarray(0, cut.length - 30)))).problems[0]?.message).toMatch(
      /incomplete|damaged/,
    );
  });

  it('never calculates a formula: a saved result counts, a formula without one is refused by row', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Month');
    sheet.addRow(['period', 'harm', 'age_band', 'gender', 'channel', 'count']);
    sheet.addRow(['2026-01', 'online.grooming', '13-15', 'girl', 'chat', { formula: '2+3', result: 5 }]);
    sheet.addRow([]);
    sheet.addRow(['2026-01', 'online.sextortion', '13-15', 'girl', 'chat', { formula: 'A1*1000' }]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const error = await refusal(() => xlsxToCsv(bytes));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ row: 4, column: 'count', rule: 'xlsx_formula' });
    sheet.getRow(4).getCell(6).value = 7;
    const csv = (await xlsxToCsv(Buffer.from(await book.xlsx.writeBuffer()))).toString('utf8').split('\n');
    expect(csv[1]).toBe('2026-01,online.grooming,13-15,girl,chat,5');
    expect(csv[2]).toBe('');
    expect(csv[3]).toBe('2026-01,online.sextortion,13-15,girl,chat,7');
  });

  it('reads a period that Excel turned into a date as that month', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Month');
    sheet.addRow(['period', 'harm', 'age_band', 'gender', 'channel', 'count']);
    sheet.addRow([new Date(Date.UTC(2026, 9, 1)), 'online.grooming', '13-15', 'girl', 'chat', 4]);
    const csv = (await xlsxToCsv(Buffer.from(await book.xlsx.writeBuffer()))).toString('utf8');
    expect(csv.split('\n')[1]).toBe('2026-10,online.grooming,13-15,girl,chat,4');
  });
});

describe('calendar', () => {
  const policy = { deadlineDay: 15, timeZone: 'UTC' };
  const v = (period: string, status: string, submittedAt: string) => ({
    submissionId: `${period}-${submittedAt}`,
    period,
    version: 1,
    status,
    reason: null,
    submittedAt,
    loadedAt: null,
    cells: 1,
    total: 1,
  });
  const now = new Date('2026-12-02T00:00:00Z');
  it('says loaded, submitted, rejected, missing, open, and late by the first arrival', () => {
    expect(
      monthView('2026-10', [v('2026-10', 'loaded', '2026-11-03T00:00:00Z')], undefined, now, policy),
    ).toMatchObject({
      state: 'loaded',
      late: false,
    });
    expect(monthView('2026-10', [v('2026-10', 'loaded', '2026-11-20T00:00:00Z')], undefined, now, policy).late).toBe(
      true,
    );
    const corrected = [
      v('2026-09', 'replaced', '2026-10-01T00:00:00Z'),
      v('2026-09', 'accepted', '2026-11-20T00:00:00Z'),
    ];
    expect(monthView('2026-09', corrected, 'r1', now, policy)).toMatchObject({
      state: 'submitted',
      late: false,
      lockedBy: 'r1',
    });
    expect(monthView('2026-08', [v('2026-08', 'rejected', '2026-09-01T00:00:00Z')], undefined, now, policy).state).toBe(
      'rejected',
    );
    expect(monthView('2026-07', [], undefined, now, policy).state).toBe('missing');
    expect(monthView('2026-12', [], undefined, now, policy).state).toBe('open');
    expect(nextDeadline(now, policy)).toEqual({ period: '2026-11', dueBy: '2026-12-16T00:00:00.000Z' });
    expect(nextDeadline(new Date('2026-12-20T00:00:00Z'), policy).period).toBe('2026-12');
  });

  it('diffs two versions cell by cell', () => {
    const a = [
      { harm: 'h', ageBand: 'a', gender: 'g', channel: 'c', count: 3 },
      { harm: 'x', ageBand: 'a', gender: 'g', channel: 'c', count: 1 },
    ];
    const b = [
      { harm: 'h', ageBand: 'a', gender: 'g', channel: 'c', count: 4 },
      { harm: 'y', ageBand: 'a', gender: 'g', channel: 'c', count: 2 },
    ];
    const d = diffCells(a, b);
    expect(d.totalBefore).toBe(4);
    expect(d.totalAfter).toBe(6);
    expect(d.changes).toEqual(
      expect.arrayContaining([
        { key: 'h|a|g|c', from: 3, to: 4 },
        { key: 'y|a|g|c', from: null, to: 2 },
        { key: 'x|a|g|c', from: 1, to: null },
      ]),
    );
  });
});

describe('passwords and sign-in limits', () => {
  it('hashes with scrypt and salt; verifies only the right password', async () => {
    const a = await hashPassword('a long enough password');
    const b = await hashPassword('a long enough password');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long enough password', a)).toBe(true);
    expect(await verifyPassword('a long enough passworD', a)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
    expect(await verifyPassword('anything', 'md5$abc')).toBe(false);
  });

  it('pauses an account after 5 failures and an address after 20, then forgives after the window', () => {
    let t = Date.parse('2026-12-01T00:00:00Z');
    const limits = createSignInLimits(() => new Date(t));
    for (let i = 0; i < 5; i++) limits.failed('amina', '10.0.0.1');
    expect(limits.blocked('amina', '10.0.0.9')).toMatchObject({ by: 'account', seconds: 900 });
    expect(limits.blocked('okello', '10.0.0.1')).toBeUndefined();
    for (let i = 0; i < 15; i++) limits.failed(`user${i}`, '10.0.0.1');
    expect(limits.blocked('okello', '10.0.0.1')).toMatchObject({ by: 'address' });
    t += 15 * 60_000;
    expect(limits.blocked('amina', '10.0.0.9')).toBeUndefined();
    expect(limits.blocked('okello', '10.0.0.1')).toBeUndefined();
  });
});
