import { describe, expect, it } from 'vitest';
import { csvLines, toCsv } from './table-formats.js';

describe('the CSV writer', () => {
  it('quotes per RFC 4180 and keeps numbers plain', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          { a: 'x,y', b: 3 },
          { a: 'say "hi"', b: null },
        ],
      ),
    ).toBe('a,b\r\n"x,y",3\r\n"say ""hi""",\r\n');
  });

  it('never writes a text a spreadsheet would run as a formula', () => {
    const csv = csvLines([['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tx', -2]]);
    expect(csv).toBe(`"'=HYPERLINK(""http://x"")","'+1","'-2","'@SUM(A1)","'\tx",-2\r\n`);
  });
});
