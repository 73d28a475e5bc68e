/**
 * Rebuild: replay `helpline.submissions.v1` from the beginning into a NEW warehouse file, then swap
 * it in atomically. The topic is compacted and keyed by helpline-month, so it holds the newest
 * version of everything; the result equals the incrementally maintained warehouse.
 *
 *   1. new file ← accounts copied from the current file (refused while a server holds it)
 *   2. note each partition's end offset; consume from offset 0 with a fresh group into the new file
 *   3. when every partition reached its end: checkpoint, close
 *   4. rename current → .before-rebuild-<time>, new → current (a rename is atomic)
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import type { Logger } from 'pino';
import type { BusProducer, Topics } from '../domain/index.js';
import { createKafkaBus } from '../infra/kafka/index.js';
import { createTransformer } from '../transform/index.js';
import { openWarehouse, WarehouseLockedError } from '../warehouse/index.js';

export interface RebuildOptions {
  readonly currentPath: string;
  /** DuckDB's memory limit for the new file (DUCKDB_MEMORY_LIMIT). */
  readonly memoryLimit?: string;
  readonly brokers: readonly string[];
  readonly topics: Topics;
  readonly logger: Logger;
  readonly swap?: boolean;
  readonly onProgress?: (done: bigint, total: bigint) => void;
}

export async function rebuildWarehouse(options: RebuildOptions): Promise<{ path: string; backup?: string }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const newPath = `${options.currentPath}.rebuild-${stamp}`;
  // 1.
  // Nothing reads the new file before the swap: its aggregates are built once, at the end.
  const fresh = await openWarehouse(newPath, {
    deferAggregates: true,
    ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
  });
  try {
    try {
      await fresh.copyAccountsFrom(options.currentPath);
    } catch (error) {
      if (/lock/i.test(String((error as Error).message))) throw new WarehouseLockedError(options.currentPath, error);
      throw error;
    }
    // 2.
    const bus = createKafkaBus({ brokers: options.brokers, clientId: 'helpline-rebuild', logger: options.logger });
    const ends = await bus.endOffsets(options.topics.submissions);
    const total = [...ends.values()].reduce((a, b) => a + b, 0n);
    // Dead letters were written the first time; a replay must not write them again.
    const noDeadLetters: BusProducer = { send: async () => {} };
    const transformer = createTransformer({
      consumer: bus.consumer(`helpline-rebuild-${randomBytes(6).toString('hex')}`),
      producer: noDeadLetters,
      target: fresh.loadTarget,
      topics: options.topics,
      logger: options.logger,
    });
    if (total > 0n) {
      await transformer.start();
      // 3.
      for (;;) {
        const stored = await fresh.loadTarget.storedOffsets(options.topics.submissions, [...ends.keys()]);
        let done = 0n;
        let complete = true;
        for (const [partition, end] of ends) {
          const at = stored.get(partition) ?? 0n;
          done += at < end ? at : end;
          if (at < end) complete = false;
        }
        options.onProgress?.(done, total);
        if (complete) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      await transformer.stop();
    }
    await fresh.recomputeAggregates();
    await fresh.checkpoint();
  } finally {
    fresh.close();
  }
  if (options.swap === false) return { path: newPath };
  // 4.
  const backup = `${options.currentPath}.before-rebuild-${stamp}`;
  renameSync(options.currentPath, backup);
  if (existsSync(`${options.currentPath}.wal`)) renameSync(`${options.currentPath}.wal`, `${backup}.wal`);
  renameSync(newPath, options.currentPath);
  return { path: options.currentPath, backup };
}
