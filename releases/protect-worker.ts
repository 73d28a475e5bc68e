/** Runs the suppression search in a worker thread, so the server keeps answering while it works. */
import { parentPort, workerData } from 'node:worker_threads';
import { protect } from './suppress.js';

const { cube, params, previous } = workerData as {
  cube: Parameters<typeof protect>[0];
  params: Parameters<typeof protect>[1];
  previous: Parameters<typeof protect>[2];
};
protect(cube, params, previous).then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
