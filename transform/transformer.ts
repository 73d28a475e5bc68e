/**
 * The consumer side of the pipeline.
 *
 *   Kafka batch (one partition)
 *     1. skip records the warehouse already holds (its stored offset)
 *     2. decode + validate each record → load | reject
 *     3. rejects → dead-letter topic (original bytes + reason)
 *     4. warehouse.applyBatch: facts, versions and offsets in one transaction
 *
 * A bad record is not retriable: it is dead-lettered and the partition moves on. A broker or DuckDB
 * failure is: the error propagates, the consumer restarts from the offsets stored in DuckDB.
 */
import type { Logger } from 'pino';
import type {
  BusConsumer,
  BusProducer,
  HelplineInfo,
  LoadItem,
  LoadTarget,
  Metrics,
  RecordBatch,
  Topics,
} from '../domain/index.js';
import { decodeRecord } from './decode.js';

export interface TransformerDeps {
  readonly consumer: BusConsumer;
  readonly producer: BusProducer;
  readonly target: LoadTarget;
  readonly topics: Topics;
  readonly logger: Logger;
  readonly clock?: () => Date;
  readonly metrics?: Pick<Metrics, 'loadBatch'>;
}

export function createTransformer(deps: TransformerDeps) {
  const { consumer, producer, target, topics, logger } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function handleBatch(batch: RecordBatch): Promise<void> {
    const started = performance.now();
    // 1.
    const stored = (await target.storedOffsets(batch.topic, [batch.partition])).get(batch.partition) ?? 0n;
    const fresh = batch.records.filter((r) => r.offset >= stored);
    if (fresh.length === 0) return;
    // 2.
    const known = new Map<string, Promise<HelplineInfo | undefined>>();
    const findHelpline = (id: string) => {
      const cached = known.get(id);
      if (cached) return cached;
      const found = target.findHelpline(id);
      known.set(id, found);
      return found;
    };
    const items: LoadItem[] = [];
    let slice = performance.now();
    for (const record of fresh) {
      items.push(await decodeRecord(record, findHelpline, clock()));
      // Decoding is synchronous work: let timers (the group heartbeat) and requests in between.
      if (performance.now() - slice > 20) {
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      }
    }
    const decodedMs = performance.now() - started;
    // 3.
    const dead = items.flatMap((item, i) => (item.kind === 'reject' ? [{ item, record: fresh[i] }] : []));
    if (dead.length > 0) {
      await producer.send(
        topics.deadLetters,
        dead.map(({ item, record }) => ({
          key: record?.key ?? 'unknown',
          value: record?.value ?? Buffer.alloc(0),
          headers: {
            'dlq-reason': item.kind === 'reject' ? item.reason : '',
            'dlq-source-topic': batch.topic,
            'dlq-source-partition': String(batch.partition),
            'dlq-source-offset': String(record?.offset ?? ''),
          },
        })),
      );
      for (const { item, record } of dead) {
        logger.warn(
          {
            partition: batch.partition,
            offset: String(record?.offset),
            reason: item.kind === 'reject' ? item.reason : '',
          },
          'record dead-lettered',
        );
      }
    }
    // 4.
    const result = await target.applyBatch({ topic: batch.topic, partition: batch.partition, items });
    deps.metrics?.loadBatch((performance.now() - started) / 1000, fresh.length);
    logger.info(
      {
        partition: batch.partition,
        records: fresh.length,
        ...result,
        decodeMs: Math.round(decodedMs),
        ms: Math.round(performance.now() - started),
      },
      'batch loaded',
    );
  }

  return {
    handleBatch,
    start: () => consumer.start({ topic: topics.submissions, startOffsets: target.storedOffsets, handleBatch }),
    stop: () => consumer.stop(),
  };
}

export type Transformer = ReturnType<typeof createTransformer>;
