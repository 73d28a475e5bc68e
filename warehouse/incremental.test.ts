/**
 * Property: after any sequence of uploads, corrections, identical re-sends, out-of-order versions
 * and redelivered batches, the warehouse (a real DuckDB file) holds exactly the newest version of
 * each helpline-month, and the incrementally maintained aggregates equal a full recomputation.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentHash,
  type LoadItem,
  type SubmissionBody,
  type SubmissionMessage,
  TAXONOMY_VERSION,
} from '../domain/index.js';
import { FULL_AGGREGATE_QUERIES } from './aggregates.js';
import { openWarehouse, type Warehouse } from './warehouse.js';

const HELPLINES = [
  { id: 'aa-1', country: 'DE', region: 'europe' },
  { id: 'aa-2', country: 'DE', region: 'europe' },
  { id: 'bb-1', country: 'KE', region: 'africa' },
];
const PERIODS = ['2023-11', '2023-12', '2024-01'];
const HARMS = ['online.grooming', 'family.conflict', 'violence.sexual'] as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wh-prop-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const uploadArb = fc.record({
  helpline: fc.integer({ min: 0, max: HELPLINES.length - 1 }),
  period: fc.constantFrom(...PERIODS),
  counts: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: HARMS.length, maxLength: HARMS.length }),
  gender: fc.constantFrom('girl', 'boy'),
  /** Seconds after the previous upload: negative means it arrives out of order (older). */
  skew: fc.integer({ min: -5, max: 30 }),
  resend: fc.boolean(),
});

type Upload = typeof uploadArb extends fc.Arbitrary<infer T> ? T : never;

function toMessage(u: Upload, at: number): SubmissionMessage {
  const h = HELPLINES[u.helpline] ?? HELPLINES[0];
  const body: SubmissionBody = {
    period: u.period,
    cells: HARMS.map((harm, i) => ({
      harm,
      ageBand: '13-15',
      gender: u.gender as 'girl',
      channel: 'chat',
      count: u.counts[i] ?? 0,
    })),
  };
  return {
    schema: 'helpline.submission.v1',
    submissionId: randomUUID(),
    helplineId: h?.id ?? 'aa-1',
    period: u.period,
    cells: body.cells,
    contentHash: contentHash(h?.id ?? 'aa-1', body),
    submittedAt: new Date(at).toISOString(),
    taxonomyVersion: TAXONOMY_VERSION,
  };
}

async function table(wh: Warehouse, sql: string) {
  const rows = await wh.db.all(sql);
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).sort();
}

describe('incremental warehouse', () => {
  it('equals the newest versions and a full recomputation, whatever the sequence', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(uploadArb, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        async (uploads, batchSize) => {
          const wh = await openWarehouse(join(dir, `run-${run++}.duckdb`));
          try {
            for (const h of HELPLINES) await wh.registry.addHelpline({ ...h, name: h.id }, new Date());
            let clock = Date.parse('2025-01-01T00:00:00Z');
            const items: LoadItem[] = [];
            const newest = new Map<string, SubmissionMessage>();
            let offset = 0n;
            for (const u of uploads) {
              clock += u.skew * 1000;
              const m = toMessage(u, clock);
              const key = `${m.helplineId}|${m.period}`;
              const prior = newest.get(key);
              if (!prior || Date.parse(m.submittedAt) >= Date.parse(prior.submittedAt)) newest.set(key, m);
              items.push({ kind: 'load', offset: offset++, message: m });
              if (u.resend)
                items.push({ kind: 'load', offset: offset++, message: { ...m, submissionId: randomUUID() } });
            }
            // Deliver in batches, each batch twice (a redelivery after a crash before the Kafka commit).
            for (let i = 0; i < items.length; i += batchSize) {
              const batch = { topic: 't', partition: 0, items: items.slice(i, i + batchSize) };
              await wh.loadTarget.applyBatch(batch);
              const again = await wh.loadTarget.applyBatch(batch);
              expect(again.skipped).toBe(batch.items.length);
            }
            // Facts are exactly the newest version's cells (same content, whichever copy won).
            const expected = [...newest.values()]
              .flatMap((m) => m.cells.map((c) => `${m.helplineId}|${m.period}|${c.harm}|${c.gender}|${c.count}`))
              .sort();
            const facts = (
              await wh.db.all<{ k: string }>(
                `SELECT helpline_id || '|' || period || '|' || harm || '|' || gender || '|' || count AS k FROM facts`,
              )
            )
              .map((r) => r.k)
              .sort();
            expect(facts).toEqual(expected);
            for (const [name, full] of Object.entries(FULL_AGGREGATE_QUERIES)) {
              expect(await table(wh, `SELECT * FROM ${name}`), name).toEqual(await table(wh, full));
            }
            const offsets = await wh.loadTarget.storedOffsets('t', [0]);
            expect(offsets.get(0)).toBe(offset);
          } finally {
            wh.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
