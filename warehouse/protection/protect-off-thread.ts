/**
 * The suppression search (HiGHS, synchronous, ≈40 s on the demo) in a worker thread: the event loop
 * keeps serving requests and the Kafka consumer keeps its heartbeats meanwhile. If a worker cannot
 * be started here, the search runs on this thread as before.
 */
import { Worker } from 'node:worker_threads';
import type { Cube } from './cube.js';
import { type PreviousRelease, type ProtectionParams, protect, type SuppressionResult } from './suppress.js';

export function protectOffThread(
  cube: Cube,
  params: ProtectionParams,
  previous: PreviousRelease | undefined,
): Promise<SuppressionResult> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      // The entry registers tsx in the worker, then loads protect-worker.ts.
      worker = new Worker(new URL('./protect-worker.mjs', import.meta.url), { workerData: { cube, params, previous } });
    } catch {
      protect(cube, params, previous).then(resolve, reject);
      return;
    }
    let settled = false;
    worker.once('message', (message: { result?: SuppressionResult; error?: string }) => {
      settled = true;
      if (message.result) resolve(message.result);
      else reject(new Error(`the protection search failed: ${message.error}`));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (settled) return;
      settled = true;
      // A worker that cannot load (no TypeScript loader here): search on this thread instead.
      protect(cube, params, previous).then(resolve, reject);
      void error;
    });
    worker.once('exit', (code) => {
      if (!settled) {
        settled = true;
        protect(cube, params, previous).then(resolve, reject);
        void code;
      }
    });
  });
}
