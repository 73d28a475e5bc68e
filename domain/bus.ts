/**
 * The message bus as the stages see it. KafkaJS (last release 2023) sits behind this in
 * infra/kafka/kafkajs-bus.ts, so swapping the client touches one folder.
 */
export interface Topics {
  /** `helpline.submissions.v1`: key `helpline|period`, compacted, newest version is the record. */
  readonly submissions: string;
  /** `helpline.submissions.dlq.v1`: records transform could not load, with the reason. */
  readonly deadLetters: string;
}

export const DEFAULT_TOPICS: Topics = {
  submissions: 'helpline.submissions.v1',
  deadLetters: 'helpline.submissions.dlq.v1',
};

export interface OutgoingMessage {
  readonly key: string;
  readonly value: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface BusRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly BusRecord[];
}

export interface BusProducer {
  /** Resolves only once every message is acknowledged by all in-sync replicas. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface BusConsumer {
  /**
   * Consumes `topic`; on each assignment seeks to `startOffsets` (the offsets stored with the data,
   * not the broker's) and hands batches to `handleBatch`. A batch handler that throws is retried
   * from the last stored offset.
   */
  start(options: {
    topic: string;
    startOffsets: (topic: string, partitions: readonly number[]) => Promise<ReadonlyMap<number, bigint>>;
    handleBatch: (batch: RecordBatch) => Promise<void>;
  }): Promise<void>;
  stop(): Promise<void>;
}
