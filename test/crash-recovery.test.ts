/**
 * Exactly once through crashes: the server process (consumer, API and warehouse) is SIGKILLed at
 * random moments, 20+ times, while ~2,000 submissions with corrections are uploaded; each time it
 * restarts. At the end every aggregate equals the totals computed independently from the newest
 * version of each helpline-month.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/kafka/index.js';
import { FULL_AGGREGATE_QUERIES } from '../warehouse/aggregates.js';
import { openWarehouse } from '../warehouse/index.js';
import { expectLiveFigures, liveRows, newAdminKey } from './helpers/requests.js';
import { waitFor } from './helpers/runtime.js';
import { type WorkerProcess, workerEnv, workerProcess } from './helpers/worker-process.js';

const HELPLINES = Array.from({ length: 20 }, (_, i) => ({
  id: `crash-${i}`,
  country: ['DE', 'KE', 'BR', 'IN', 'EG'][i % 5] ?? 'DE',
}));
const MONTHS = Array.from(
  { length: 80 },
  (_, i) => `${2015 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
);
const HARMS = ['online.grooming', 'family.conflict', 'mental_health.anxiety', 'violence.physical'];

let dir: string;
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Deterministic content: version 2 of a month is its correction. */
function csvFor(helpline: number, month: number, version: number): { text: string; cells: number[] } {
  const cells = HARMS.map((_, h) => ((helpline * 31 + month * 7 + h * 13 + version * 5) % 40) + version);
  const rows = HARMS.map((harm, h) => `${MONTHS[month]},${harm},13-15,girl,chat,${cells[h]}`);
  return { text: `period,harm,age_band,gender,channel,count\n${rows.join('\n')}\n`, cells };
}

