/**
 * A three-broker KRaft cluster (the project's own script, the same jars) under load:
 *
 *   - topics are created with three copies, two in sync (derived from the cluster);
 *   - ~1,000 uploads while the broker leading the most partitions is SIGKILLed and later restarted:
 *     no upload is answered with an error, and the warehouse holds every month once (its totals
 *     equal sums kept here, independently of the pipeline);
 *   - with two brokers down an upload is answered 503 with Retry-After and nothing is reported
 *     accepted; once a broker is back the same upload is accepted and counted once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENDER_CODES } from '../../domain/index.js';
import {
  createKafkaBus,
  type KafkaBus,
  type LocalKafkaCluster,
  startLocalKafkaCluster,
} from '../../infra/kafka/index.js';
import { startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime.js';

let cluster: LocalKafkaCluster;
let clusterDir: string;
let rt: TestRuntime;
let bus: KafkaBus;

const HELPLINES = 50;
const MONTHS = Array.from(
  { length: 20 },
  (_, i) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
);
const COUNTRIES = ['FR', 'DE', 'IT', 'ES', 'PT', 'NL', 'BE', 'AT', 'PL', 'SE'];
const keys = new Map<string, string>();

/** A month's cells: a few counts that depend on helpline and month only (a retry sends the same). */
function monthBody(helpline: number, month: number): { csv: string; total: number } {
  let total = 0;
  const rows = GENDER_CODES.map((gender, g) => {
    const count = ((helpline * 7 + month * 13 + g * 5) % 23) + 1;
    total += count;
    return `${MONTHS[month]},online.grooming,13-15,${gender},chat,${count}`;
  });
  return { csv: `period,harm,age_band,gender,channel,count\n${rows.join('\n')}\n`, total };
}

const upload = (helpline: number, csv: string) =>
  fetch(`${rt.url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.get(`h${helpline}`)}`, 'content-type': 'text/csv' },
    body: csv,
    signal: AbortSignal.timeout(60_000),
  });

beforeAll(async () => {
  clusterDir = mkdtempSync(join(tmpdir(), 'helpline-cluster-'));
  cluster = await startLocalKafkaCluster({
    dataDir: clusterDir,
    size: 3,
    onProgress: (m) => process.stdout.write(`[kafka] ${m}\n`),
  });
  rt = await startTestRuntime({ brokers: cluster.brokers });
  bus = createKafkaBus({ brokers: cluster.brokers, clientId: 'cluster-probe', logger: pino({ level: 'silent' }) });
  for (let h = 0; h < HELPLINES; h++) {
    const country = COUNTRIES[h % COUNTRIES.length] as string;
    keys.set(`h${h}`, await rt.addHelpline({ id: `cl-${h}`, name: `Cluster line ${h}`, country, region: 'europe' }));
  }
}, 600_000);

afterAll(async () => {
  await rt?.close();
  await cluster?.stop();
  if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
});

