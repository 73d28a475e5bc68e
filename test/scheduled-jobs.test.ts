/**
 * The scheduled jobs, driven with a controlled clock (no waiting for real time), against a real
 * broker, a real DuckDB file and real HTTP: releases and their exports, completeness and lateness
 * across month, year and time-zone boundaries, reminders posted once to a flaky webhook, backups,
 * retries, one run at a time (also across processes), and the metrics.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner, verifySignature } from '../jobs/index.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let now = new Date('2026-01-15T10:00:00Z');
const clock = () => now;
let rt: TestRuntime;
const keys: Record<string, string> = {};

async function upload(helpline: string, period: string, count: number) {
  const r = await fetch(`${rt.url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[helpline]}`, 'content-type': 'text/csv' },
    body: `period,harm,age_band,gender,channel,count\n${period},family.conflict,13-15,girl,phone,${count}\n${period},online.grooming,10-12,boy,chat,${count + 20}\n`,
  });
  expect(r.status, await r.clone().text()).toBe(202);
}

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${rt.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json', ...init.headers },
  });

beforeAll(async () => {
  rt = await startTestRuntime({
    clock,
    jobs: {
      deadlineDay: 15,
      timeZone: 'UTC',
      reminderLeadDays: 3,
      webhookRetryDelayMs: 20,
      retry: { attempts: 2, delayMs: 10 },
    },
  });
  now = new Date('2025-01-02T00:00:00Z');
  for (const [id, country, region] of [
    ['nz-1', 'NZ', 'asia_pacific'],
    ['de-1', 'DE', 'europe'],
    ['ke-1', 'KE', 'africa'],
  ] as const) {
    keys[id] = await rt.addHelpline({ id, name: `${id} line`, country, region });
  }
  // 2025-11 from everyone, early; 2025-12 from two, around the deadline.
  now = new Date('2025-12-03T09:00:00Z');
  for (const id of ['nz-1', 'de-1', 'ke-1']) await upload(id, '2025-11', 40);
  now = new Date('2026-01-15T10:00:00Z');
  await upload('nz-1', '2025-12', 50);
  now = new Date('2026-01-15T23:30:00Z');
  await upload('de-1', '2025-12', 60);
  await waitFor('the load', async () => ((await rt.warehouse.helplineMonths()) === 5 ? true : undefined));
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

type Month = { period: string; reported: boolean; onTime: boolean | null; daysLate: number | null; dueBy: string };
type Report = { helplines: { id: string; months: Month[] }[] };
const month = (report: Report, id: string, period: string) =>
  report.helplines.find((h) => h.id === id)?.months.find((m) => m.period === period);

describe('completeness', () => {
  it('judges lateness by the deadline in the configured time zone, across the year boundary', async () => {
    const at = new Date('2026-01-20T12:00:00Z');
    const utc = (await rt.warehouse.completeness(2025, { deadlineDay: 15, timeZone: 'UTC' }, at)) as Report;
    // Due by the end of 15 January (UTC): 10:00 and 23:30 on the 15th are both on time.
    expect(month(utc, 'nz-1', '2025-12')).toMatchObject({ reported: true, onTime: true, daysLate: 0 });
    expect(month(utc, 'de-1', '2025-12')).toMatchObject({ reported: true, onTime: true, daysLate: 0 });
    expect(month(utc, 'de-1', '2025-12')?.dueBy).toBe('2026-01-16T00:00:00.000Z');
    // Missing: overdue since 16 January 00:00, so on the 20th at noon that is 5 started days.
    expect(month(utc, 'ke-1', '2025-12')).toMatchObject({ reported: false, onTime: null, daysLate: 5 });

    // In Auckland (UTC+13 in January) the 15th ends at 11:00 UTC: 23:30 UTC is a day late.
    const nz = (await rt.warehouse.completeness(2025, { deadlineDay: 15, timeZone: 'Pacific/Auckland' }, at)) as Report;
    expect(month(nz, 'nz-1', '2025-12')).toMatchObject({ onTime: true, daysLate: 0 });
    expect(month(nz, 'de-1', '2025-12')).toMatchObject({ onTime: false, daysLate: 1 });
    expect(month(nz, 'de-1', '2025-12')?.dueBy).toBe('2026-01-15T11:00:00.000Z');

    // In New York (UTC-5) the 15th ends at 05:00 UTC on the 16th: both on time.
    const ny = (await rt.warehouse.completeness(2025, { deadlineDay: 15, timeZone: 'America/New_York' }, at)) as Report;
    expect(month(ny, 'de-1', '2025-12')).toMatchObject({ onTime: true });

    // At 04:00 UTC on 1 January, December is over in Auckland but not yet in New York.
    const newYear = new Date('2026-01-01T04:00:00Z');
    const dueNz = (await rt.warehouse.completeness(
      2025,
      { deadlineDay: 15, timeZone: 'Pacific/Auckland' },
      newYear,
    )) as Report;
    const dueNy = (await rt.warehouse.completeness(
      2025,
      { deadlineDay: 15, timeZone: 'America/New_York' },
      newYear,
    )) as Report;
    expect(dueNz.helplines[0]?.months.at(-1)?.period).toBe('2025-12');
    expect(dueNy.helplines[0]?.months.at(-1)?.period).toBe('2025-11');
  });

  it('the daily job records the figures, and /v1/completeness shows due dates and lateness', async () => {
    now = new Date('2026-01-20T12:00:00Z');
    const run = await rt.jobs.run('completeness');
    expect(run.outcome).toBe('succeeded');
    expect(run.figures).toMatchObject({
      year: 2025,
      helplines: 3,
      lastMonth: '2025-12',
      lastMonthMissing: 1,
      lastMonthOverdue: 1,
    });
    const r = await fetch(`${rt.url}/v1/completeness?year=2025`);
    const body = (await r.json()) as Report & { timeZone: string };
    expect(body.timeZone).toBe('UTC');
    expect(month(body, 'ke-1', '2025-12')).toMatchObject({ reported: false, daysLate: 5 });
    const page = await (
      await fetch(`${rt.url}/admin/completeness?year=2025`, { headers: { authorization: `Bearer ${rt.adminKey}` } })
    ).text();
    expect(page).toContain('ke-1');
    expect(page).toContain('missing, 5 d overdue');
    expect(page).toMatch(/5 on time, 0 late, 31 missing/);
  });
});

describe('reminders', () => {
  let hook: Server;
  let hookUrl = '';
  const received: { status: number; body: string; signature: string; id: string }[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const status = failuresLeft-- > 0 ? 500 : 200;
        received.push({
          status,
          body,
          signature: String(req.headers['x-helpline-signature']),
          id: String(req.headers['x-reminder-id']),
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', () => ok()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/reminders`;
  });
  afterAll(async () => {
    await new Promise((ok) => hook.close(ok));
  });

  it('are written once per helpline, month and kind, and posted signed exactly once despite two failures', async () => {
    const set = await admin('/v1/admin/helplines/ke-1/webhook', {
      method: 'PUT',
      body: JSON.stringify({ url: hookUrl }),
    });
    expect(set.status).toBe(200);
    const { secret } = (await set.json()) as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    const bad = await admin('/v1/admin/helplines/ke-1/webhook', {
      method: 'PUT',
      body: JSON.stringify({ url: 'ftp://x' }),
    });
    expect(bad.status).toBe(422);

    // January is due by 15 February; on the 13th nz-1 has sent it, de-1 and ke-1 have not.
    now = new Date('2026-02-01T12:00:00Z');
    await upload('nz-1', '2026-01', 30);
    await waitFor('the load', async () => ((await rt.warehouse.helplineMonths()) === 6 ? true : undefined));
    now = new Date('2026-02-13T09:00:00Z');
    const first = await rt.jobs.run('reminders');
    expect(first.outcome).toBe('succeeded');
    expect(first.figures).toMatchObject({ period: '2026-01', kind: 'due_soon', written: 2, delivered: 1, posts: 3 });

    const accepted = received.filter((r) => r.status === 200);
    expect(received.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(accepted).toHaveLength(1);
    const [ok] = accepted;
    expect(verifySignature(secret, ok?.signature ?? '', ok?.body ?? '', new Date())).toBe(true);
    expect(verifySignature(secret, ok?.signature ?? '', `${ok?.body} `, new Date())).toBe(false);
    const payload = JSON.parse(ok?.body ?? '{}');
    expect(payload).toMatchObject({ type: 'reminder', helplineId: 'ke-1', period: '2026-01', kind: 'due_soon' });
    expect(payload.message).toContain('January 2026');
    expect(new Set(received.map((r) => r.id)).size).toBe(1);

    // The next day: nothing new to write, nothing posted again.
    now = new Date('2026-02-14T09:00:00Z');
    const again = await rt.jobs.run('reminders');
    expect(again.figures).toMatchObject({ written: 0, posts: 0 });
    expect(received).toHaveLength(3);

    // After the deadline: one "overdue" reminder each, posted once.
    now = new Date('2026-02-17T09:00:00Z');
    const overdue = await rt.jobs.run('reminders');
    expect(overdue.figures).toMatchObject({ kind: 'overdue', written: 2, delivered: 1, posts: 1 });
    expect(received.filter((r) => r.status === 200)).toHaveLength(2);

    const outbox = (await (await admin('/v1/admin/reminders')).json()) as {
      reminders: { helplineId: string; kind: string; delivery: string }[];
    };
    expect(outbox.reminders.filter((r) => r.helplineId === 'de-1').map((r) => r.delivery)).toEqual([
      'no_webhook',
      'no_webhook',
    ]);
    expect(outbox.reminders.filter((r) => r.helplineId === 'ke-1').every((r) => r.delivery === 'delivered')).toBe(true);
    expect(outbox.reminders.some((r) => r.helplineId === 'nz-1')).toBe(false);
  });
});

describe('publish-release and export', () => {
  it('publishes the right tables and manifest; later uploads do not change it; the export matches it', async () => {
    now = new Date('2026-02-20T06:00:00Z');
    const run = await rt.jobs.run('publish-release');
    expect(run.outcome, run.error ?? '').toBe('succeeded');
    const id = run.figures?.release as string;
    expect(id).toBe('2026-02');
    // The export follows the release by itself.
    const exported = await waitFor('the export', async () => {
      const runs = await rt.jobs.recent(20, 'export');
      return runs.find((r) => r.outcome === 'succeeded');
    });
    expect(exported.trigger).toBe('chained');

    const release = (await (await fetch(`${rt.url}/v1/releases/${id}`)).json()) as {
      id: string;
      span: { from: string; to: string };
      tables: { id: string }[];
      cells: number;
      checksum: string;
      exports: { file: string; sha256: string; bytes: number; url: string }[];
    };
    expect(release.span).toEqual({ from: '2025-11', to: '2026-01' });
    expect(release.tables.map((t) => t.id)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5a', 'T5b', 'T5c', 'T6a', 'T6b']);
    const files = release.exports.map((f) => f.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'cells.parquet',
        'cells.arrow',
        'cells.csv',
        'cells.hxl.csv',
        'tables/T1.csv',
        'manifest.json',
      ]),
    );

    const trendsBefore = await (await fetch(`${rt.url}/v1/trends?release=${id}&by=month&split=country`)).text();
    // A later upload (the published months are locked against corrections until unlocked).
    now = new Date('2026-03-02T06:00:00Z');
    await upload('de-1', '2026-02', 70);
    await waitFor('the load', async () => ((await rt.warehouse.helplineMonths()) === 7 ? true : undefined));
    expect(await (await fetch(`${rt.url}/v1/trends?release=${id}&by=month&split=country`)).text()).toBe(trendsBefore);
    expect(((await (await fetch(`${rt.url}/v1/releases/${id}`)).json()) as { checksum: string }).checksum).toBe(
      release.checksum,
    );

    // Run again the same month: nothing new.
    const second = await rt.jobs.run('publish-release', { now: new Date('2026-02-27T06:00:00Z') });
    expect(second.outcome).toBe('skipped');
    expect(second.figures?.reason).toMatch(/already published/);

    // Downloads match their checksums; Parquet reads back in DuckDB, Arrow in apache-arrow.
    const stored = await rt.warehouse.db.all<{ n: bigint; total: bigint; withheld: bigint }>(
      'SELECT count(*) AS n, sum(value) AS total, count(*) FILTER (WHERE suppressed) AS withheld FROM release_cells WHERE release_id = $1',
      [id],
    );
    const expected = {
      n: Number(stored[0]?.n),
      total: Number(stored[0]?.total),
      withheld: Number(stored[0]?.withheld),
    };
    expect(expected.n).toBe(release.cells);
    for (const f of release.exports) {
      const body = Buffer.from(await (await fetch(`${rt.url}${f.url}`)).arrayBuffer());
      expect(createHash('sha256').update(body).digest('hex'), f.file).toBe(f.sha256);
    }
    const dir = join(rt.dir, 'exports', id);
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    const read = await conn.runAndReadAll(
      `SELECT count(*) AS n, sum(cases) AS total, count(*) FILTER (WHERE withheld) AS withheld FROM read_parquet('${join(dir, 'cells.parquet')}')`,
    );
    const [p] = read.getRowObjects() as { n: bigint; total: bigint; withheld: bigint }[];
    expect({ n: Number(p?.n), total: Number(p?.total), withheld: Number(p?.withheld) }).toEqual(expected);
    conn.closeSync();
    duck.closeSync();
    const arrow = tableFromIPC(readFileSync(join(dir, 'cells.arrow')));
    expect(arrow.numRows).toBe(expected.n);
    const cases = arrow.getChild('cases')?.toArray() as Int32Array;
    const withheld = arrow.getChild('withheld')?.toArray() as boolean[];
    let total = 0;
    let nulls = 0;
    for (let i = 0; i < arrow.numRows; i++) {
      if (arrow.getChild('cases')?.isValid(i)) total += Number(cases[i]);
      else nulls++;
    }
    expect(total).toBe(expected.total);
    expect(nulls).toBe(expected.withheld);
    expect([...withheld].filter(Boolean).length).toBe(expected.withheld);
    const hxl = readFileSync(join(dir, 'cells.hxl.csv'), 'utf8').split('\r\n');
    expect(hxl[0]).toMatch(/^release,geo_level,geo_code/);
    expect(hxl[1]).toMatch(/^#meta\+release,#loc\+type,#loc\+code/);
    // A file that is not in the export is not served.
    expect((await fetch(`${rt.url}/v1/releases/${id}/files/..%2F..%2Fwarehouse.duckdb`)).status).toBe(404);
  });
});

describe('checkpoint', () => {
  it('writes a backup that opens and holds the same facts', async () => {
    const run = await rt.jobs.run('checkpoint');
    expect(run.outcome, run.error ?? '').toBe('succeeded');
    const backup = run.figures?.backup as string;
    expect(existsSync(backup)).toBe(true);
    expect(run.figures?.facts).toBe(await rt.warehouse.factCount());
  });
});

describe('running jobs', () => {
  it('retries a failed job, then reports it; two workers never run the same job at once', async () => {
    let calls = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const slow = async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 300));
      concurrent--;
      return { figures: { ok: true } };
    };
    const flaky = async () => {
      calls++;
      if (calls < 3) throw new Error(`flaky failure ${calls}`);
      return { figures: { calls } };
    };
    const broken = async () => {
      throw new Error('always broken');
    };
    const jobs = { 'publish-release': slow, completeness: flaky, reminders: broken, export: slow, checkpoint: slow };
    const lockDir = join(rt.dir, 'test-locks');
    const worker = () =>
      createJobRunner({
        db: rt.warehouse.db,
        jobs,
        lockDir,
        logger: pino({ level: 'silent' }),
        retry: { attempts: 3, delayMs: 5 },
      });
    const [a, b] = [worker(), worker()];
    const runs = await Promise.all([a.run('export'), b.run('export'), a.run('export')]);
    expect(runs.map((r) => r.outcome).sort()).toEqual(['skipped', 'skipped', 'succeeded']);
    expect(maxConcurrent).toBe(1);
    expect(runs.find((r) => r.outcome === 'skipped')?.figures?.reason).toMatch(/already running/);

    const flakyRun = await a.run('completeness');
    expect(flakyRun).toMatchObject({ outcome: 'succeeded', attempt: 3 });
    const brokenRun = await a.run('reminders');
    expect(brokenRun).toMatchObject({ outcome: 'failed', attempt: 3, error: 'always broken' });
    const recorded = await a.recent(10, 'completeness');
    expect(recorded.slice(0, 3).map((r) => [r.attempt, r.outcome])).toEqual([
      [3, 'succeeded'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
  });

  it('the lock holds across processes', async () => {
    const script = join(import.meta.dirname, 'helpers', 'lock-contender.ts');
    const lock = join(rt.dir, 'cross-process.lock');
    const log = join(rt.dir, 'cross-process.log');
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', script, lock, log], { timeout: 60_000 });
    await Promise.all([run(), run()]);
    const spans = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number) as [number, number, number])
      .sort((x, y) => x[1] - y[1]);
    expect(new Set(spans.map((s) => s[0])).size).toBe(2);
    expect(spans.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[1]).toBeGreaterThanOrEqual(spans[i - 1]?.[2] ?? 0);
  });
});

describe('observability', () => {
  it('/metrics has uploads, consumer lag, load batches, request latency and job outcomes', async () => {
    const r = await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${rt.adminKey}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/helpline_uploads_total\{outcome="accepted",status="202"\} [1-9]/);
    expect(text).toMatch(/helpline_consumer_lag\{partition="\d+"\} 0/);
    expect(text).toMatch(/helpline_load_batch_seconds_count [1-9]/);
    expect(text).toMatch(
      /helpline_http_request_duration_seconds_bucket\{le="0.05",route="\/v1\/submissions",method="POST",status="202"\}/,
    );
    expect(text).toMatch(/helpline_job_runs_total\{job="reminders",outcome="succeeded"\} [1-9]/);
    expect(text).toMatch(/helpline_process_resident_memory_bytes \d+/);
  });

  it('jobs can be run and listed through the admin API only', async () => {
    expect((await fetch(`${rt.url}/v1/admin/jobs/completeness`, { method: 'POST' })).status).toBe(401);
    const r = await admin('/v1/admin/jobs/completeness', { method: 'POST', body: '{}' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { outcome: string }).outcome).toBe('succeeded');
    expect((await admin('/v1/admin/jobs/nonsense', { method: 'POST', body: '{}' })).status).toBe(404);
    const list = (await (await admin('/v1/admin/jobs')).json()) as { jobs: { name: string }[]; runs: unknown[] };
    expect(list.jobs.map((j) => j.name)).toEqual([
      'publish-release',
      'completeness',
      'reminders',
      'export',
      'checkpoint',
    ]);
    expect(list.runs.length).toBeGreaterThan(5);
  });
});
