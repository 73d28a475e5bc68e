/**
 * Idempotency-Key across a crash, made deterministic: the record of a keyed upload is in Kafka but
 * its process died before anything reached the warehouse (no receipt, no key, not loaded). The
 * next process must answer the retry with that record's submission — never a new one — and a
 * record re-sent as the same submission (a retry after an unanswered produce) loads once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Runtime, startRuntime } from '../bin/runtime.js';
import { contentHash, IDEMPOTENCY_HEADER, submissionKey, submissionMessage } from '../domain/index.js';
import { createKafkaBus } from '../infra/kafka/index.js';
import { parseCsvUpload } from '../ingest/csv-upload.js';
import { validateRaw } from '../ingest/validate.js';
import { uniqueTopics } from './helpers/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'idem-crash-'));
const topics = uniqueTopics();
const groupId = `idem-${randomBytes(4).toString('hex')}`;
const adminKey = `ak_test_${randomBytes(24).toString('base64url')}`;
let runtime: Runtime | undefined;

const start = () =>
  startRuntime({
    warehousePath: join(dir, 'warehouse.duckdb'),
    brokers: inject('kafkaBrokers'),
    port: 0,
    logger: pino({ level: 'silent' }),
    topics,
    groupId,
    adminKey,
    rateLimitPerMinute: 1_000_000,
  });

afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const csv = (period: string, count: number) =>
  `period,harm,age_band,gender,channel,count\n${period},online.grooming,13-15,girl,chat,${count}\n`;

describe('Idempotency-Key after a crash', () => {
  it('answers a retry with the submission a dead process had produced, and loads a re-sent one once', async () => {
    // A first process registers the helpline, then is gone.
    runtime = await start();
    const { key } = await runtime.warehouse.registry.addHelpline(
      { id: 'pt-1', name: 'Portugal test line', country: 'PT', region: 'europe' },
      new Date(),
    );
    await runtime.stop();
    runtime = undefined;

    // What it produced just before dying: two keyed uploads; the second sent twice as the same
    // submission (its first produce went unanswered and was retried).
    const bus = createKafkaBus({
      brokers: inject('kafkaBrokers'),
      clientId: 'crashed-process',
      logger: pino({ level: 'silent' }),
    });
    const producer = await bus.producer();
    const recordOf = (period: string, count: number, idempotencyKey: string) => {
      const body = validateRaw(parseCsvUpload(Buffer.from(csv(period, count))), {}, new Date()).body;
      if (!body) throw new Error('invalid test upload');
      const message = submissionMessage('pt-1', body, new Date().toISOString(), contentHash('pt-1', body));
      return {
        message,
        record: {
          key: submissionKey('pt-1', period),
          value: JSON.stringify(message),
          headers: { schema: message.schema, [IDEMPOTENCY_HEADER]: idempotencyKey },
        },
      };
    };
    const first = recordOf('2024-03', 11, 'retry-me-1');
    const second = recordOf('2024-04', 12, 'retry-me-2');
    await producer.send(topics.submissions, [first.record, second.record, second.record]);
    await producer.disconnect();

    // The next process; the client retries at once, before the consumer has caught up.
    runtime = await start();
    const retry = (period: string, count: number, idempotencyKey: string) =>
      fetch(`${runtime?.url}/v1/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'idempotency-key': idempotencyKey },
        body: csv(period, count),
      });
    const [a, b] = await Promise.all([retry('2024-03', 11, 'retry-me-1'), retry('2024-04', 12, 'retry-me-2')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(((await a.json()) as { submissionId: string }).submissionId).toBe(first.message.submissionId);
    expect(((await b.json()) as { submissionId: string }).submissionId).toBe(second.message.submissionId);

    // One submission per month, loaded once, version 1.
    for (const [period, id] of [
      ['2024-03', first.message.submissionId],
      ['2024-04', second.message.submissionId],
    ] as const) {
      const history = (await (
        await fetch(`${runtime.url}/v1/submissions?period=${period}`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as { submissions: { submissionId: string; status: string; version: number | null }[] };
      expect(history.submissions.map((s) => [s.submissionId, s.status, s.version])).toEqual([[id, 'loaded', 1]]);
    }
    const facts = await runtime.warehouse.db.all<{ n: bigint }>(
      "SELECT count(*) AS n FROM facts WHERE helpline_id = 'pt-1'",
    );
    expect(facts[0]?.n).toBe(2n);

    // The same key with other content is still refused.
    const reused = await retry('2024-03', 99, 'retry-me-1');
    expect(reused.status).toBe(422);
  }, 120_000);
});
