/**
 * The one batching mechanism, for the places where concurrent callers share one slow write (a DuckDB
 * transaction, a Kafka produce request). Pure: no I/O of its own, the write is passed in.
 *
 *   add(item) → waits → (no batch in flight) take up to `take(waiting)` items → run(batch)
 *     → each caller answered with its own result, in order, or with the batch's error
 *
 * One batch is in flight at a time. That is the back-pressure: callers wait for the writer instead
 * of piling up concurrent writes, and `take` caps what one batch may hold. A lone item goes at once
 * (on the next microtask), so nothing waits for a timer.
 */

export interface BatcherOptions<I, R> {
  /** Writes one batch; answers one result per item, in the items' order (nothing when R is undefined). */
  run(batch: readonly I[]): Promise<[R] extends [undefined] ? unknown : readonly R[]>;
  /** How many of the waiting items (oldest first) the next batch takes; at least one. Default: all. */
  take?(waiting: readonly I[]): number;
}

export interface Batcher<I, R> {
  add(item: I): Promise<R>;
  /** Items not yet in a batch. */
  readonly waiting: number;
}

export function createBatcher<I, R = undefined>(options: BatcherOptions<I, R>): Batcher<I, R> {
  let waiting: { item: I; ok: (result: R) => void; fail: (error: unknown) => void }[] = [];
  let running = false;

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (waiting.length > 0) {
        const asked = options.take?.(waiting.map((w) => w.item)) ?? waiting.length;
        const batch = waiting.slice(0, Math.min(waiting.length, Math.max(1, asked)));
        waiting = waiting.slice(batch.length);
        try {
          const results = (await options.run(batch.map((b) => b.item))) as readonly R[] | undefined;
          for (const [i, b] of batch.entries()) b.ok(results?.[i] as R);
        } catch (error) {
          for (const b of batch) b.fail(error);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    add(item: I): Promise<R> {
      return new Promise<R>((ok, fail) => {
        waiting.push({ item, ok, fail });
        queueMicrotask(() => void drain());
      });
    },
    get waiting() {
      return waiting.length;
    },
  };
}
