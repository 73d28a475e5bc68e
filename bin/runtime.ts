/**
 * The one process around the warehouse (DuckDB allows one process per file):
 *
 *   1. open the warehouse file (refuses if another process holds it)
 *   2. Kafka: topics, idempotent producer, consumer group → transform → warehouse
 *   3. HTTP: api + dashboards on one Express app
 *   4. scheduled jobs (node-cron), each also runnable through the admin API
 *
 * `stop()` undoes it in reverse: stop taking requests, finish the batch, close Kafka, close DuckDB.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import {
  answerFromRelease,
  closeServer,
  createApi,
  createHttpServer,
  listen,
  type ServerLimits,
} from '../api/index.js';
import { createDashboardRouter, dashboardPaths } from '../dashboards/index.js';
import { DEFAULT_TOPICS, JOB_NAMES, type Topics, TrendsQuerySchema } from '../domain/index.js';
import { createKafkaBus } from '../infra/kafka/index.js';
import { createIdempotency } from '../ingest/index.js';
import {
  createJobRunner,
  createJobs,
  createOpsStore,
  type JobRunner,
  listExport,
  parseJobName,
  type Schedules,
  startScheduler,
} from '../jobs/index.js';
import { createPortal, type Portal, portalPaths } from '../portal/index.js';
import {
  type PublishingWarehouse,
  type PublishOptions,
  publicState,
  withReleases,
  writePublicState,
} from '../releases/index.js';
import { createTransformer } from '../transform/index.js';
import { openWarehouse, ownFigures } from '../warehouse/index.js';
import { createMetrics } from './metrics.js';

const CODE_VERSION = `helpline-analytics ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}`;

export interface RuntimeOptions {
  readonly warehousePath: string;
  /** DuckDB's memory limit (DUCKDB_MEMORY_LIMIT); larger queries spill to disk. */
  readonly duckdbMemoryLimit?: string;
  readonly brokers: readonly string[];
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  /** KafkaJS's own chatter (default: `logger`). */
  readonly kafkaLogger?: Logger;
  readonly topics?: Topics;
  readonly groupId?: string;
  readonly sessionTimeoutMs?: number;
  readonly rateLimitPerMinute?: number;
  readonly adminKey?: string;
  /** The configured admin key stops working this many days after it was first seen. */
  readonly adminKeyMaxAgeDays?: number;
  /** A scrape token for `/metrics`. */
  readonly metricsToken?: string;
  readonly clock?: () => Date;
  /** Exports, backups and job locks live here (default: the warehouse file's folder). */
  readonly dataDir?: string;
  readonly jobs?: JobOptions;
  readonly releases?: ReleaseOptions;
  /** Header, body and response timeouts of the HTTP server. */
  readonly httpLimits?: ServerLimits;
  /** How often the public facts read replicas need are refreshed in the exports folder (default 10 s). */
  readonly publicStateIntervalMs?: number;
  /** New topics' replication (default: from the cluster's size, infra/kafka replicationFor). */
  readonly kafkaReplication?: { readonly factor?: number; readonly minInsyncReplicas?: number };
}

export interface ReleaseOptions {
  /** How scheduled releases protect small counts. */
  readonly mode: 'suppression' | 'noise';
  readonly epsilon: string;
  readonly budgetPerMonth: string;
  readonly reconcile?: boolean;
}

export interface JobOptions {
  /** node-cron expressions by job; none means the jobs only run when asked. */
  readonly schedules?: Readonly<Record<string, string>>;
  readonly timeZone?: string;
  readonly deadlineDay?: number;
  readonly reminderLeadDays?: number;
  readonly backupsKept?: number;
  readonly retry?: { attempts: number; delayMs: number };
  readonly webhookRetryDelayMs?: number;
}

export interface Runtime {
  readonly url: string;
  readonly warehouse: PublishingWarehouse;
  readonly topics: Topics;
  readonly jobs: JobRunner;
  /** The portal's people (accounts for the demo and the tests). */
  readonly portal: Portal;
  stop(): Promise<void>;
}

/**
 * Resolves true once the stored offsets reach `horizon` in every partition (then stays true), or
 * false when `ms` passed first. One poll at a time, shared by every waiting request.
 */
