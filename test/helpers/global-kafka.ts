/**
 * One real Apache Kafka broker for the whole run (unless KAFKA_BROKERS points at one), started by
 * the project's own script and stopped at the end. Suites isolate themselves by topic and group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalKafka, startLocalKafka } from '../../infra/kafka/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    kafkaDataDir: string;
  }
}

let kafka: LocalKafka | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    project.provide('kafkaBrokers', external.split(','));
    project.provide('kafkaDataDir', '');
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'helpline-kafka-'));
  kafka = await startLocalKafka({ dataDir: dir, onProgress: (m) => process.stdout.write(`[kafka] ${m}\n`) });
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('kafkaDataDir', dir);
}

export async function teardown() {
  await kafka?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
