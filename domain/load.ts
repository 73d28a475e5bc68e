/**
 * The boundary between transform and warehouse: transform decides, per Kafka record, whether it
 * loads or is rejected; the warehouse applies a whole batch, offsets included, in one transaction.
 */
import type { SubmissionMessage } from './submission.js';

export type LoadItem =
  | {
      readonly kind: 'load';
      readonly offset: bigint;
      readonly message: SubmissionMessage;
      /** The upload's Idempotency-Key, if it had one: its answer is kept with the submission. */
      readonly idempotencyKey?: string;
    }
  | {
      readonly kind: 'reject';
      readonly offset: bigint;
      readonly reason: string;
      /** Present when the record was readable enough to name its submission (and whose it is). */
      readonly submissionId?: string;
      readonly helplineId?: string;
      readonly period?: string;
    };

export interface LoadBatch {
  readonly topic: string;
  readonly partition: number;
  readonly items: readonly LoadItem[];
}

export interface LoadResult {
  readonly loaded: number;
  readonly unchanged: number;
  readonly superseded: number;
  readonly rejected: number;
  /** Records below the stored offset (already applied before a restart). */
  readonly skipped: number;
  readonly cells: number;
}

import type { HelplineInfo } from './answers.js';

/** What transform needs of the warehouse. */
export interface LoadTarget {
  storedOffsets(topic: string, partitions: readonly number[]): Promise<ReadonlyMap<number, bigint>>;
  findHelpline(id: string): Promise<HelplineInfo | undefined>;
  applyBatch(batch: LoadBatch): Promise<LoadResult>;
}
