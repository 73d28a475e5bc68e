/**
 * Accepting one helpline-month.
 *
 *   1. check the body against the contract (every problem, not the first)
 *   2. identical to the newest version? → answer with that submission, produce nothing
 *   3. produce to Kafka (idempotent, acks=all) — only its acknowledgement makes it accepted
 *   4. record the receipt; answer 202
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  type BusProducer,
  checkSubmissionRules,
  contentHash,
  invalidSubmission,
  type Problem,
  type SubmissionBody,
  type SubmissionMessage,
  submissionKey,
  type Topics,
  unavailable,
} from '../domain/index.js';

export interface Receipt {
  readonly submissionId: string;
  readonly status: string;
  readonly version: number | null;
  readonly helplineId: string;
  readonly period: string;
  readonly cells: number;
  readonly submittedAt: string;
  readonly duplicate: boolean;
}

export interface ReceiptStore {
  recordAccepted(s: {
    submissionId: string;
    helplineId: string;
    period: string;
    contentHash: string;
    submittedAt: string;
  }): Promise<void>;
  findCurrentWithHash(
    helplineId: string,
    period: string,
    contentHash: string,
  ): Promise<{ submissionId: string; status: string; version: number | null; submittedAt: string } | undefined>;
}

export interface SubmitDeps {
  readonly producer: BusProducer;
  readonly topics: Topics;
  readonly receipts: ReceiptStore;
  readonly clock: () => Date;
  readonly logger: Logger;
}

export async function submit(
  deps: SubmitDeps,
  helplineId: string,
  body: SubmissionBody,
  options: { rowOf?: (cellIndex: number) => number; dryRun?: boolean } = {},
): Promise<Receipt> {
  // 1.
  const problems: Problem[] = checkSubmissionRules(body, deps.clock(), options.rowOf);
  if (problems.length > 0) {
    throw invalidSubmission(`The submission has ${problems.length} problem(s); nothing was accepted.`, problems);
  }
  const hash = contentHash(helplineId, body);
  // 2.
  const existing = await deps.receipts.findCurrentWithHash(helplineId, body.period, hash);
  if (existing) {
    return {
      submissionId: existing.submissionId,
      status: existing.status,
      version: existing.version,
      helplineId,
      period: body.period,
      cells: body.cells.length,
      submittedAt: existing.submittedAt,
      duplicate: true,
    };
  }
  const submittedAt = deps.clock().toISOString();
  const message: SubmissionMessage = {
    schema: 'helpline.submission.v1',
    submissionId: randomUUID(),
    helplineId,
    period: body.period,
    cells: body.cells,
    ...(body.totals ? { totals: body.totals } : {}),
    contentHash: hash,
    submittedAt,
  };
  const receipt: Receipt = {
    submissionId: message.submissionId,
    status: options.dryRun ? 'validated' : 'accepted',
    version: null,
    helplineId,
    period: body.period,
    cells: body.cells.length,
    submittedAt,
    duplicate: false,
  };
  if (options.dryRun) return receipt;
  // 3.
  try {
    await deps.producer.send(deps.topics.submissions, [
      {
        key: submissionKey(helplineId, body.period),
        value: JSON.stringify(message),
        headers: { schema: message.schema },
      },
    ]);
  } catch (error) {
    deps.logger.error({ err: error, helplineId, period: body.period }, 'Kafka did not take the submission');
    throw unavailable('The submission queue is unavailable; nothing was accepted. Retry shortly.', 10, error);
  }
  // 4.
  await deps.receipts.recordAccepted({
    submissionId: message.submissionId,
    helplineId,
    period: body.period,
    contentHash: hash,
    submittedAt,
  });
  deps.logger.info(
    { helplineId, period: body.period, submissionId: message.submissionId, cells: body.cells.length },
    'submission accepted',
  );
  return receipt;
}
