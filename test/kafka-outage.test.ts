/**
 * With the broker down an upload is answered 503 with Retry-After and nothing is reported accepted;
 * once the broker is back the client's retry succeeds, and the month is counted once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalKafka, startLocalKafka } from '../infra/kafka/index.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let kafka: LocalKafka;
let kafkaDir: string;
let rt: TestRuntime;
let key: string;

const body = (count: number) =>
  `period,harm,age_band,gender,channel,count\n2024-02,online.grooming,13-15,girl,chat,${count}\n2024-02,family.conflict,10-12,boy,phone,30\n`;
const upload = (count: number) =>
  fetch(`${rt.url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body: body(count),
  });

beforeAll(async () => {
  kafkaDir = mkdtempSync(join(tmpdir(), 'helpline-outage-kafka-'));
  kafka = await startLocalKafka({ dataDir: kafkaDir });
  rt = await startTestRuntime({ brokers: kafka.brokers });
  key = await rt.addHelpline({ id: 'ie-1', name: 'Ireland test line', country: 'IE', region: 'europe' });
}, 180_000);

afterAll(async () => {
  await rt?.close();
  await kafka?.stop();
  rmSync(kafkaDir, { recursive: true, force: true });
});

describe('Kafka outage', () => {
  it('answers 503 while the broker is down, then takes the retry exactly once', async () => {
    await kafka.stop();
    const down = await upload(17);
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(down.headers.get('content-type')).toMatch(/problem\+json/);
    const problem = (await down.json()) as { code: string };
    expect(problem.code).toBe('unavailable');
    const history = await fetch(`${rt.url}/v1/submissions`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await history.json()) as { submissions: unknown[] }).submissions).toEqual([]);

    kafka = await startLocalKafka({ dataDir: kafkaDir });
    const receipt = await waitFor(
      'an upload to be accepted after the restart',
      async () => {
        const r = await upload(17);
        return r.status === 202 || r.status === 200 ? ((await r.json()) as { submissionId: string }) : undefined;
      },
      60_000,
    );
    await waitFor(
      'the month to load',
      async () => {
        const r = await fetch(`${rt.url}/v1/submissions/${receipt.submissionId}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const s = (await r.json()) as { status: string };
        return s.status === 'loaded' ? s : undefined;
      },
      90_000,
    );
    const trends = await fetch(`${rt.url}/v1/trends?by=month&country=IE&release=live`, {
      headers: { authorization: `Bearer ${rt.adminKey}` },
    });
    expect(((await trends.json()) as { rows: unknown[] }).rows).toEqual([
      { period: '2024-02', value: 47, suppressed: false, helplinesReporting: 1 },
    ]);
    const versions = (await (
      await fetch(`${rt.url}/v1/submissions?period=2024-02`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as {
      submissions: { version: number | null; status: string }[];
    };
    expect(versions.submissions.filter((s) => s.status === 'loaded')).toHaveLength(1);
    expect(
      versions.submissions.every((s) => s.version === 1 || s.status === 'unchanged' || s.status === 'accepted'),
    ).toBe(true);
  }, 240_000);
});

describe('broker restart in the middle of a load', () => {
  it('loses nothing and counts nothing twice', async () => {
    const helpline = await rt.addHelpline({ id: 'is-1', name: 'Iceland test line', country: 'IS', region: 'europe' });
    const months = Array.from(
      { length: 120 },
      (_, i) => `${2010 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
    );
    let expected = 0;
    let restarted = false;
    const send = async (period: string, count: number) => {
      for (;;) {
        const r = await fetch(`${rt.url}/v1/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${helpline}`, 'content-type': 'text/csv' },
          body: `period,harm,age_band,gender,channel,count\n${period},peer.friendship,13-15,girl,chat,${count}\n`,
        }).catch(() => undefined);
        if (r && (r.status === 202 || r.status === 200)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const load = (async () => {
      for (const [i, period] of months.entries()) {
        await send(period, i + 1);
        expected += i + 1;
      }
    })();
    // Restart the broker once a third of the months are in.
    await waitFor(
      'a third of the uploads',
      async () => (expected > 0 && expected >= (40 * 41) / 2 ? true : undefined),
      120_000,
    );
    await kafka.stop();
    await new Promise((r) => setTimeout(r, 1500));
    kafka = await startLocalKafka({ dataDir: kafkaDir });
    restarted = true;
    await load;
    expect(restarted).toBe(true);
    const total = await waitFor(
      'every month loaded',
      async () => {
        const r = await fetch(`${rt.url}/v1/trends?by=year&country=IS&release=live`, {
          headers: { authorization: `Bearer ${rt.adminKey}` },
        });
        const rows = ((await r.json()) as { rows: { value: number; helplinesReporting: number }[] }).rows;
        const sum = rows.reduce((s, row) => s + row.value, 0);
        return sum === expected ? sum : undefined;
      },
      120_000,
    );
    expect(total).toBe((120 * 121) / 2);
    const facts = await rt.warehouse.db.all<{ n: bigint }>(
      "SELECT count(*) AS n FROM facts WHERE helpline_id = 'is-1'",
    );
    expect(facts[0]?.n).toBe(120n);
  }, 300_000);
});
