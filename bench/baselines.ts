/**
 * The two baselines, on the same bytes as the pipeline: raw kafkajs (produce every submission
 * message with acks=all and consume it back) and a raw DuckDB appender load of every cell.
 */
import { randomUUID } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kafka, logLevel } from 'kafkajs';
import { findHarmType, type SubmissionBody, submissionMessage } from '../domain/index.js';
import { type Dataset, readLines } from './dataset.js';
import { progress } from './stats.js';

/** The record ingest would write to Kafka for this upload (same fields, same size). */
export const messageOf = (helplineId: string, body: SubmissionBody) =>
  JSON.stringify(submissionMessage(helplineId, body, new Date().toISOString()));

/** Produce everything (batched, acks=all, idempotent) while a consumer reads it back. */
export async function rawKafka(
  brokers: readonly string[],
  data: Dataset,
): Promise<{ seconds: number; cellsPerSecond: number }> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const topic = `bench.raw.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID().slice(0, 8)}`, maxBytes: 16 * 1024 * 1024 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let consumedCells = 0;
  let done: () => void = () => {};
  const allConsumed = new Promise<void>((ok) => {
    done = ok;
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        // Parse like the pipeline's consumer must.
        consumedCells += (JSON.parse(String(m.value)) as { cells: unknown[] }).cells.length;
        consumed++;
      }
      if (consumed >= data.submissions) done();
    },
  });
  const bar = progress('kafka', data.submissions);
  bar.start('messages');
  const started = performance.now();
  let batch: { key: string; value: string }[] = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (!batch.length) return;
    await producer.send({ topic, acks: -1, messages: batch });
    sent += batch.length;
    bar.update(sent);
    batch = [];
    bytes = 0;
  };
  for await (const line of readLines(data.file)) {
    const value = messageOf(line.h, line.b);
    batch.push({ key: `${line.h}|${line.b.period}`, value });
    bytes += value.length;
    if (bytes > 900_000) await flush();
  }
  await flush();
  await allConsumed;
  const seconds = (performance.now() - started) / 1000;
  bar.stop();
  await consumer.disconnect();
  await producer.disconnect();
  if (consumedCells !== data.cells) throw new Error(`raw Kafka read back ${consumedCells} cells, not ${data.cells}`);
  return { seconds, cellsPerSecond: data.cells / seconds };
}

/** Every cell appended to a facts table in a fresh DuckDB file, one transaction per 100 submissions. */
export async function rawDuckDb(
  path: string,
  data: Dataset,
  regionOf: (helplineId: string) => { country: string; region: string },
) {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE facts (helpline_id VARCHAR, period VARCHAR, year SMALLINT, month TINYINT, country VARCHAR,
    region VARCHAR, harm VARCHAR, harm_group VARCHAR, age_band VARCHAR, gender VARCHAR, channel VARCHAR, count INTEGER)`);
  const bar = progress('duckdb', data.submissions);
  bar.start('submissions');
  const started = performance.now();
  let n = 0;
  let appender = await conn.createAppender('facts');
  for await (const line of readLines(data.file)) {
    const { country, region } = regionOf(line.h);
    const year = Number(line.b.period.slice(0, 4));
    const month = Number(line.b.period.slice(5, 7));
    for (const c of line.b.cells) {
      appender.appendVarchar(line.h);
      appender.appendVarchar(line.b.period);
      appender.appendSmallInt(year);
      appender.appendTinyInt(month);
      appender.appendVarchar(country);
      appender.appendVarchar(region);
      appender.appendVarchar(c.harm);
      appender.appendVarchar(findHarmType(c.harm)?.group ?? '');
      appender.appendVarchar(c.ageBand);
      appender.appendVarchar(c.gender);
      appender.appendVarchar(c.channel);
      appender.appendInteger(c.count);
      appender.endRow();
    }
    if (++n % 100 === 0) {
      appender.flushSync();
      appender.closeSync();
      appender = await conn.createAppender('facts');
      bar.update(n);
    }
  }
  appender.flushSync();
  appender.closeSync();
  const rows = await conn.runAndReadAll('SELECT count(*) AS n FROM facts');
  const seconds = (performance.now() - started) / 1000;
  bar.stop();
  const counted = Number((rows.getRowObjects()[0] as { n: bigint }).n);
  conn.closeSync();
  instance.closeSync();
  if (counted !== data.cells) throw new Error(`raw DuckDB loaded ${counted} cells, not ${data.cells}`);
  return { seconds, cellsPerSecond: data.cells / seconds };
}
