/**
 * Accepting one helpline-month, already validated.
 *
 *   1. identical to the newest version? → answer with that submission, produce nothing
 *   2. dry run? → answer the report (what would be accepted, what replaced), produce nothing
 *   3. produce to Kafka (idempotent, acks=all) — only its acknowledgement makes it accepted
 *   4. record the receipt; answer 202
 */
import type { Logger } from 'pino';
import {
  type BusProducer,
  contentHash,
  IDEMPOTENCY_HEADER,
  type Receipt,
  type SubmissionBody,
  submissionKey,
  submissionMessage,
  type Topics,
  unavailable,
} from '../domain/index.js';

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
  current(helplineId: string, period: string): Promise<{ submissionId: string; version: number } | undefined>;
  usualLevels(helplineId: string, before: string): Promise<{ months: number; total: number }>;
}

export interface SubmitDeps {
  readonly producer: BusProducer;
  readonly topics: Topics;
  readonly receipts: ReceiptStore;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/** A month far from the helpline's own history is accepted with a warning, never silently. */
export async function anomalyWarnings(
  store: ReceiptStore,
  helplineId: string,
  body: SubmissionBody,
): Promise<string[]> {
  const usual = await store.usualLevels(helplineId, body.period);
  if (usual.months < 3) return [];
  const warnings: string[] = [];
  const total = body.cells.reduce((s, c) => s + c.count, 0);
  if (usual.total >= 20 && (total > usual.total * 5 || total < usual.total / 5)) {
    warnings.push(
      `This month has ${total.toLocaleString('en')} cases; your usual month over the last ${usual.months} months is about ${Math.round(usual.total).toLocaleString('en')}. Please check it is complete and correct.`,
    );
  }
  return warnings;
}

export async function submit(
  deps: SubmitDeps,
  helplineId: string,
  body: SubmissionBody,
  options: {
    dryRun?: boolean;
    /** Carried on the record, so the load keeps the key's answer with the submission. */
    idempotencyKey?: string;
    /** The submission a retried attempt is sent as (the same id and time as its first try). */
    identity?: { submissionId: string; submittedAt: string };
  } = {},
): Promise<Receipt> {
  const hash = contentHash(helplineId, body);
  const cases = body.cells.reduce((s, c) => s + c.count, 0);
  // 1.
  const existing = await deps.receipts.findCurrentWithHash(helplineId, body.period, hash);
  if (existing) {
    return {
      submissionId: existing.submissionId,
      status: existing.status,
      version: existing.version,
      helplineId,
      period: body.period,
      cells: body.cells.length,
      cases,
      submittedAt: existing.submittedAt,
      duplicate: true,
      dryRun: options.dryRun === true,
      replaces: null,
      warnings: [],
    };
  }
  const [current, warnings] = await Promise.all([
    deps.receipts.current(helplineId, body.period),
    anomalyWarnings(deps.receipts, helplineId, body),
  ]);
  const submittedAt = options.identity?.submittedAt ?? deps.clock().toISOString();
  const message = {
    ...submissionMessage(helplineId, body, submittedAt, hash),
    ...(options.identity ? { submissionId: options.identity.submissionId } : {}),
  };
  const receipt: Receipt = {
    submissionId: message.submissionId,
    status: options.dryRun ? 'validated' : 'accepted',
    version: null,
    helplineId,
    period: body.period,
    cells: body.cells.length,
    cases,
    submittedAt,
    duplicate: false,
    dryRun: options.dryRun === true,
    replaces: current ?? null,
    warnings,
  };
  // 2.
  if (options.dryRun) return receipt;
  // 3.
  try {
    await deps.producer.send(deps.topics.submissions, [
      {
        key: submissionKey(helplineId, body.period),
        value: JSON.stringify(message),
        headers: {
          schema: message.schema,
          ...(options.idempotencyKey ? { [IDEMPOTENCY_HEADER]: options.idempotencyKey } : {}),
        },
      },
    ]);
  } catch (error) {
    // The client is answered 503 and retries; the outage itself is the operator's signal.
    deps.logger.warn({ err: error, helplineId, period: body.period }, 'Kafka did not take the submission');
    throw unavailable('The submission queue is unavailable; nothing was accepted. Retry shortly.', 10, error);
  }
  // 4. Kafka's acknowledgement is the commit point; the receipt is written behind it (and answered
  // from memory until then), so the upload never waits for a load transaction.
  deps.receipts
    .recordAccepted({
      submissionId: message.submissionId,
      helplineId,
      period: body.period,
      contentHash: hash,
      submittedAt,
    })
    .catch((error: unknown) =>
      deps.logger.warn(
        { err: error, submissionId: message.submissionId },
        'receipt not written; the load will record it',
      ),
    );
  deps.logger.info(
    {
      helplineId,
      period: body.period,
      submissionId: message.submissionId,
      cells: body.cells.length,
      warnings: warnings.length,
    },
    'submission accepted',
  );
  return receipt;
}
