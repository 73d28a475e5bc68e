/**
 * The Excel template: a "Month" sheet with the upload's columns, whose code columns are drop-down
 * lists (data validation over the "Codes" sheet), and a "Codes" sheet listing every code with its
 * label. A helpline's own mapped codes are offered beside the canonical ones.
 */
import ExcelJS from 'exceljs';
import { AGE_BANDS, CHANNELS, GENDERS, HARM_TYPES } from '../domain/index.js';
import type { CodeMapping } from '../ingest/index.js';

const ROWS = 2000;

export async function templateWorkbook(period: string, mapping: CodeMapping): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Helpline statistics portal';
  const month = workbook.addWorksheet('Month');
  const codes = workbook.addWorksheet('Codes');
  const lists: [string, string, { code: string; label: string }[]][] = [
    ['harm', 'harm', [...HARM_TYPES.map((t) => ({ code: t.code, label: t.label }))]],
    ['age_band', 'ageBand', AGE_BANDS.map((d) => ({ code: d.code, label: d.label }))],
    ['gender', 'gender', GENDERS.map((d) => ({ code: d.code, label: d.label }))],
    ['channel', 'channel', CHANNELS.map((d) => ({ code: d.code, label: d.label }))],
  ];
  month.columns = [
    { header: 'period', key: 'period', width: 10 },
    { header: 'harm', key: 'harm', width: 36 },
    { header: 'age_band', key: 'age_band', width: 10 },
    { header: 'gender', key: 'gender', width: 12 },
    { header: 'channel', key: 'channel', width: 12 },
    { header: 'count', key: 'count', width: 8 },
  ];
  month.getRow(1).font = { bold: true };
  // The period as text: Excel would otherwise turn 2026-10 into a date.
  month.getColumn(1).numFmt = '@';
  month.addRow({ period, harm: 'online.sextortion', age_band: '13-15', gender: 'girl', channel: 'chat', count: 0 });
  codes.addRow(['list', 'code', 'label']).font = { bold: true };
  let next = 2;
  lists.forEach(([column, field, entries], i) => {
    const own = Object.entries(mapping[field as keyof CodeMapping] ?? {}).map(([local, canonical]) => ({
      code: local,
      label: `your code for ${canonical}`,
    }));
    const all = [...entries, ...own];
    const first = next;
    for (const e of all) codes.addRow([column, e.code, e.label]);
    next += all.length;
    const letter = String.fromCharCode(66 + i); // harm → B …
    for (let r = 2; r <= ROWS; r++) {
      month.getCell(`${letter}${r}`).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`Codes!$B$${first}:$B$${next - 1}`],
        showErrorMessage: true,
        errorTitle: 'Not a valid code',
        error: `Choose a ${column} code from the list (see the Codes sheet).`,
      };
    }
  });
  for (let r = 2; r <= ROWS; r++) {
    month.getCell(`F${r}`).dataValidation = {
      type: 'whole',
      operator: 'between',
      allowBlank: true,
      formulae: [0, 1_000_000],
      showErrorMessage: true,
      error: 'A count is a whole number, 0 or more.',
    };
  }
  codes.getColumn(2).width = 36;
  codes.getColumn(3).width = 48;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