describe('crash recovery', () => {
  it('counts every accepted submission exactly once through 20+ SIGKILLs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'crash-'));
    const adminKey = newAdminKey();
    worker = workerProcess(workerEnv('crash', dir, adminKey, { KAFKA_SESSION_TIMEOUT_MS: '6000' }), await freePort());
    const w = worker;
    await w.start();

    const keys: string[] = [];
    for (const h of HELPLINES) {
      const r = await fetch(`${w.url}/v1/admin/helplines`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: h.id, name: `${h.id} line`, country: h.country }),
      });
      expect(r.status).toBe(201);
      keys.push(((await r.json()) as { key: string }).key);
    }

    // Uploads: every helpline-month once, and a correction for every 4th; each retried until accepted.
    const jobs: { helpline: number; month: number; version: number }[] = [];
    for (let m = 0; m < MONTHS.length; m++)
      for (let h = 0; h < HELPLINES.length; h++) jobs.push({ helpline: h, month: m, version: 1 });
    const corrections = jobs.filter((_, i) => i % 4 === 0).map((j) => ({ ...j, version: 2 }));
    const newest = new Map<string, number[]>();
    let uploading = true;
    let accepted = 0;
    const send = async (job: { helpline: number; month: number; version: number }) => {
      const { text, cells } = csvFor(job.helpline, job.month, job.version);
      for (;;) {
        try {
          const r = await fetch(`${w.url}/v1/submissions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${keys[job.helpline]}`, 'content-type': 'text/csv' },
            body: text,
          });
          if (r.status === 202 || r.status === 200) break;
          if (r.status < 500) throw new Error(`upload refused: HTTP ${r.status} ${await r.text()}`);
        } catch (error) {
          if ((error as Error).message.startsWith('upload refused')) throw error;
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      newest.set(`${job.helpline}|${job.month}`, cells);
      accepted++;
    };
    const queue = [...jobs.slice(0, 800), ...corrections.slice(0, 100), ...jobs.slice(800), ...corrections.slice(100)];
    // A correction must follow its original: run each helpline-month's versions in order.
    const pending = new Map<string, Promise<void>>();
    const uploader = (async () => {
      let next = 0;
      const lanes = Array.from({ length: 8 }, async () => {
        while (next < queue.length) {
          const job = queue[next++];
          if (!job) break;
          const k = `${job.helpline}|${job.month}`;
          const before = pending.get(k) ?? Promise.resolve();
          const mine = before.then(() => send(job));
          pending.set(k, mine);
          await mine;
        }
      });
      await Promise.all(lanes);
    })().finally(() => {
      uploading = false;
    });
    let uploadFailure: unknown;
    uploader.catch((error: unknown) => {
      uploadFailure = error;
    });

    // Kill at random moments, each time once the load has moved on (so every kill lands mid-load
    // and the uploads still finish on a slow, shared machine).
    let kills = 0;
    while (kills < 20 && uploading) {
      const before = accepted;
      await waitFor(
        'uploads to progress',
        async () => (accepted >= before + 40 || !uploading ? true : undefined),
        300_000,
      );
      if (uploadFailure) throw uploadFailure;
      await new Promise((r) => setTimeout(r, Math.random() * 1500));
      await w.kill();
      kills++;
      await w.start();
    }
    while (kills < 20) {
      await w.kill();
      kills++;
      await w.start();
    }
    await uploader;
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(accepted).toBe(queue.length);
    expect(queue.length).toBeGreaterThanOrEqual(2000);

    // Everything accepted gets loaded.
    const expectedMonths = HELPLINES.length * MONTHS.length;
    await waitFor(
      'every helpline-month to be loaded',
      async () => {
        const rows = await liveRows<{ helplinesReporting: number }>(w.url, adminKey, 'by=month');
        const reported = rows.reduce((s, row) => s + row.helplinesReporting, 0);
        return reported === expectedMonths ? true : undefined;
      },
      180_000,
    );
    // And its totals equal the independent ones, per country and month.
    const expected = new Map<string, number>();
    for (const [k, cells] of newest) {
      const [h, m] = k.split('|').map(Number) as [number, number];
      const key = `${MONTHS[m]}|${HELPLINES[h]?.country}`;
      expected.set(key, (expected.get(key) ?? 0) + cells.reduce((a, b) => a + b, 0));
    }
    // Corrections were sent last: wait until they are loaded too, then nothing may differ.
    await expectLiveFigures('every correction to be loaded', w.url, adminKey, expected);

    // Stop the server (SIGTERM: a clean exit) and look inside the file: no duplicates anywhere,
    // aggregates = recomputation.
    expect(await w.stop()).toBe(0);
    // The stopped server's last process may take a moment to let go of the file.
    const wh = await waitFor(
      'the warehouse file to be released',
      () => openWarehouse(join(dir, 'warehouse.duckdb')).catch(() => undefined),
      60_000,
    );
    try {
      const dupes = await wh.db.all<{ n: bigint }>(
        `SELECT count(*) AS n FROM (SELECT helpline_id, period, harm, age_band, gender, channel FROM facts GROUP BY ALL HAVING count(*) > 1)`,
      );
      expect(dupes[0]?.n).toBe(0n);
      const factCount = await wh.db.all<{ n: bigint }>('SELECT count(*) AS n FROM facts');
      expect(Number(factCount[0]?.n)).toBe(expectedMonths * HARMS.length);
      for (const [table, full] of Object.entries(FULL_AGGREGATE_QUERIES)) {
        const a = await wh.db.all(`SELECT count(*) AS n FROM (SELECT * FROM ${table} EXCEPT ALL ${full})`);
        const b = await wh.db.all(`SELECT count(*) AS n FROM (${full} EXCEPT ALL SELECT * FROM ${table})`);
        expect([a[0]?.n, b[0]?.n], table).toEqual([0n, 0n]);
      }
      const versions = await wh.db.all<{ n: bigint }>('SELECT count(*) AS n FROM current_versions WHERE version > 2');
      expect(versions[0]?.n).toBe(0n);
    } finally {
      wh.close();
    }
  }, 900_000);

  it('stops cleanly on SIGTERM in the middle of uploads: exit code 0, and nothing accepted is lost', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sigterm-'));
    const adminKey = newAdminKey();
    const w = workerProcess(workerEnv('term', home, adminKey), await freePort());
    try {
      await w.start();
      const r = await fetch(`${w.url}/v1/admin/helplines`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'term-1', name: 'term line', country: 'DE' }),
      });
      const { key } = (await r.json()) as { key: string };
      const accepted = new Map<number, number[]>();
      const send = async (month: number) => {
        const { text, cells } = csvFor(0, month, 1);
        const res = await fetch(`${w.url}/v1/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
          body: text,
        }).catch(() => undefined);
        if (res?.status === 202 || res?.status === 200) accepted.set(month, cells);
      };
      let next = 0;
      const lanes = Array.from({ length: 6 }, async () => {
        while (next < MONTHS.length) await send(next++);
      });
      await waitFor('some uploads', async () => (accepted.size >= 20 ? true : undefined), 60_000);
      expect(await w.stop()).toBe(0);
      await Promise.all(lanes);
      const before = accepted.size;
      expect(before).toBeLessThan(MONTHS.length);
      // Back up: send what was not accepted, then everything accepted must be there, once.
      await w.start();
      for (let m = 0; m < MONTHS.length; m++) if (!accepted.has(m)) await send(m);
      expect(accepted.size).toBe(MONTHS.length);
      const expected = [...accepted.values()].flat().reduce((a, b) => a + b, 0);
      await waitFor(
        'every upload to be loaded',
        async () => {
          const rows = await liveRows<{ value: number }>(w.url, adminKey, 'by=year');
          return rows.reduce((s, row) => s + row.value, 0) === expected ? true : undefined;
        },
        120_000,
      );
      expect(await w.stop()).toBe(0);
    } finally {
      await w.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
});