async function leaderOfMost(topic: string): Promise<number> {
  const partitions = await bus.partitions(topic);
  const led = new Map<number, number>();
  for (const p of partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
  const [best] = [...led].sort((a, b) => b[1] - a[1]);
  if (!best || best[0] < 0) throw new Error('no partition has a leader');
  return best[0];
}

describe('three brokers', () => {
  it('creates the topics with three copies and two in sync, derived from the cluster', async () => {
    expect(await bus.replicationOf(rt.topics.submissions)).toEqual({ factor: 3, minInsyncReplicas: 2 });
    expect(await bus.replicationOf(rt.topics.deadLetters)).toEqual({ factor: 3, minInsyncReplicas: 2 });
    for (const p of await bus.partitions(rt.topics.submissions)) expect(p.replicas).toHaveLength(3);
  });

  it('loses a leading broker mid-load: no upload fails, nothing lost, nothing counted twice', async () => {
    const expected = new Map<string, number>();
    const jobs: [number, number][] = [];
    for (let m = 0; m < MONTHS.length; m++) for (let h = 0; h < HELPLINES; h++) jobs.push([h, m]);
    const failures: string[] = [];
    let done = 0;
    let next = 0;
    const worker = async () => {
      for (;;) {
        const job = jobs[next++];
        if (!job) return;
        const [h, m] = job;
        const { csv, total } = monthBody(h, m);
        const r = await upload(h, csv).catch((e: unknown) => ({ status: 0, error: String(e) }) as const);
        if (r.status !== 202 && r.status !== 200) failures.push(`cl-${h} ${MONTHS[m]}: ${r.status}`);
        else expected.set(`cl-${h}`, (expected.get(`cl-${h}`) ?? 0) + total);
        done++;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await waitFor('300 uploads', async () => (done >= 300 ? true : undefined), 300_000);
    const victim = await leaderOfMost(rt.topics.submissions);
    const ledBefore = (await bus.partitions(rt.topics.submissions)).filter((p) => p.leader === victim).length;
    expect(ledBefore).toBeGreaterThan(0);
    await cluster.kill(victim);
    await waitFor('700 uploads', async () => (done >= 700 ? true : undefined), 300_000);
    // The dead broker's partitions are led by the others meanwhile.
    const during = await bus.partitions(rt.topics.submissions);
    expect(during.every((p) => p.leader !== victim && p.leader >= 0)).toBe(true);
    await cluster.restart(victim);
    await load;
    expect(failures).toEqual([]);
    expect(done).toBe(jobs.length);

    const loaded = await waitFor(
      'every upload loaded',
      async () => {
        const rows = await rt.warehouse.db.all<{ n: bigint }>(
          "SELECT count(*) AS n FROM current_versions WHERE helpline_id LIKE 'cl-%'",
        );
        return Number(rows[0]?.n ?? 0n) === jobs.length ? true : undefined;
      },
      300_000,
    );
    expect(loaded).toBe(true);
    const sums = await rt.warehouse.db.all<{ helpline_id: string; total: bigint }>(
      "SELECT helpline_id, sum(count) AS total FROM facts WHERE helpline_id LIKE 'cl-%' GROUP BY ALL ORDER BY ALL",
    );
    expect(Object.fromEntries(sums.map((s) => [s.helpline_id, Number(s.total)]))).toEqual(
      Object.fromEntries([...expected].sort(([a], [b]) => (a < b ? -1 : 1))),
    );
    // Each month once: one version, and as many fact rows as cells sent.
    const versions = await rt.warehouse.db.all<{ v: number; n: bigint }>(
      "SELECT max(version) AS v, count(*) AS n FROM current_versions WHERE helpline_id LIKE 'cl-%'",
    );
    expect(versions[0]?.v).toBe(1);
    const facts = await rt.warehouse.db.all<{ n: bigint }>(
      "SELECT count(*) AS n FROM facts WHERE helpline_id LIKE 'cl-%'",
    );
    expect(Number(facts[0]?.n)).toBe(jobs.length * GENDER_CODES.length);
    // Restarted, the broker is back in sync.
    await waitFor(
      'the restarted broker back in every ISR',
      async () =>
        (await bus.partitions(rt.topics.submissions)).every((p) => p.isr.includes(victim)) ? true : undefined,
      120_000,
    );
  }, 1_200_000);

  it('with two brokers down answers 503 with Retry-After, and takes the upload once one is back', async () => {
    const [first, second] = [1, 2];
    await cluster.kill(first);
    await cluster.kill(second);
    const helpline = 0;
    // A correction of a month already loaded: accepted, it becomes version 2.
    const csv = monthBody(helpline, 0).csv.replace(/,\d+\n/, ',999\n');
    const before = await rt.warehouse.db.all<{ n: bigint }>(
      "SELECT count(*) AS n FROM submissions WHERE helpline_id = 'cl-0'",
    );
    const down = await upload(helpline, csv);
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await down.json()) as { code: string }).code).toBe('unavailable');
    // Nothing reported accepted: the helpline's history is as it was.
    const after = await rt.warehouse.db.all<{ n: bigint }>(
      "SELECT count(*) AS n FROM submissions WHERE helpline_id = 'cl-0'",
    );
    expect(after[0]?.n).toBe(before[0]?.n);

    await cluster.restart(first);
    await waitFor(
      'the upload accepted with one broker back',
      async () => {
        const r = await upload(helpline, csv);
        return r.status === 202 || r.status === 200 ? true : undefined;
      },
      180_000,
    );
    await waitFor(
      'the correction loaded',
      async () => {
        const rows = await rt.warehouse.db.all<{ version: number }>(
          `SELECT version FROM current_versions WHERE helpline_id = 'cl-0' AND period = '${MONTHS[0]}'`,
        );
        return (rows[0]?.version ?? 0) >= 2 ? true : undefined;
      },
      180_000,
    );
    const month = await rt.warehouse.db.all<{ v: number; n: bigint }>(
      `SELECT max(version) AS v, count(*) AS n FROM current_versions WHERE helpline_id = 'cl-0' AND period = '${MONTHS[0]}'`,
    );
    // Version 2 (the correction), once, however many 503s and retries it took.
    expect(month[0]).toEqual({ v: 2, n: 1n });
    const cells = await rt.warehouse.db.all<{ n: bigint; total: bigint }>(
      `SELECT count(*) AS n, sum(count) AS total FROM facts WHERE helpline_id = 'cl-0' AND period = '${MONTHS[0]}'`,
    );
    expect(Number(cells[0]?.n)).toBe(GENDER_CODES.length);
    expect(csv).toContain(',999\n');
    await cluster.restart(second);
  }, 600_000);
});
