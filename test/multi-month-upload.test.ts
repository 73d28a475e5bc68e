/**
 * The multi-month upload (POST /v1/submissions/batch): many months in one JSON body or one CSV file,
 * validated as a whole (every problem of every month, nothing accepted), each month its own
 * versioned helpline-month and Kafka record, idempotent by content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSubmissionMessage, SubmissionMessageSchema } from '../domain/index.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let rt: TestRuntime;
let key: string;
const HELPLINE = { id: 'mm-1', name: 'Multi-month helpline', country: 'NL', region: 'europe' };

const cell = (harm: string, count: number) => ({ harm, ageBand: '13-15', gender: 'girl', channel: 'chat', count });
const month = (period: string, n: number) => ({
  period,
  cells: [cell('online.sextortion', n), cell('online.grooming', n + 1)],
});

async function post(body: string, type = 'application/json', path = '/v1/submissions/batch') {
  const r = await fetch(`${rt.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body,
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Posts the rows, under the CSV header, as a text/csv file. */
const postCsv = (rows: readonly string[], path?: string) =>
  post(`${['period,harm,age_band,gender,channel,count', ...rows].join('\n')}\n`, 'text/csv', path);

const loadedCount = async () =>
  (await rt.warehouse.db.all<{ n: bigint }>(`SELECT count(*) AS n FROM current_versions WHERE helpline_id = 'mm-1'`))[0]
    ?.n ?? 0n;

beforeAll(async () => {
  rt = await startTestRuntime();
  key = await rt.addHelpline(HELPLINE);
});
afterAll(async () => {
  await rt?.close();
});

describe('multi-month upload', () => {
  it('accepts many months as separate versioned helpline-months, each its own record', async () => {
    const months = ['2022-01', '2022-02', '2022-03', '2022-04'].map((p, i) => month(p, 10 + i));
    const { status, json } = await post(JSON.stringify({ months }));
    expect(status).toBe(202);
    expect(json).toMatchObject({ helplineId: 'mm-1', months: 4, accepted: 4, duplicates: 0, cells: 8 });
    const receipts = json.submissions as { submissionId: string; period: string; status: string }[];
    expect(receipts.map((r) => r.period)).toEqual(['2022-01', '2022-02', '2022-03', '2022-04']);
    expect(new Set(receipts.map((r) => r.submissionId)).size).toBe(4);
    await waitFor('four months loaded', async () => ((await loadedCount()) === 4n ? true : undefined));
    const versions = await rt.warehouse.db.all<{ period: string; version: number; kafka_offset: bigint }>(
      `SELECT period, version, kafka_offset FROM submissions WHERE helpline_id = 'mm-1' ORDER BY period`,
    );
    expect(versions.map((v) => v.version)).toEqual([1, 1, 1, 1]);
    expect(versions.every((v) => v.kafka_offset !== null)).toBe(true);
  });

  it('is idempotent by content: the same upload again is all duplicates, no new version', async () => {
    const months = ['2022-01', '2022-02', '2022-03', '2022-04'].map((p, i) => month(p, 10 + i));
    const { status, json } = await post(JSON.stringify({ months }));
    expect(status).toBe(200);
    expect(json).toMatchObject({ accepted: 0, duplicates: 4 });
  });

  it('takes a CSV file of many periods, and corrects only the months that changed', async () => {
    const rows = [
      '2022-01,online.sextortion,13-15,girl,chat,10',
      '2022-01,online.grooming,13-15,girl,chat,11',
      '2022-02,online.sextortion,13-15,girl,chat,99',
      '2022-02,online.grooming,13-15,girl,chat,12',
    ];
    const { status, json } = await postCsv(rows);
    expect(status).toBe(202);
    expect(json).toMatchObject({ months: 2, accepted: 1, duplicates: 1 });
    await waitFor('the correction loaded', async () => {
      const rows = await rt.warehouse.db.all<{ version: number }>(
        `SELECT version FROM current_versions WHERE helpline_id = 'mm-1' AND period = '2022-02'`,
      );
      return rows[0]?.version === 2 ? true : undefined;
    });
  });

  it('warns about a month far from the months before it, counting the upload’s own months', async () => {
    const months = [month('2021-01', 10), month('2021-02', 11), month('2021-03', 12), month('2021-04', 300)];
    const { status, json } = await post(JSON.stringify({ months }));
    expect(status).toBe(202);
    const warned = (json.submissions as { period: string; warnings: string[] }[]).filter((r) => r.warnings.length);
    expect(warned.map((r) => r.period)).toEqual(['2021-04']);
    // Loaded before the next test counts what the helpline has.
    await waitFor('the four months loaded', async () => {
      const rows = await rt.warehouse.db.all(
        `SELECT 1 FROM current_versions WHERE helpline_id = 'mm-1' AND period LIKE '2021-%'`,
      );
      return rows.length === 4 ? true : undefined;
    });
  });

  it('rejects the whole upload when one month is bad, listing every problem of every month', async () => {
    const before = await loadedCount();
    const months = [
      month('2023-01', 5),
      { period: '2023-02', cells: [cell('online.sextorsion', 3), { ...cell('online.grooming', -1) }] },
      month('2023-01', 6),
      { period: '2099-01', cells: [cell('online.grooming', 1)] },
    ];
    const { status, json } = await post(JSON.stringify({ months }));
    expect(status).toBe(422);
    const problems = json.errors as { path: string; rule: string }[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'months/1/cells/0/harm', rule: 'unknown_code' }),
        expect.objectContaining({ path: 'months/1/cells/1/count', rule: 'negative' }),
        expect.objectContaining({ path: 'months/2/period', rule: 'duplicate_period' }),
        expect.objectContaining({ path: 'months/3/period', rule: 'period_not_future' }),
      ]),
    );
    // Nothing of the good month was accepted either.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await loadedCount()).toBe(before);
    const kept = await rt.warehouse.db.all(
      `SELECT 1 FROM submissions WHERE helpline_id = 'mm-1' AND period = '2023-01'`,
    );
    expect(kept).toHaveLength(0);
  });

  it('names rows in a bad multi-month CSV', async () => {
    const rows = [
      '2023-05,online.sextortion,13-15,girl,chat,1',
      '2023-06,online.sextortion,13-15,girl,chat,1.5',
      '2023-06,online.sextortion,13-15,girl,chat,2',
    ];
    const { status, json } = await postCsv(rows);
    expect(status).toBe(422);
    expect(json.errors).toEqual([expect.objectContaining({ row: 3, column: 'count', rule: 'fractional' })]);
  });

  it('keeps the single-month endpoint to one month per file', async () => {
    const rows = ['2023-05,online.sextortion,13-15,girl,chat,1', '2023-06,online.sextortion,13-15,girl,chat,1'];
    const { status, json } = await postCsv(rows, '/v1/submissions');
    expect(status).toBe(422);
    expect(json.errors).toEqual([expect.objectContaining({ rule: 'one_period' })]);
  });
});

