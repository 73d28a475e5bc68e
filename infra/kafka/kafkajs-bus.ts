/**
 * KafkaJS behind the project's bus interfaces (domain/bus.ts). The only file that imports kafkajs.
 */
import { type Admin, CompressionTypes, Kafka, type logCreator, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { BusConsumer, BusProducer, BusRecord, OutgoingMessage, Topics } from '../../domain/index.js';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** How long a produce may take before the caller gets a retriable failure. */
  readonly sendTimeoutMs?: number;
}

export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  readonly retriable = true;
}

export interface KafkaBus {
  ensureTopics(topics: Topics, partitions?: number): Promise<void>;
  producer(): Promise<BusProducer & { disconnect(): Promise<void> }>;
  consumer(groupId: string, options?: { sessionTimeoutMs?: number }): BusConsumer;
  /** The next offset to be written in each partition (the high watermark). */
  endOffsets(topic: string): Promise<Map<number, bigint>>;
  /** True when a broker answers a metadata request. */
  ping(): Promise<boolean>;
}

function toKafkaLogger(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      const fields = { kafka: rest.logger ?? 'kafkajs', broker: rest.broker, error: rest.error };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new BusUnavailableError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const { logger } = options;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: toKafkaLogger(logger),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5000 },
  });
  const sendTimeoutMs = options.sendTimeoutMs ?? 8000;

  async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = kafka.admin({ retry: { retries: 2 } });
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    async ensureTopics(topics, partitions = 6) {
      await withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const wanted = [
          {
            topic: topics.submissions,
            numPartitions: partitions,
            replicationFactor: -1,
            // Compacted: the newest version of each helpline-month is the system of record.
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
            ],
          },
          {
            topic: topics.deadLetters,
            numPartitions: partitions,
            replicationFactor: -1,
            configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }],
          },
        ].filter((t) => !existing.has(t.topic));
        // Not `waitForLeaders`: KafkaJS's wait gives up on "does not host this topic-partition",
        // which a broker busy creating other topics answers for a moment. The loop below waits.
        if (wanted.length > 0) await admin.createTopics({ topics: wanted, waitForLeaders: false });
        // A new topic's partitions can take a moment to be served by their leader: wait until
        // every partition answers an offsets request, so producers and consumers start cleanly.
        const deadline = Date.now() + 30_000;
        for (const topic of [topics.submissions, topics.deadLetters]) {
          for (;;) {
            try {
              const offsets = await admin.fetchTopicOffsets(topic);
              if (offsets.length >= 1) break;
            } catch (error) {
              if (Date.now() > deadline) throw error;
            }
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      });
    },

    endOffsets(topic: string) {
      return withAdmin(async (admin) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      });
    },

    async ping() {
      try {
        await withTimeout(
          withAdmin((admin) => admin.describeCluster()),
          3000,
          'Kafka metadata request',
        );
        return true;
      } catch {
        return false;
      }
    },

    async producer() {
      const producer: Producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Murmur2, as the Java client: the same key lands on the same partition whatever the client.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      let connected: Promise<void> | undefined;
      const connect = () => {
        connected ??= producer.connect().catch((error: unknown) => {
          connected = undefined;
          throw error;
        });
        return connected;
      };
      producer.on(producer.events.DISCONNECT, () => {
        connected = undefined;
      });
      // Concurrent sends coalesce into one produce request: the idempotent producer allows one
      // request in flight, so batching is what gives throughput under many parallel uploads.
      type Pending = {
        topic: string;
        messages: readonly OutgoingMessage[];
        ok: () => void;
        fail: (e: unknown) => void;
      };
      let queue: Pending[] = [];
      let flushing = false;
      const flush = async (): Promise<void> => {
        if (flushing || queue.length === 0) return;
        flushing = true;
        // Cap one request well under the topic's max.message.bytes.
        let bytes = 0;
        let n = 0;
        while (n < queue.length && (n === 0 || bytes < 4 * 1024 * 1024)) {
          for (const m of queue[n]?.messages ?? []) bytes += Buffer.byteLength(m.value) + m.key.length + 64;
          n++;
        }
        const taken = queue.slice(0, n);
        queue = queue.slice(n);
        try {
          await withTimeout(connect(), sendTimeoutMs, 'connecting to Kafka');
          const byTopic = new Map<string, OutgoingMessage[]>();
          for (const p of taken) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), ...p.messages]);
          await withTimeout(
            producer.sendBatch({
              acks: -1,
              compression: CompressionTypes.None,
              topicMessages: [...byTopic].map(([topic, messages]) => ({
                topic,
                messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
              })),
            }),
            sendTimeoutMs,
            'producing to Kafka',
          );
          for (const p of taken) p.ok();
        } catch (error) {
          const failure =
            error instanceof BusUnavailableError
              ? error
              : new BusUnavailableError(`Kafka did not acknowledge the message: ${(error as Error).message}`, {
                  cause: error,
                });
          for (const p of taken) p.fail(failure);
        } finally {
          flushing = false;
          if (queue.length > 0) void flush();
        }
      };
      return {
        send(topic: string, messages: readonly OutgoingMessage[]) {
          return new Promise<void>((ok, fail) => {
            queue.push({ topic, messages, ok, fail });
            queueMicrotask(() => void flush());
          });
        },
        async disconnect() {
          await producer.disconnect();
        },
      };
    },

    consumer(groupId: string, consumerOptions: { sessionTimeoutMs?: number } = {}): BusConsumer {
      const sessionTimeout = consumerOptions.sessionTimeoutMs ?? 10_000;
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout,
        rebalanceTimeout: Math.max(sessionTimeout, 10_000),
        heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 6)),
        maxBytesPerPartition: 8 * 1024 * 1024,
        // Let the broker gather up to 200 ms of records per fetch: fewer, larger load transactions
        // under a steady stream (each has a fixed cost), at most 200 ms later.
        minBytes: 512 * 1024,
        maxWaitTimeInMs: 200,
        retry: { initialRetryTime: 300, retries: 1_000_000, maxRetryTime: 10_000 },
      });
      return {
        async start({ topic, startOffsets, handleBatch }) {
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          consumer.on(consumer.events.GROUP_JOIN, async (event) => {
            const partitions = event.payload.memberAssignment[topic] ?? [];
            try {
              const offsets = await startOffsets(topic, partitions);
              for (const [partition, offset] of offsets) {
                consumer.seek({ topic, partition, offset: offset.toString() });
              }
            } catch (error) {
              // The warehouse skips records below its stored offsets anyway; a failed seek only costs time.
              logger.warn({ err: error }, 'could not seek to stored offsets');
            }
          });
          await consumer.run({
            autoCommit: true,
            eachBatchAutoResolve: false,
            // Partitions are fetched together and handed over concurrently, so the warehouse can
            // load them in one transaction (offsets stay per partition).
            partitionsConsumedConcurrently: 6,
            eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
              if (!isRunning() || isStale() || batch.messages.length === 0) return;
              const records: BusRecord[] = batch.messages.map((m) => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: BigInt(m.offset),
                key: m.key ? m.key.toString('utf8') : null,
                value: m.value,
                headers: Object.fromEntries(
                  Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]),
                ),
              }));
              await handleBatch({ topic: batch.topic, partition: batch.partition, records });
              const last = batch.messages[batch.messages.length - 1];
              if (last) resolveOffset(last.offset);
              await commitOffsetsIfNecessary();
              await heartbeat();
            },
          });
        },
        async stop() {
          await consumer.disconnect();
        },
      };
    },
  };
}
