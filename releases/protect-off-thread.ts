/**
 * The suppression search (HiGHS, synchronous, ≈40 s on the demo) in a worker thread: the event loop
 * keeps serving requests and the Kafka consumer keeps its heartbeats meanwhile.
 *
 *   start a worker → its answer, or its failure (an error, a crash, an exit without an answer)
 *     logged and surfaced as a ProtectionWorkerError — never silently searched again here
 *   no worker can be created at all (a platform without worker threads) → logged, search on this thread
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AppError } from '../domain/index.js';
import type { Cube } from './cube.js';
import { type PreviousRelease, type ProtectionParams, protect, type SuppressionResult } from './suppress.js';

/** The search's worker failed; publishing can be retried (nothing was published). */
export class ProtectionWorkerError extends AppError {
  constructor(detail: string, cause?: unknown) {
    super(
      'protection_worker_failed',
      `The protection search failed in its worker (${detail}); nothing was published.`,
      {
        status: 500,
        retriable: true,
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }
}

type ProtectLogger = Pick<Logger, 'warn' | 'error'>;

export function protectOffThread(
  cube: Cube,
  params: ProtectionParams,
  previous: PreviousRelease | undefined,
  logger?: ProtectLogger,
): Promise<SuppressionResult> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      // The entry registers tsx in the worker, then loads protect-worker.ts.
      worker = new Worker(new URL('./protect-worker.mjs', import.meta.url), { workerData: { cube, params, previous } });
    } catch (error) {
      logger?.warn({ err: error }, 'no worker thread for the protection search; searching on the main thread');
      protect(cube, params, previous).then(resolve, reject);
      return;
    }
    let settled = false;
    const fail = (failure: ProtectionWorkerError) => {
      if (settled) return;
      settled = true;
      logger?.error({ err: failure.cause ?? failure }, failure.message);
      reject(failure);
    };
    worker.once('message', (message: { result?: SuppressionResult; error?: string }) => {
      if (message.result) {
        settled = true;
        resolve(message.result);
      } else fail(new ProtectionWorkerError(`the search threw: ${message.error}`));
      void worker.terminate();
    });
    worker.once('error', (error) => fail(new ProtectionWorkerError(`the worker crashed: ${error.message}`, error)));
    worker.once('exit', (code) => fail(new ProtectionWorkerError(`the worker exited with code ${code} and no answer`)));
  });
}