describe('the consumer’s message check', () => {
  const valid = {
    schema: 'helpline.submission.v1',
    submissionId: '6f1d2a4e-5b3c-4d2e-8f1a-2b3c4d5e6f70',
    helplineId: 'mm-1',
    period: '2022-01',
    cells: [cell('online.sextortion', 1)],
    contentHash: 'a'.repeat(64),
    submittedAt: '2022-02-01T00:00:00.000Z',
  };
  const variants: unknown[] = [
    valid,
    { ...valid, cells: [] },
    { ...valid, cells: [{ ...cell('online.sextortion', 1), extra: 1 }] },
    { ...valid, cells: [{ ...cell('online.sextortion', 1.5) }] },
    { ...valid, cells: [{ ...cell('online.sextortion', -1) }] },
    { ...valid, cells: [{ ...cell('online.sextortion', 2_000_000) }] },
    { ...valid, cells: [{ ...cell('nope', 1) }] },
    { ...valid, cells: [{ harm: 'online.sextortion', ageBand: '13-15', gender: 'girl', count: 1, x: 'chat' }] },
    { ...valid, cells: [null] },
    { ...valid, cells: 'x' },
    { ...valid, extra: true },
    { ...valid, submissionId: 'not-a-uuid' },
    JSON.parse(`{"__proto__": 1, ${JSON.stringify(valid).slice(1)}`),
    JSON.parse(
      JSON.stringify({ ...valid, cells: [cell('online.sextortion', 1)] }).replace(
        '"count":1',
        '"count":1,"__proto__":{}',
      ),
    ),
  ];
  it('accepts exactly what the zod schema accepts', () => {
    for (const v of variants) {
      const fast = parseSubmissionMessage(v);
      const full = SubmissionMessageSchema.safeParse(v);
      expect(fast.success).toBe(full.success);
      if (fast.success && full.success) expect(fast.data).toEqual(full.data);
    }
  });
});
