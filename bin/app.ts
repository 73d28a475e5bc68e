/**
 * The app: the one process around the warehouse (server, consumer, scheduled jobs), with Kafka at
 * KAFKA_BROKERS. `npm start` runs it under its supervisor (bin/supervisor.ts) beside a local broker;
 * a production host runs it under systemd (infra/systemd/).
 *
 *   1. config → 2. wait for Kafka → 3. runtime → 4. demo seed until complete once, first release
 *   → 5. the URL (first start only)
 *
 * It stops on SIGINT/SIGTERM, when its supervisor is gone (the IPC channel closes), or on a fault,
 * and logs which.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { writeJsonAtomic } from '../demo/index.js';
import { createKafkaBus } from '../infra/kafka/index.js';
import { newKey, WarehouseLockedError } from '../warehouse/index.js';
import { loadConfig, schedulesOf } from './config.js';
import { type DemoUsers, ensureDemoUsers, publishFirstRelease, seedIfNeeded } from './demo.js';
import { createLoggers, logFile } from './logger.js';
import { type Runtime, startRuntime } from './runtime.js';
import { type AppMessage, RESTARTS_ENV } from './supervision.js';

const say = (message: string) => process.stdout.write(`${message}\n`);
const tell = (message: AppMessage) => process.send?.(message);

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const { logger, quiet, flush } = createLoggers(config.dataDir, config.LOG_LEVEL);
const restarts = Number(process.env[RESTARTS_ENV] ?? 0);
let runtime: Runtime | undefined;
let stopping = false;

function shutdown(reason: string, code: number, fault?: unknown): void {
  if (stopping) return;
  stopping = true;
  if (fault) logger.fatal({ err: fault, reason }, 'shutting down after a fault');
  else logger.warn({ reason }, 'shutting down');
  // A stop that hangs (a broker gone mid-commit) must not keep the process: the load is safe to cut.
  setTimeout(() => {
    logger.error({ reason }, 'stopping took longer than 60 s; exiting now');
    void flush().finally(() => process.exit(code || 1));
  }, 60_000).unref();
  void (async () => {
    await runtime?.stop().catch((error: unknown) => logger.error({ err: error }, 'runtime stop failed'));
    logger.info({ reason, code }, 'stopped');
    await flush();
    process.exit(code);
  })();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal, 0));
// The supervisor's end (even by SIGKILL) closes the IPC channel: the app never outlives it.
process.on('disconnect', () => shutdown('the supervisor is gone', 0));
process.on('uncaughtException', (error) => shutdown('uncaught exception', 1, error));
process.on('unhandledRejection', (error) => shutdown('unhandled promise rejection', 1, error));

/** The broker may be restarting (its supervisor restarts it too): wait rather than fail. */
async function waitForKafka(brokers: readonly string[], timeoutMs: number): Promise<void> {
  // Refused connections are what waiting means (the broker's JVM may still be starting beside us):
  // not errors for the log. A broker that never answers is reported below.
  const bus = createKafkaBus({
    brokers,
    clientId: 'helpline-analytics-probe',
    logger: quiet.child({}, { level: 'fatal' }),
  });
  const started = Date.now();
  let told = false;
  while (!(await bus.ping())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Kafka at ${brokers.join(',')} did not answer within ${timeoutMs / 1000} s`);
    }
    if (!told && Date.now() - started > 15_000) {
      told = true;
      logger.warn({ brokers }, 'waiting for Kafka');
    }
    // Often started beside the broker's JVM (the supervisor): a short wait finds it soon after it is up.
    await new Promise((r) => setTimeout(r, 250));
  }
}

function start(brokers: readonly string[], adminKey: string): Promise<Runtime> {
  return startRuntime({
    warehousePath: join(config.dataDir, 'warehouse.duckdb'),
    duckdbMemoryLimit: config.DUCKDB_MEMORY_LIMIT,
    brokers,
    port: config.PORT,
    host: config.HOST,
    logger,
    kafkaLogger: quiet,
    groupId: config.KAFKA_GROUP_ID,
    topics: { submissions: config.KAFKA_TOPIC_SUBMISSIONS, deadLetters: config.KAFKA_TOPIC_DEAD_LETTERS },
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    kafkaReplication: {
      ...(config.KAFKA_REPLICATION_FACTOR ? { factor: config.KAFKA_REPLICATION_FACTOR } : {}),
      ...(config.KAFKA_MIN_INSYNC_REPLICAS ? { minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS } : {}),
    },
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
}

async function main(): Promise<void> {
  const brokers = config.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error('KAFKA_BROKERS is not set: `npm start` runs a local broker and sets it; a host runs its cluster.');
  }
  const keysFile = join(config.dataDir, 'demo-keys.json');
  const savedKeys = existsSync(keysFile)
    ? (JSON.parse(readFileSync(keysFile, 'utf8')) as { admin?: string; helplines?: Record<string, string> })
    : undefined;
  const adminKey = config.ADMIN_KEY ?? savedKeys?.admin ?? newKey('ak');
  if (!savedKeys) writeJsonAtomic(keysFile, { admin: adminKey, helplines: {} });

  // 2.
  await waitForKafka(brokers, 120_000);
  // 3. A predecessor killed with its supervisor may still be closing the warehouse: wait for it.
  const lockedUntil = Date.now() + 90_000;
  for (;;) {
    try {
      runtime = await start(brokers, adminKey);
      break;
    } catch (error) {
      if (!(error instanceof WarehouseLockedError) || Date.now() > lockedUntil || stopping) throw error;
      logger.warn('the warehouse is still held by another process; waiting');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  if (stopping) return;
  tell({ type: 'listening', url: runtime.url });
  if (config.BENCH_BARE_PORT) {
    const bare = express();
    bare.get('/', (_req, res) => {
      res.json({ status: 'ok' });
    });
    bare.listen(config.BENCH_BARE_PORT, '127.0.0.1');
  }
  // 4.
  let users: DemoUsers | undefined;
  if (config.SEED_DEMO === 'true') {
    const seeded = await seedIfNeeded({
      runtime,
      keysFile,
      adminKey,
      logger,
      say,
      ...(config.DEMO_HELPLINES ? { helplines: config.DEMO_HELPLINES } : {}),
      ...(config.DEMO_FROM ? { from: config.DEMO_FROM } : {}),
    });
    if (seeded) await publishFirstRelease(runtime, say);
    if (seeded) users = await ensureDemoUsers(runtime, keysFile);
  }
  // 5.
  if (restarts === 0) {
    say('');
    say(`Helpline analytics is running: open ${runtime.url}/`);
    if (users) {
      say(`  Portal:     ${runtime.url}/portal/sign-in`);
      say(
        `              helpline ${users.helpline.username} / ${users.helpline.password} (${users.helpline.helplineId})`,
      );
      say(`              secretariat ${users.secretariat.username} / ${users.secretariat.password}`);
    }
    say(`  API:        ${runtime.url}/v1/trends?by=year&split=region`);
    say(`  Demo keys:  ${keysFile} (admin key and one key per demo helpline)`);
    say(`  Logs:       ${logFile(config.dataDir)}`);
    say('Press Ctrl-C to stop.');
  }
  logger.info({ url: runtime.url, restarts }, 'running');
  tell({ type: 'running', url: runtime.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`\nStart failed: ${(error as Error).message}\n`);
  shutdown('start failed', 1, error);
});
