/**
 * KafkaJS behind the project's bus interfaces (domain/bus.ts). The only file that imports kafkajs.
 */
import {
  type Admin,
  CompressionTypes,
  type ConfigResourceTypes,
  Kafka,
  type logCreator,
  logLevel,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import {
  type BusConsumer,
  type BusProducer,
  type BusRecord,
  createBatcher,
  type OutgoingMessage,
  type Topics,
} from '../../domain/index.js';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Where KafkaJS's own chatter goes (default: `logger`); `npm start` sends it to the log file only. */
  readonly clientLogger?: Logger;
  /** How long a produce may take before the caller gets a retriable failure. */
  readonly sendTimeoutMs?: number;
  /** New topics' replication; by default derived from the cluster (replicationFor). */
  readonly replication?: { readonly factor?: number; readonly minInsyncReplicas?: number };
}

/**
 * Replication of new topics from the cluster's size: three copies with two in sync on three or more
 * brokers (acks=all then survives one lost broker and refuses writes, 503, with two lost), fewer on
 * a smaller cluster. Either can be set instead (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS).
 */
export function replicationFor(
  brokers: number,
  given: KafkaBusOptions['replication'] = {},
): { factor: number; minInsyncReplicas: number } {
  const factor = given.factor ?? Math.max(1, Math.min(3, brokers));
  const minInsyncReplicas = given.minInsyncReplicas ?? (factor >= 3 ? 2 : 1);
  if (minInsyncReplicas > factor) {
    throw new Error(`min.insync.replicas (${minInsyncReplicas}) cannot exceed the replication factor (${factor})`);
  }
  return { factor, minInsyncReplicas };
}

export interface ConsumerOptions {
  /** Kafka's own default (45 s): how long a member may go silent before the group drops it. */
  readonly sessionTimeoutMs?: number;
  /** The member this group had before a crash: told to leave, so the new one joins at once. */
  readonly previousMemberId?: string;
  /** Called with the member id on every join (keep it, for the next start's `previousMemberId`). */
  readonly onJoin?: (memberId: string) => void;
  /** Called when KafkaJS gives up on the consumer for good (it restarts by itself otherwise). */
  readonly onFatal?: (error: Error) => void;
}

export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  readonly retriable = true;
}

export interface KafkaBus {
  ensureTopics(topics: Topics, partitions?: number): Promise<void>;
  producer(): Promise<BusProducer & { disconnect(): Promise<void> }>;
  consumer(groupId: string, options?: ConsumerOptions): BusConsumer;
  /** The next offset to be written in each partition (the high watermark). */
  endOffsets(topic: string): Promise<Map<number, bigint>>;
  /** True when a broker answers a metadata request. */
  ping(): Promise<boolean>;
  /** How many brokers the cluster's metadata lists now (0 when none answers). */
  brokerCount(): Promise<number>;
  /** Each partition's leader (broker node id) and replicas, as the cluster's metadata says now. */
  partitions(topic: string): Promise<{ partition: number; leader: number; replicas: number[]; isr: number[] }[]>;
  /** A topic's replication factor and min.insync.replicas, as the brokers hold them. */
  replicationOf(topic: string): Promise<{ factor: number; minInsyncReplicas: number }>;
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

/** ConfigResourceTypes.TOPIC: kafkajs's CommonJS build does not give that enum to an ESM import. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new BusUnavailableError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * LeaveGroup on behalf of a member that died without leaving (SIGKILL): otherwise the group waits a
 * whole session timeout for it before the new member gets any partition. KafkaJS has no public
 * call for this, so it goes through the client's own cluster (a private field of the client).
 */
async function evictMember(kafka: Kafka, groupId: string, memberId: string): Promise<'left' | 'unknown'> {
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const createCluster = key ? (kafka as unknown as Record<symbol, unknown>)[key] : undefined;
  if (typeof createCluster !== 'function') throw new Error('this KafkaJS version does not expose its cluster');
  const cluster = createCluster({}) as {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    findGroupCoordinator(o: { groupId: string }): Promise<{
      leaveGroup(o: { groupId: string; memberId: string }): Promise<unknown>;
    }>;
  };
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
    return 'left';
  } catch (error) {
    if ((error as { type?: string }).type === 'UNKNOWN_MEMBER_ID') return 'unknown';
    throw error;
  } finally {
    await cluster.disconnect();
  }
}

