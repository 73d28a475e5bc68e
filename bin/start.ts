/**
 * `npm start`: the whole pipeline on this machine, with demo data.
 *
 *   1. config → 2. local Kafka (unless KAFKA_BROKERS) → 3. runtime (warehouse, consumer, HTTP)
 *   → 4. demo seed if the warehouse is empty → 5. print the URL; Ctrl-C stops everything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import express from 'express';
import { seedDemo, writeJsonAtomic } from '../demo/index.js';
import { type LocalKafka, startLocalKafka } from '../infra/kafka/index.js';
import { newKey } from '../warehouse/index.js';
import { loadConfig, schedulesOf } from './config.js';
import { createLogger } from './logger.js';
import { type Runtime, startRuntime } from './runtime.js';

const say = (message: string) => process.stdout.write(`${message}\n`);

async function main(): Promise<void> {
  // 1.
  const config = loadConfig();
  const logger = createLogger(config.dataDir, config.LOG_LEVEL);
  const keysFile = join(config.dataDir, 'demo-keys.json');
  const savedKeys = existsSync(keysFile)
    ? (JSON.parse(readFileSync(keysFile, 'utf8')) as { admin?: string; helplines?: Record<string, string> })
    : undefined;
  const adminKey = config.ADMIN_KEY ?? savedKeys?.admin ?? newKey('ak');

  let kafka: LocalKafka | undefined;
  let runtime: Runtime | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping: server, consumer, warehouse, Kafka…');
    await runtime?.stop().catch((error: unknown) => logger.error({ err: error }, 'runtime stop failed'));
    await kafka?.stop().catch((error: unknown) => logger.error({ err: error }, 'kafka stop failed'));
    logger.flush();
    say('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    // 2.
    let brokers = config.KAFKA_BROKERS;
    if (!brokers) {
      kafka = await startLocalKafka({
        dataDir: join(config.dataDir, 'kafka'),
        port: config.KAFKA_PORT,
        onProgress: say,
      });
      brokers = kafka.brokers;
      say(`Kafka ${brokers.join(',')} is up (log: ${kafka.logFile}).`);
    }
    // 3.
    runtime = await startRuntime({
      warehousePath: join(config.dataDir, 'warehouse.duckdb'),
      brokers,
      port: config.PORT,
      host: config.HOST,
      logger,
      groupId: config.KAFKA_GROUP_ID,
      topics: { submissions: config.KAFKA_TOPIC_SUBMISSIONS, deadLetters: config.KAFKA_TOPIC_DEAD_LETTERS },
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
      adminKey,
      adminKeyMaxAgeDays: config.ADMIN_KEY_MAX_AGE_DAYS,
      ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
      dataDir: config.dataDir,
      releases: {
        mode: config.RELEASE_MODE,
        epsilon: config.NOISE_EPSILON,
        budgetPerMonth: config.PRIVACY_BUDGET_PER_MONTH,
        reconcile: config.NOISE_RECONCILE === 'true',
      },
      jobs: {
        ...(config.JOBS === 'on' ? { schedules: schedulesOf(config) } : {}),
        timeZone: config.TIME_ZONE,
        deadlineDay: config.DEADLINE_DAY,
        reminderLeadDays: config.REMINDER_LEAD_DAYS,
        backupsKept: config.BACKUPS_KEPT,
      },
    });
    if (config.BENCH_BARE_PORT) {
      const bare = express();
      bare.get('/', (_req, res) => {
        res.json({ status: 'ok' });
      });
      bare.listen(config.BENCH_BARE_PORT, '127.0.0.1');
    }
    // 4.
    if (config.SEED_DEMO === 'true' && (await runtime.warehouse.registry.countHelplines()) === 0) {
      say('Seeding demo data through the upload API (first start only)…');
      const bar = new SingleBar({
        format: ' {phase} [{bar}] {percentage}% | {value}/{total} helpline-months | {eta_formatted} left',
        noTTYOutput: true,
        notTTYSchedule: 5000,
        hideCursor: true,
      });
      let phase = '';
      const registry = runtime.warehouse.registry;
      const result = await seedDemo({
        baseUrl: runtime.url,
        registerHelpline: async (h) =>
          (await registry.findHelpline(h.id)) ? undefined : (await registry.addHelpline(h, new Date())).key,
        loadedCount: () => runtime?.warehouse.helplineMonths() ?? Promise.resolve(0),
        keysFile,
        adminKey,
        now: new Date(),
        progress: (done, total, p) => {
          if (p !== phase) {
            if (phase) bar.stop();
            phase = p;
            bar.start(total, done, { phase: p.padEnd(6) });
          }
          bar.update(done, { phase: p.padEnd(6) });
        },
      });
      bar.stop();
      say(`Seeded ${result.helplines} helplines, ${result.submissions} helpline-months, ${result.cells} cells.`);
    } else if (!savedKeys) {
      writeJsonAtomic(keysFile, { admin: adminKey, helplines: {} });
    }
    // 5. A fresh start shows charts: publish the first protected release if there is none.
    // Only for the demo: in production the secretariat decides when to publish.
    const { releases } = runtime.warehouse;
    const demo = config.SEED_DEMO === 'true';
    if (demo && (await releases.list()).length === 0 && (await runtime.warehouse.helplineMonths()) > 0) {
      say('Publishing the first protected release (suppression + audit)…');
      const manifest = await releases.publish({
        now: new Date(),
        codeVersion: 'helpline-analytics',
        baseUrl: runtime.url,
      });
      say(
        `Release ${manifest.id}: ${manifest.cells} cells, ${manifest.withheld.total} withheld (${manifest.withheld.secondary} to protect others), audit passed.`,
      );
      const exported = await runtime.jobs.run('export', { args: { release: manifest.id } });
      say(`Release ${manifest.id} exported (Parquet, Arrow, CSV, HXL): ${exported.outcome}.`);
    }
    say('');
    say(`Helpline analytics is running: open ${runtime.url}/`);
    say(`  API:        ${runtime.url}/v1/trends?by=year&split=region`);
    say(`  Demo keys:  ${keysFile} (admin key and one key per demo helpline)`);
    say(`  Logs:       ${join(config.dataDir, 'logs', 'app.log')}`);
    say('Press Ctrl-C to stop.');
  } catch (error) {
    process.stderr.write(`\nStart failed: ${(error as Error).message}\n`);
    logger.error({ err: error }, 'start failed');
    await stop(1);
  }
}

void main();
