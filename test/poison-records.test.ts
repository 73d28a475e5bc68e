/**
 * Records written straight to the topic by another client: the bad ones land in the dead-letter
 * topic with their reason and original bytes, and the good ones around them are loaded.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { contentHash, type SubmissionBody, type SubmissionMessage, TAXONOMY_VERSION } from '../domain/index.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let rt: TestRuntime;
let kafka: Kafka;

beforeAll(async () => {
  rt = await startTestRuntime();
  await rt.addHelpline({ id: 'be-1', name: 'Belgium test line', country: 'BE', region: 'europe' });
  kafka = new Kafka({ clientId: 'poison-test', brokers: inject('kafkaBrokers'), logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await rt?.close();
});

function message(period: string, count: number, overrides: Partial<SubmissionMessage> = {}): SubmissionMessage {
  const body: SubmissionBody = {
    period,
    cells: [{ harm: 'online.grooming', ageBand: '13-15', gender: 'girl', channel: 'chat', count }],
  };
  return {
    schema: 'helpline.submission.v1',
    submissionId: randomUUID(),
    helplineId: 'be-1',
    period,
    cells: body.cells,
    contentHash: contentHash('be-1', body),
    submittedAt: new Date().toISOString(),
    taxonomyVersion: TAXONOMY_VERSION,
    ...overrides,
  };
}

describe('poison records', () => {
  it('dead-letters what cannot be loaded and loads the good records around it', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const good1 = message('2024-01', 11);
    const good2 = message('2024-02', 12);
    const unknownHelpline = message('2024-03', 13, { helplineId: 'zz-9' });
    const badHash = { ...message('2024-04', 14), contentHash: 'f'.repeat(64) };
    const poison = [
      { key: 'be-1|2024-05', value: 'this is not json', reason: /not valid JSON/ },
      {
        key: 'be-1|2024-06',
        value: JSON.stringify({ ...message('2024-06', 1), schema: 'helpline.submission.v0' }),
        reason: /does not match/,
      },
      { key: 'zz-9|2024-03', value: JSON.stringify(unknownHelpline), reason: /unknown helpline/ },
      { key: 'be-1|2024-04', value: JSON.stringify(badHash), reason: /hash/ },
      { key: 'be-1|2024-09', value: JSON.stringify(message('2024-07', 5)), reason: /key/ },
      {
        key: 'be-1|2024-08',
        value: JSON.stringify({ ...message('2024-08', 2), notes: 'Maria, 13, called about her uncle' }),
        reason: /does not match/,
      },
    ];
    // All on one key's partition would be too kind: spread them and interleave the good ones.
    await producer.send({
      topic: rt.topics.submissions,
      messages: [
        { key: 'be-1|2024-01', value: JSON.stringify(good1) },
        ...poison.map(({ key, value }) => ({ key, value })),
        { key: 'be-1|2024-02', value: JSON.stringify(good2) },
      ],
    });
    await producer.disconnect();

    const rows = await waitFor('the good records to load', async () => {
      const r = await fetch(`${rt.url}/v1/trends?by=month&country=BE&release=live`, {
        headers: { authorization: `Bearer ${rt.adminKey}` },
      });
      const body = (await r.json()) as { rows: { period: string; value: number }[] };
      return body.rows.length === 2 ? body.rows : undefined;
    });
    expect(rows.map((r) => [r.period, r.value])).toEqual([
      ['2024-01', 11],
      ['2024-02', 12],
    ]);

    const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: rt.topics.deadLetters, fromBeginning: true });
    const dead: { key: string; value: string; reason: string }[] = [];
    await consumer.run({
      eachMessage: async ({ message: m }) => {
        dead.push({ key: String(m.key), value: String(m.value), reason: String(m.headers?.['dlq-reason'] ?? '') });
      },
    });
    await waitFor('every poison record in the DLQ', async () => (dead.length >= poison.length ? true : undefined));
    await consumer.disconnect();
    expect(dead).toHaveLength(poison.length);
    for (const p of poison) {
      const d = dead.find((x) => x.value === p.value);
      expect(d, p.value.slice(0, 40)).toBeDefined();
      expect(d?.key).toBe(p.key);
      expect(d?.reason).toMatch(p.reason);
    }
    // A poison record that named its submission is marked rejected with the reason.
    const rejected = await rt.warehouse.db.all<{ status: string; reason: string; helpline_id: string }>(
      `SELECT status, reason, helpline_id FROM submissions WHERE submission_id IN ('${badHash.submissionId}', '${unknownHelpline.submissionId}') ORDER BY helpline_id`,
    );
    expect(rejected.map((r) => [r.helpline_id, r.status])).toEqual([
      ['be-1', 'rejected'],
      ['zz-9', 'rejected'],
    ]);
    expect(rejected[0]?.reason).toMatch(/hash/);
    const facts = await rt.warehouse.db.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM facts WHERE helpline_id = 'be-1'`,
    );
    expect(facts[0]?.n).toBe(2n);
  }, 90_000);
});
