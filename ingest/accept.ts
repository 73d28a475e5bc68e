/**
 * Accepting a validated helpline-month, shared by the upload API and the portal:
 *
 *   1. a month in a published release is refused unless the secretariat unlocked it
 *   2. Idempotency-Key: a retry (or a second press of "confirm") gets the first attempt's answer
 *   3. submit (Kafka) → receipt; a dry run produces nothing
 */
import {
  AppError,
  contentHash,
  IDEMPOTENCY_KEY,
  idempotencyRequestHash,
  invalidSubmission,
  type Receipt,
  type SubmissionBody,
} from '../domain/index.js';
import type { Claim, Idempotency } from './idempotency.js';
import { type SubmitDeps, submit } from './submit.js';

export interface AcceptStore {
  lockedBy(helplineId: string, period: string): Promise<string | undefined>;
}

export interface AcceptDeps extends SubmitDeps {
  readonly locks: AcceptStore;
  readonly idempotency: Idempotency;
}

export type Acceptance =
  | { readonly kind: 'receipt'; readonly receipt: Receipt }
  /** The key was answered before: the submission it was answered with. */
  | { readonly kind: 'answered'; readonly submissionId: string };

export const lockedProblem = (period: string, release: string) =>
  invalidSubmission(`${period} is part of the published release ${release}; nothing was accepted.`, [
    {
      path: 'period',
      column: 'period',
      rule: 'period_locked',
      message: `${period} was published in release ${release}; ask the secretariat to unlock it for a correction (the correction then appears in the next release)`,
    },
  ]);

export async function acceptSubmission(
  deps: AcceptDeps,
  helplineId: string,
  body: SubmissionBody,
  options: { dryRun?: boolean; idempotencyKey?: string | undefined } = {},
): Promise<Acceptance> {
  const dryRun = options.dryRun === true;
  // 1.
  const lock = await deps.locks.lockedBy(helplineId, body.period);
  if (lock) throw lockedProblem(body.period, lock);
  // 2.
  const key = options.idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError('bad_idempotency_key', 'Idempotency-Key must be 1–255 visible ASCII characters.', {
      status: 400,
    });
  }
  let claim: Claim | undefined;
  if (key && !dryRun) {
    claim = await deps.idempotency.claim(helplineId, key, idempotencyRequestHash(contentHash(helplineId, body)));
    if (claim.kind === 'conflict') {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used for a different upload.', {
        status: 422,
        problems: [
          { path: 'Idempotency-Key', rule: 'idempotency_key_reused', message: 'use a new key for a different upload' },
        ],
      });
    }
    if (claim.kind === 'answered') return { kind: 'answered', submissionId: claim.submissionId };
  }
  // 3.
  const send = claim?.kind === 'send' ? claim : undefined;
  let receipt: Receipt;
  try {
    receipt = await submit(deps, helplineId, body, {
      dryRun,
      ...(send && key ? { idempotencyKey: key, identity: send.identity } : {}),
    });
  } catch (error) {
    await send?.settle(undefined);
    throw error;
  }
  await send?.settle(receipt.submissionId);
  return { kind: 'receipt', receipt };
}
