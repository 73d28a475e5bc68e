/**
 * Replaying the topic from the beginning into an empty warehouse gives exactly the same tables as
 * the incrementally maintained one, and the swap keeps the old file.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rebuildWarehouse } from '../bin/rebuild-warehouse.js';
import { DATA_TABLES, openWarehouse, type Warehouse } from '../warehouse/index.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(() => {
  if (rt) rmSync(rt.dir, { recursive: true, force: true });
});

const SUBMISSION_COLUMNS =
  'submission_id, helpline_id, period, version, content_hash, submitted_at, status, reason, cells, total, kafka_partition, kafka_offset';

async function snapshot(wh: Warehouse) {
  const out: Record<string, string[]> = {};
  for (const table of [...DATA_TABLES, 'submissions']) {
    const columns = table === 'submissions' ? SUBMISSION_COLUMNS : '*';
    const rows = await wh.db.all(`SELECT ${columns} FROM ${table}`);
    out[table] = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).sort();
  }
  return out;
}

describe('rebuild', () => {
  it('replays the topic into a new file that equals the incremental one, table by table', async () => {
    const keys = [
      await rt.addHelpline({ id: 'nl-1', name: 'NL line', country: 'NL', region: 'europe' }),
      await rt.addHelpline({ id: 'ph-1', name: 'PH line', country: 'PH', region: 'asia_pacific' }),
    ];
    const ids: string[] = [];
    const upload = async (k: number, text: string) => {
      const r = await fetch(`${rt.url}/v1/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[k]}`, 'content-type': 'text/csv' },
        body: `period,harm,age_band,gender,channel,count\n${text}\n`,
      });
      expect([200, 202]).toContain(r.status);
      ids.push(((await r.json()) as { submissionId: string }).submissionId);
    };
    for (let m = 1; m <= 9; m++) {
      await upload(
        0,
        `2024-0${m},online.grooming,13-15,girl,chat,${m * 3}\n2024-0${m},family.conflict,10-12,boy,phone,${m}`,
      );
      await upload(1, `2024-0${m},online.sextortion,16-17,boy,social,${m * 2}`);
    }
    await upload(0, '2024-03,online.grooming,13-15,girl,chat,99'); // a correction
    await upload(1, '2024-05,online.sextortion,16-17,boy,social,10'); // identical: same submission
    await waitFor('everything to load', async () => {
      const rows = await rt.warehouse.db.all<{ n: bigint }>(
        "SELECT count(*) AS n FROM submissions WHERE status = 'accepted'",
      );
      return rows[0]?.n === 0n ? true : undefined;
    });
    const before = await snapshot(rt.warehouse);
    expect(before.facts?.length).toBe(26); // 9 months × 3 cells, the correction has one cell fewer
    await rt.stop();

    const path = join(rt.dir, 'warehouse.duckdb');
    const result = await rebuildWarehouse({
      currentPath: path,
      brokers: inject('kafkaBrokers'),
      topics: rt.topics,
      logger: pino({ level: 'silent' }),
    });
    expect(result.backup && existsSync(result.backup)).toBe(true);
    const rebuilt = await openWarehouse(path);
    try {
      const after = await snapshot(rebuilt);
      for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
      expect(await rebuilt.registry.authenticate(keys[0] ?? '', new Date())).toEqual({
        role: 'helpline',
        helplineId: 'nl-1',
      });
    } finally {
      rebuilt.close();
    }
  }, 120_000);
});