export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const { logger } = options;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: toKafkaLogger(options.clientLogger ?? logger),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5000 },
  });
  // Long enough for a lost leader to be fenced and replaced (seconds, more on a loaded machine) while
  // an upload waits; a cluster that stays without a leader is answered 503 after it.
  const sendTimeoutMs = options.sendTimeoutMs ?? 20_000;

  async function brokerCount(): Promise<number> {
    try {
      return await withTimeout(
        withAdmin(async (admin) => (await admin.describeCluster()).brokers.length),
        3000,
        'Kafka metadata request',
      );
    } catch {
      return 0;
    }
  }

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
        const { factor, minInsyncReplicas } = replicationFor(
          (await admin.describeCluster()).brokers.length,
          options.replication,
        );
        const replicated = { name: 'min.insync.replicas', value: String(minInsyncReplicas) };
        const wanted = [
          {
            topic: topics.submissions,
            numPartitions: partitions,
            replicationFactor: factor,
            // Compacted: the newest version of each helpline-month is the system of record.
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
              replicated,
            ],
          },
          {
            topic: topics.deadLetters,
            numPartitions: partitions,
            replicationFactor: factor,
            configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }, replicated],
          },
        ].filter((t) => !existing.has(t.topic));
        if (wanted.length > 0) logger.info({ factor, minInsyncReplicas }, 'creating topics');
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

    partitions(topic: string) {
      return withAdmin(async (admin) => {
        const { topics: [meta] = [] } = await admin.fetchTopicMetadata({ topics: [topic] });
        return (meta?.partitions ?? [])
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition);
      });
    },

    replicationOf(topic: string) {
      return withAdmin(async (admin) => {
        const { topics: [meta] = [] } = await admin.fetchTopicMetadata({ topics: [topic] });
        const described = await admin.describeConfigs({
          resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['min.insync.replicas'] }],
          includeSynonyms: false,
        });
        const value = described.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas');
        return {
          factor: meta?.partitions[0]?.replicas.length ?? 0,
          minInsyncReplicas: Number(value?.configValue ?? 0),
        };
      });
    },

    brokerCount,

    async ping() {
      return (await brokerCount()) > 0;
    },

    async producer() {
      // The idempotent producer numbers each partition's batches, and KafkaJS rolls a number back
      // when a request fails: a batch that reached the broker without its answer, followed by a
      // different batch under the same number, would be taken by the broker as a repeat and dropped.
      // So retries have no limit (what KafkaJS asks of an idempotent producer), ONE batch is in
      // flight, and the next starts only once it has settled, even after its callers were answered
      // 503 at their deadline. A batch that fails for good retires the producer (a new producer id).
      type Slot = { producer: Producer; connected: Promise<void> | undefined };
      const newSlot = (): Slot => {
        const slot: Slot = {
          producer: kafka.producer({
            idempotent: true,
            maxInFlightRequests: 1,
            // Murmur2, as the Java client: the same key lands on the same partition whatever the client.
            createPartitioner: Partitioners.DefaultPartitioner,
            // Retries at most a second apart: a lost leader is replaced within a few seconds (its
            // session times out), and an upload waits for the new one only until its deadline.
            retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 1000 },
          }),
          connected: undefined,
        };
        slot.producer.on(slot.producer.events.DISCONNECT, () => {
          slot.connected = undefined;
        });
        return slot;
      };
      let current = newSlot();
      type Pending = {
        topic: string;
        messages: readonly OutgoingMessage[];
        state: 'queued' | 'sent' | 'done';
        timer: NodeJS.Timeout | undefined;
        ok: () => void;
        fail: (e: unknown) => void;
      };
      const settle = (p: Pending, error?: unknown) => {
        if (p.state === 'done') return;
        p.state = 'done';
        clearTimeout(p.timer);
        if (error === undefined) p.ok();
        else p.fail(error);
      };
      // Concurrent sends coalesce into one produce request: with one request in flight, batching is
      // what gives throughput under many parallel uploads. A send its deadline answered while it
      // waited rides along unsent.
      const queued = (p: Pending) => p.state === 'queued';
      const produce = createBatcher<Pending>({
        // Cap one request well under the topic's max.message.bytes.
        take: (waiting) => {
          let bytes = 0;
          let live = 0;
          let n = 0;
          while (n < waiting.length && (live === 0 || bytes < 4 * 1024 * 1024)) {
            const p = waiting[n] as Pending;
            if (queued(p)) {
              for (const m of p.messages) bytes += Buffer.byteLength(m.value) + m.key.length + 64;
              live++;
            }
            n++;
          }
          return n;
        },
        run: async (batch) => {
          const taken = batch.filter(queued);
          if (taken.length === 0) return;
          for (const p of taken) p.state = 'sent';
          const slot = current;
          let sending = false;
          try {
            slot.connected ??= slot.producer.connect().catch((error: unknown) => {
              slot.connected = undefined;
              throw error;
            });
            await slot.connected;
            const byTopic = new Map<string, OutgoingMessage[]>();
            for (const p of taken) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), ...p.messages]);
            sending = true;
            await slot.producer.sendBatch({
              acks: -1,
              compression: CompressionTypes.None,
              topicMessages: [...byTopic].map(([topic, messages]) => ({
                topic,
                messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
              })),
            });
          } catch (error) {
            if (sending) {
              logger.warn({ err: error }, 'a produce failed for good; the next batch gets a new producer');
              current = newSlot();
              void slot.producer.disconnect().catch(() => {});
            }
            throw new BusUnavailableError(`Kafka did not acknowledge the message: ${(error as Error).message}`, {
              cause: error,
            });
          }
        },
      });
      return {
        send(topic: string, messages: readonly OutgoingMessage[]) {
          return new Promise<void>((ok, fail) => {
            const p: Pending = { topic, messages, state: 'queued', timer: undefined, ok, fail };
            // At the deadline the caller is answered: "not sent" while still queued (it never will
            // be), "not acknowledged" once in flight (it may still land: a retry is then a repeat).
            p.timer = setTimeout(
              () =>
                settle(
                  p,
                  new BusUnavailableError(
                    p.state === 'queued'
                      ? `Kafka did not take the message within ${sendTimeoutMs} ms; it was not sent`
                      : `Kafka did not acknowledge the message within ${sendTimeoutMs} ms`,
                  ),
                ),
              sendTimeoutMs,
            );
            produce.add(p).then(
              () => settle(p),
              (error: unknown) => settle(p, error),
            );
          });
        },
        async disconnect() {
          await current.producer.disconnect();
        },
      };
    },

    consumer(groupId: string, consumerOptions: ConsumerOptions = {}): BusConsumer {
      const sessionTimeout = consumerOptions.sessionTimeoutMs ?? 45_000;
      // Kafka's default heartbeat interval (3 s), a third of the session at most.
      const heartbeatInterval = Math.min(3000, Math.floor(sessionTimeout / 3));
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout,
        rebalanceTimeout: Math.max(sessionTimeout, 60_000),
        heartbeatInterval,
        // Bounded fetches: one load is a few MB per partition, seconds of work, well inside the session.
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxBytes: 16 * 1024 * 1024,
        // Let the broker gather up to 200 ms of records per fetch: fewer, larger load transactions
        // under a steady stream (each has a fixed cost), at most 200 ms later.
        minBytes: 512 * 1024,
        maxWaitTimeInMs: 200,
        retry: { initialRetryTime: 300, retries: 1_000_000, maxRetryTime: 10_000 },
      });
      let stopped = false;
      let member: string | undefined;
      // After a crash KafkaJS rejoins as a new member; the old one would hold the rebalance for a
      // whole session timeout (the broker may have just restarted and still lists it): remove it.
      const evictUntilGone = async (memberId: string) => {
        const deadline = Date.now() + 120_000;
        while (!stopped && Date.now() < deadline) {
          try {
            const outcome = await evictMember(kafka, groupId, memberId);
            logger.info({ groupId, memberId, outcome }, 'crashed consumer removed from the group');
            return;
          } catch {
            await new Promise((r) => setTimeout(r, 2000));
          }
        }
      };
      return {
        async start({ topic, startOffsets, handleBatch }) {
          await consumer.connect();
          const previous = consumerOptions.previousMemberId;
          if (previous) {
            const outcome = await evictMember(kafka, groupId, previous).catch((error: unknown) => {
              logger.warn({ err: error, groupId }, 'could not remove the previous consumer from the group');
              return 'failed';
            });
            logger.info({ groupId, memberId: previous, outcome }, 'previous consumer removed from the group');
          }
          await consumer.subscribe({ topic, fromBeginning: true });
          consumer.on(consumer.events.GROUP_JOIN, async (event) => {
            const partitions = event.payload.memberAssignment[topic] ?? [];
            logger.info(
              { groupId, memberId: event.payload.memberId, partitions, ms: event.payload.duration },
              'consumer joined the group',
            );
            member = event.payload.memberId;
            consumerOptions.onJoin?.(event.payload.memberId);
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
          consumer.on(consumer.events.CRASH, (event) => {
            if (event.payload.restart) {
              if (member) void evictUntilGone(member);
              member = undefined;
              return;
            }
            logger.error({ err: event.payload.error, groupId }, 'the consumer stopped for good');
            consumerOptions.onFatal?.(event.payload.error);
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
              // The group hears from this member while the batch loads, however long the load takes.
              const beat = setInterval(() => {
                heartbeat().catch((error: unknown) => logger.debug({ err: error }, 'heartbeat during a load failed'));
              }, heartbeatInterval);
              try {
                await handleBatch({ topic: batch.topic, partition: batch.partition, records });
              } finally {
                clearInterval(beat);
              }
              const last = batch.messages[batch.messages.length - 1];
              if (last) resolveOffset(last.offset);
              await commitOffsetsIfNecessary();
              await heartbeat();
            },
          });
        },
        async stop() {
          stopped = true;
          await consumer.disconnect();
        },
      };
    },
  };
}
