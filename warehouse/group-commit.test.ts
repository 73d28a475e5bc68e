/**
 * Group commit: batches of several partitions handed over at once go into one transaction, each
 * partition's offset is stored, each batch gets its own result, and a redelivery changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadBatch, type LoadItem, submissionMessage } from '../domain/index.js';
import { openWarehouse, type Warehouse } from './index.js';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'group-'));
  wh = await openWarehouse(join(dir, 'w.duckdb'));
  for (const [id, country, region] of [
    ['de-1', 'DE', 'europe'],
    ['ke-1', 'KE', 'africa'],
  ] as const) {
    await wh.registry.addHelpline({ id, name: id, country, region }, new Date('2024-01-01T00:00:00Z'));
  }
});
afterAll(() => {
  wh?.close();
  rmSync(dir, { recursive: true, force: true });
});

const item = (helpline: string, period: string, count: number, offset: bigint): LoadItem => {
  const body = {
    period,
    cells: [
      {
        harm: 'family.conflict' as const,
        ageBand: '13-15' as const,
        gender: 'girl' as const,
        channel: 'chat' as const,
        count,
      },
    ],
  };
  return {
    kind: 'load',
    offset,
    message: submissionMessage(helpline, body, '2024-06-01T00:00:00.000Z'),
  };
};

describe('group commit', () => {
  it('loads concurrent batches of several partitions together, exactly once', async () => {
    const batches: LoadBatch[] = [
      { topic: 't', partition: 0, items: [item('de-1', '2024-01', 10, 0n), item('de-1', '2024-02', 11, 1n)] },
      { topic: 't', partition: 3, items: [item('ke-1', '2024-01', 20, 0n)] },
      { topic: 't', partition: 5, items: [item('ke-1', '2024-02', 21, 7n), item('ke-1', '2024-02', 22, 8n)] },
    ];
    // Handed over at the same moment, as concurrent partitions are.
    const results = await Promise.all(batches.map((b) => wh.loadTarget.applyBatch(b)));
    expect(results.map((r) => [r.loaded, r.cells])).toEqual([
      [2, 2],
      [1, 1],
      [2, 1],
    ]);
    const offsets = await wh.loadTarget.storedOffsets('t', [0, 3, 5]);
    expect([...offsets].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 2n],
      [3, 1n],
      [5, 9n],
    ]);
    const totals = await wh.db.all<{ helpline_id: string; n: bigint }>(
      'SELECT helpline_id, sum(count) AS n FROM facts GROUP BY ALL ORDER BY ALL',
    );
    expect(totals.map((t) => [t.helpline_id, Number(t.n)])).toEqual([
      ['de-1', 21],
      ['ke-1', 42],
    ]);
    // Redelivered together: nothing changes.
    const again = await Promise.all(batches.map((b) => wh.loadTarget.applyBatch(b)));
    expect(again.map((r) => [r.loaded, r.skipped])).toEqual([
      [0, 2],
      [0, 1],
      [0, 2],
    ]);
    expect(await wh.factCount()).toBe(4);
  });
});