function catchUpWatch(
  horizon: ReadonlyMap<number, bigint>,
  stored: () => Promise<ReadonlyMap<number, bigint>>,
): (ms: number) => Promise<boolean> {
  let reached = [...horizon.values()].every((end) => end === 0n);
  let poll: Promise<boolean> | undefined;
  const check = async () => {
    const at = await stored();
    reached = [...horizon].every(([partition, end]) => (at.get(partition) ?? 0n) >= end);
    return reached;
  };
  return async (ms) => {
    const deadline = Date.now() + ms;
    while (!reached) {
      poll ??= check().finally(() => {
        poll = undefined;
      });
      if (await poll) break;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  };
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const topics = options.topics ?? DEFAULT_TOPICS;

  // 1.
  const warehouse = withReleases(
    await openWarehouse(
      options.warehousePath,
      options.duckdbMemoryLimit ? { memoryLimit: options.duckdbMemoryLimit } : {},
    ),
    { logger: logger.child({ stage: 'releases' }) },
  );
  if (options.adminKey) {
    const admin = await warehouse.registry.ensureAdminKey(options.adminKey, clock(), options.adminKeyMaxAgeDays ?? 365);
    const daysLeft = (new Date(admin.expiresAt).getTime() - clock().getTime()) / 86_400_000;
    if (admin.expired)
      logger.warn({ expiresAt: admin.expiresAt }, 'ADMIN_KEY has expired or was revoked: set a new one');
    else if (daysLeft < 30) logger.warn({ expiresAt: admin.expiresAt }, 'ADMIN_KEY expires soon: set a new one');
  }

  const dataDir = options.dataDir ?? dirname(options.warehousePath);
  const jobOptions = options.jobs ?? {};
  const releaseOptions: ReleaseOptions = options.releases ?? { mode: 'suppression', epsilon: '1', budgetPerMonth: '4' };
  const policy = { deadlineDay: jobOptions.deadlineDay ?? 15, timeZone: jobOptions.timeZone ?? 'UTC' };

  // 2.
  const bus = createKafkaBus({
    brokers: options.brokers,
    clientId: 'helpline-analytics',
    logger,
    ...(options.kafkaLogger ? { clientLogger: options.kafkaLogger } : {}),
    ...(options.kafkaReplication ? { replication: options.kafkaReplication } : {}),
  });
  await bus.ensureTopics(topics);
  // Everything in the topic now was produced by earlier processes: once the warehouse holds it,
  // every Idempotency-Key they answered is in the warehouse too.
  const horizon = await bus.endOffsets(topics.submissions);
  const caughtUp = catchUpWatch(horizon, () =>
    warehouse.loadTarget.storedOffsets(topics.submissions, [...horizon.keys()]),
  );
  const { metrics, text: metricsText } = createMetrics({
    lag: async () => {
      const ends = await bus.endOffsets(topics.submissions);
      const stored = await warehouse.loadTarget.storedOffsets(topics.submissions, [...ends.keys()]);
      return [...ends].map(([partition, end]) => ({
        partition,
        lag: Math.max(0, Number(end - (stored.get(partition) ?? 0n))),
      }));
    },
    duckdbMemory: async () =>
      (
        await warehouse.db.all<{ tag: string; bytes: bigint }>(
          'SELECT tag, memory_usage_bytes AS bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0',
        )
      ).map((r) => ({ tag: r.tag, bytes: Number(r.bytes) })),
  });
  const producer = await bus.producer();
  const groupId = options.groupId ?? 'helpline-warehouse';
  // The member id is kept so the next start can tell the group its predecessor is gone (after a
  // SIGKILL the group would otherwise wait a whole session timeout for it).
  const memberFile = join(dataDir, 'kafka-consumer.json');
  const previousMember = () => {
    try {
      const saved = JSON.parse(readFileSync(memberFile, 'utf8')) as { groupId?: string; memberId?: string };
      return saved.groupId === groupId ? saved.memberId : undefined;
    } catch {
      return undefined;
    }
  };
  const rememberMember = (memberId: string) => {
    try {
      writeFileSync(`${memberFile}.tmp`, JSON.stringify({ groupId, memberId }));
      renameSync(`${memberFile}.tmp`, memberFile);
    } catch (error) {
      logger.warn({ err: error }, 'could not keep the consumer member id');
    }
  };
  let transformer: ReturnType<typeof createTransformer>;
  let stopping = false;
  const onFatal = (error: Error) => {
    if (stopping) return;
    // KafkaJS gave up on this consumer: a new one takes over (the stored offsets say where).
    logger.error({ err: error }, 'consumer failed for good; starting a new one in 5 s');
    setTimeout(() => {
      if (stopping) return;
      const failed = transformer;
      transformer = newTransformer();
      void failed
        .stop()
        .catch(() => {})
        .then(() => transformer.start())
        .catch((e: unknown) => onFatal(e as Error));
    }, 5000).unref();
  };
  const newTransformer = () => {
    const previousMemberId = previousMember();
    return createTransformer({
      consumer: bus.consumer(groupId, {
        sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
        ...(previousMemberId ? { previousMemberId } : {}),
        onJoin: rememberMember,
        onFatal,
      }),
      producer,
      target: warehouse.loadTarget,
      topics,
      logger: logger.child({ stage: 'transform' }),
      clock,
      metrics,
    });
  };
  // A topic created a moment ago may not be served by its leader yet: retry the consumer's start.
  transformer = newTransformer();
  for (let attempt = 1; ; attempt++) {
    try {
      await transformer.start();
      break;
    } catch (error) {
      await transformer.stop().catch(() => {});
      if (attempt >= 10) throw error;
      logger.warn({ err: error, attempt }, 'consumer start failed; retrying');
      await new Promise((r) => setTimeout(r, 1000));
      transformer = newTransformer();
    }
  }

  // 4.
  const runner = createJobRunner({
    db: warehouse.db,
    jobs: createJobs(warehouse, {
      dataDir,
      warehousePath: options.warehousePath,
      policy,
      reminderLeadDays: jobOptions.reminderLeadDays ?? 3,
      backupsKept: jobOptions.backupsKept ?? 7,
      codeVersion: CODE_VERSION,
      wallClock: () => new Date(),
      ...(releaseOptions.mode === 'noise'
        ? {
            noise: {
              epsilon: releaseOptions.epsilon,
              budgetPerMonth: releaseOptions.budgetPerMonth,
              ...(releaseOptions.reconcile ? { reconcile: true } : {}),
            },
          }
        : {}),
      ...(jobOptions.webhookRetryDelayMs !== undefined ? { webhookRetryDelayMs: jobOptions.webhookRetryDelayMs } : {}),
    }),
    lockDir: join(dataDir, 'locks'),
    logger: logger.child({ stage: 'jobs' }),
    clock,
    ...(jobOptions.retry ? { retry: jobOptions.retry } : {}),
    onFinished: (run, seconds) => metrics.jobRun(run.job, run.outcome, seconds),
    // Every new release is exported.
    followUps: {
      'publish-release': (result) =>
        typeof result.figures.release === 'string'
          ? { job: 'export', args: { release: result.figures.release } }
          : undefined,
    },
  });
  const ops = createOpsStore(warehouse.db);
  const exportsDir = join(dataDir, 'exports');
  const releases = {
    ...warehouse.releases,
    // A release published through the API is exported too.
    async publish(o: PublishOptions) {
      const manifest = await warehouse.releases.publish(o);
      void runner.run('export', { trigger: 'chained', args: { release: manifest.id } });
      return manifest;
    },
    exports: { list: (id: string) => listExport(exportsDir, id), dir: exportsDir },
  };

  // 3.
  const dashboards = createDashboardRouter({
    // Charts are public: they read releases only, never the live warehouse.
    trends: (q) => answerFromRelease(warehouse.releases.reader, q),
    latestRelease: () => warehouse.releases.reader.latestId(),
    helplines: () => warehouse.registry.listHelplines(),
    completeness: (year) => warehouse.completeness(year, policy, clock()),
    clock,
  });
  const submissions = {
    producer,
    topics,
    store: warehouse.submissions,
    // One instance for the API and the portal: a key's attempt in flight is seen by both.
    idempotency: createIdempotency({ store: warehouse.submissions, clock, caughtUp }),
    mappings: (id: string) => warehouse.registry.getMappings(id),
    clock,
    logger: logger.child({ stage: 'ingest' }),
  };
  const portal = await createPortal({
    db: warehouse.db,
    logger: logger.child({ stage: 'portal' }),
    clock,
    policy,
    accept: { ...submissions, receipts: warehouse.submissions, locks: warehouse.submissions },
    submissions: warehouse.submissions,
    mappings: submissions.mappings,
    registry: warehouse.registry,
    releases: {
      preview: (now, baseUrl) => warehouse.releases.publish({ now, codeVersion: CODE_VERSION, baseUrl, preview: true }),
      publish: (now, baseUrl, checksum) =>
        releases.publish({ now, codeVersion: CODE_VERSION, baseUrl, expectChecksum: checksum }),
      list: () => warehouse.releases.list(),
    },
    completeness: (year, now) => warehouse.completeness(year, policy, now),
    reminders: (limit) => ops.reminders(limit),
    figures: {
      own: (id, year) => ownFigures(warehouse.db, id, year),
      regionOf: async (id) => {
        const h = await warehouse.registry.findHelpline(id);
        return h ? { region: h.region, name: h.name } : undefined;
      },
      regionPublished: async (region, year) => {
        const q = TrendsQuerySchema.parse({ by: 'year', split: 'harmGroup', region, from: `${year}`, to: `${year}` });
        try {
          const answer = await answerFromRelease(warehouse.releases.reader, q);
          return {
            release: answer.release,
            byGroup: new Map(answer.rows.map((r) => [String(r.harmGroup), r.value])),
          };
        } catch {
          // No release yet, or the year is outside it: nothing published to compare with.
          return undefined;
        }
      },
    },
  });
  const app = createApi({
    logger: logger.child({ stage: 'api' }),
    authenticate: (key) => warehouse.registry.authenticate(key, clock()),
    submissions,
    trends: warehouse.trends,
    releases,
    codeVersion: CODE_VERSION,
    completeness: (year, now) => warehouse.completeness(year, policy, now),
    metrics,
    metricsText,
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    noise: { epsilon: releaseOptions.epsilon, budgetPerMonth: releaseOptions.budgetPerMonth },
    jobs: {
      names: JOB_NAMES,
      schedules: jobOptions.schedules ?? {},
      timeZone: policy.timeZone,
      parse: parseJobName,
      run: (name, args) => runner.run(parseJobName(name), { trigger: 'manual', args }),
      recent: (limit, job) => runner.recent(limit, job ? parseJobName(job) : undefined),
      setWebhook: (id, url, now) => ops.setWebhook(id, url, now),
      deleteWebhook: (id) => ops.deleteWebhook(id),
      reminders: (limit) => ops.reminders(limit),
      helplineExists: async (id) => (await warehouse.registry.findHelpline(id)) !== undefined,
    },
    ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    registry: warehouse.registry,
    clock,
    ready: async () => ({
      kafka: await bus.ping(),
      duckdb: await warehouse.factCount().then(
        () => true,
        () => false,
      ),
    }),
    routers: [portal.router, dashboards],
    paths: [portalPaths, dashboardPaths],
  });
  const server: Server = await listen(
    createHttpServer(app, logger.child({ stage: 'http' }), options.httpLimits),
    options.port,
    options.host ?? '127.0.0.1',
  );
  const address = server.address() as AddressInfo;
  const url = `http://${address.address === '::' ? 'localhost' : address.address}:${address.port}`;
  logger.info({ url }, 'server listening');
  // Read replicas (reader/) serve the public API from the exports folder: keep its public facts
  // (register, arrivals, privacy budget) current there.
  const refreshPublicState = async () => {
    await mkdir(exportsDir, { recursive: true });
    await writePublicState(exportsDir, await publicState(warehouse.db, policy, releaseOptions.budgetPerMonth));
  };
  await refreshPublicState().catch((error: unknown) => logger.warn({ err: error }, 'public state not written'));
  let refreshingState = false;
  const publicStateTimer = setInterval(() => {
    // One refresh at a time: a slow one (a busy warehouse) is not overtaken by the next.
    if (refreshingState) return;
    refreshingState = true;
    void refreshPublicState()
      .catch((error: unknown) => logger.warn({ err: error }, 'public state not written'))
      .finally(() => {
        refreshingState = false;
      });
  }, options.publicStateIntervalMs ?? 10_000);
  publicStateTimer.unref();
  const scheduler = jobOptions.schedules
    ? startScheduler(runner, jobOptions.schedules as Schedules, policy.timeZone, logger.child({ stage: 'jobs' }))
    : undefined;

  let stopped = false;
  return {
    url,
    warehouse,
    topics,
    jobs: runner,
    portal,
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping = true;
      clearInterval(publicStateTimer);
      // No new scheduled runs; runs in flight finish (a release or an export is not cut in half).
      await scheduler?.stop();
      await runner.drain();
      // Let requests in flight finish (they may be writing receipts), then cut the rest.
      await closeServer(server);
      await transformer.stop().catch((error: unknown) => logger.warn({ err: error }, 'consumer stop failed'));
      await producer.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'producer stop failed'));
      warehouse.close();
    },
  };
}
