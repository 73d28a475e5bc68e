/**
 * Idempotency-Key: a retry gets the first attempt's submission, whatever crashed in between.
 *
 * Where a key's answer lives, in the order it is looked for:
 *   1. this process's attempts (memory): in flight, accepted, or failed without an answer
 *   2. the warehouse: written after Kafka's acknowledgement, and again by the load that applies
 *      the record (the key travels on the record), in the same transaction as the submission
 *   3. records still in Kafka: an earlier process may have produced the record and died before
 *      either write, so a key found nowhere is only "new" once the consumer has loaded everything
 *      that was in the topic when this process started (`caughtUp`)
 *
 * An attempt whose produce went unanswered (a timeout: it may have landed) is retried as the same
 * submission, same id and time: if both records land, the load applies the submission once.
 */
import { randomUUID } from 'node:crypto';
import { unavailable } from '../domain/index.js';

export interface IdempotencyStore {
  findIdempotent(helplineId: string, key: string): Promise<{ requestHash: string; submissionId: string } | undefined>;
  rememberIdempotent(helplineId: string, key: string, requestHash: string, submissionId: string): Promise<void>;
}

export interface IdempotencyDeps {
  readonly store: IdempotencyStore;
  readonly clock: () => Date;
  /** True once every record produced before this process started is loaded; waits up to `ms`. */
  readonly caughtUp?: (ms: number) => Promise<boolean>;
  /** How long a request waits for the consumer to catch up before it is answered 503. */
  readonly catchUpWaitMs?: number;
}

/** The submission an attempt is sent as: the same on every retry of an unanswered attempt. */
export interface Identity {
  readonly submissionId: string;
  readonly submittedAt: string;
}

export type Claim =
  | { readonly kind: 'answered'; readonly submissionId: string }
  | { readonly kind: 'conflict' }
  | {
      readonly kind: 'send';
      readonly identity: Identity;
      /** The attempt's outcome: the submission it was answered with, or undefined if it failed. */
      settle(submissionId: string | undefined): Promise<void>;
    };

interface Attempt {
  readonly requestHash: string;
  identity: Identity;
  outcome: 'pending' | 'accepted' | 'failed';
  settled: Promise<void>;
}

/** Failed attempts kept for a retry to reuse (accepted ones leave memory once stored). */
const KEPT = 10_000;

export function createIdempotency(deps: IdempotencyDeps) {
  const attempts = new Map<string, Attempt>();
  const waitMs = deps.catchUpWaitMs ?? 15_000;

  const begin = (id: string, requestHash: string, identity: Identity): Claim => {
    let done = () => {};
    const attempt: Attempt = {
      requestHash,
      identity,
      outcome: 'pending',
      settled: new Promise<void>((ok) => {
        done = ok;
      }),
    };
    attempts.delete(id);
    attempts.set(id, attempt);
    if (attempts.size > KEPT) {
      const oldest = attempts.keys().next().value;
      if (oldest !== undefined && attempts.get(oldest)?.outcome !== 'pending') attempts.delete(oldest);
    }
    return {
      kind: 'send',
      identity,
      async settle(submissionId) {
        if (submissionId === undefined) {
          attempt.outcome = 'failed';
          done();
          return;
        }
        attempt.identity = { ...attempt.identity, submissionId };
        attempt.outcome = 'accepted';
        done();
        const [helplineId, key] = id.split('\n') as [string, string];
        try {
          await deps.store.rememberIdempotent(helplineId, key, requestHash, submissionId);
        } catch {
          // Memory answers meanwhile, and the load stores the key from the record: Kafka has the
          // submission, so the upload is not failed for this.
          return;
        }
        // Stored: the warehouse answers from now on.
        if (attempts.get(id) === attempt) attempts.delete(id);
      },
    };
  };

  return {
    /** What this request does with its key: answer an earlier submission, refuse, or send. */
    async claim(helplineId: string, key: string, requestHash: string): Promise<Claim> {
      const id = `${helplineId}\n${key}`;
      for (;;) {
        const mine = attempts.get(id);
        if (mine?.outcome === 'pending') {
          // The same key in flight: its outcome decides this one.
          await mine.settled;
          continue;
        }
        if (mine) {
          if (mine.requestHash !== requestHash) return { kind: 'conflict' };
          if (mine.outcome === 'accepted') return { kind: 'answered', submissionId: mine.identity.submissionId };
          return begin(id, requestHash, mine.identity);
        }
        let stored = await deps.store.findIdempotent(helplineId, key);
        if (!stored && deps.caughtUp) {
          if (!(await deps.caughtUp(waitMs))) {
            throw unavailable(
              'The server is still loading submissions sent before its restart; nothing was accepted. Retry shortly.',
              5,
            );
          }
          stored = await deps.store.findIdempotent(helplineId, key);
        }
        // Another request with this key may have begun while this one looked.
        if (attempts.has(id)) continue;
        if (stored) {
          return stored.requestHash === requestHash
            ? { kind: 'answered', submissionId: stored.submissionId }
            : { kind: 'conflict' };
        }
        return begin(id, requestHash, { submissionId: randomUUID(), submittedAt: deps.clock().toISOString() });
      }
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
