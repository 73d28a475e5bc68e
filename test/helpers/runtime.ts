/** A whole runtime (real DuckDB file, real broker, real HTTP) on unique topics, for one suite. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { inject } from 'vitest';
import type { ServerLimits } from '../../api/index.js';
import { type JobOptions, type Runtime, startRuntime } from '../../bin/runtime.js';
import type { HelplineInfo, Topics } from '../../domain/index.js';

export interface TestRuntime extends Runtime {
  readonly adminKey: string;
  readonly dir: string;
  addHelpline(h: HelplineInfo): Promise<string>;
  close(): Promise<void>;
}

export function uniqueTopics(): Topics {
  const id = randomBytes(4).toString('hex');
  return { submissions: `test.submissions.${id}`, deadLetters: `test.dlq.${id}` };
}

/** Every log line the runtime writes, for tests that check what must never be logged. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string) {
    this.lines.push(line);
  }
  get text() {
    return this.lines.join('');
  }
}

export async function startTestRuntime(
  options: {
    clock?: () => Date;
    logs?: LogCapture;
    brokers?: string[];
    rateLimitPerMinute?: number;
    jobs?: JobOptions;
    httpLimits?: ServerLimits;
    metricsToken?: string;
  } = {},
): Promise<TestRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'helpline-test-'));
  const adminKey = `ak_test_${randomBytes(24).toString('base64url')}`;
  const topics = uniqueTopics();
  const runtime = await startRuntime({
    warehousePath: join(dir, 'warehouse.duckdb'),
    brokers: options.brokers ?? inject('kafkaBrokers'),
    port: 0,
    logger: options.logs
      ? pino({ level: 'debug' }, options.logs)
      : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    topics,
    groupId: `test-group-${randomBytes(4).toString('hex')}`,
    adminKey,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 1_000_000,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.httpLimits ? { httpLimits: options.httpLimits } : {}),
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
  });
  return {
    ...runtime,
    adminKey,
    dir,
    addHelpline: async (h) =>
      (await runtime.warehouse.registry.addHelpline(h, (options.clock ?? (() => new Date()))())).key,
    async close() {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
