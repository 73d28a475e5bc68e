/** Configuration from the environment, validated once at start with clear messages. */
import { resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { isTimeZone, type JobName } from '../domain/index.js';

const schedule = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => v === 'off' || cron.validate(v), 'a cron expression (minute hour day month weekday), or off');

const ConfigSchema = z.object({
  DATA_DIR: z.string().min(1).default('.data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    ),
  KAFKA_PORT: z.coerce.number().int().min(0).max(65535).default(9092),
  /** New topics' copies and in-sync minimum; unset: 3 and 2 on a cluster of three or more, else fewer. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(9).optional(),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(9).optional(),
  KAFKA_GROUP_ID: z.string().default('helpline-warehouse'),
  KAFKA_TOPIC_SUBMISSIONS: z.string().default('helpline.submissions.v1'),
  KAFKA_TOPIC_DEAD_LETTERS: z.string().default('helpline.submissions.dlq.v1'),
  /**
   * How long the consumer may go unheard before its group drops it: Kafka's own default. A crashed
   * worker's successor does not wait for it (it tells the group the old member left).
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(45_000),
  ADMIN_KEY: z.string().min(24, 'ADMIN_KEY must be at least 24 characters').optional(),
  /** The configured ADMIN_KEY stops working this many days after the server first saw it. */
  ADMIN_KEY_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** A bearer token that may read /metrics (a Prometheus scraper), besides the admin key. */
  METRICS_TOKEN: z.string().min(24, 'METRICS_TOKEN must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  /** A smaller demo (tries and tests): the first N demo helplines, from this month on. */
  DEMO_HELPLINES: z.coerce.number().int().min(1).max(150).optional(),
  DEMO_FROM: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month written YYYY-MM')
    .optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** The secretariat's time zone: deadlines, schedules and "last month" are in it. */
  TIME_ZONE: z.string().default('UTC').refine(isTimeZone, 'an IANA time zone such as Europe/Amsterdam'),
  /** A month is on time when it arrives by this day of the following month. */
  DEADLINE_DAY: z.coerce.number().int().min(1).max(31).default(15),
  REMINDER_LEAD_DAYS: z.coerce.number().int().min(0).max(27).default(3),
  JOBS: z.enum(['on', 'off']).default('on'),
  JOB_PUBLISH_RELEASE: schedule('0 6 16 * *'),
  JOB_COMPLETENESS: schedule('0 7 * * *'),
  JOB_REMINDERS: schedule('0 8 * * *'),
  JOB_EXPORT: schedule('15 6 * * *'),
  JOB_CHECKPOINT: schedule('30 2 * * *'),
  BACKUPS_KEPT: z.coerce.number().int().min(1).max(365).default(7),
  /** How scheduled releases protect small counts: suppression, or noise (differential privacy). */
  RELEASE_MODE: z.enum(['suppression', 'noise']).default('suppression'),
  NOISE_EPSILON: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'a decimal above zero such as 1 or 0.5')
    .default('1'),
  /** The most ε all noise releases together may spend on one month. */
  PRIVACY_BUDGET_PER_MONTH: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'a decimal such as 4')
    .default('4'),
  NOISE_RECONCILE: z.enum(['true', 'false']).default('false'),
  /** DuckDB's memory limit, passed to where the warehouse opens; larger queries spill to disk. */
  DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'a size such as 256MB or 1GB')
    .default('256MB'),
  /** `npm run bench` only: a bare Express route in this process, the baseline for API throughput. */
  BENCH_BARE_PORT: z.coerce.number().int().min(1).max(65535).optional(),
});

/** The configured schedule of each job (jobs set to "off" are left out); typed by domain's job names. */
export function schedulesOf(config: Config): Partial<Record<JobName, string>> {
  const all: Record<JobName, string> = {
    'publish-release': config.JOB_PUBLISH_RELEASE,
    completeness: config.JOB_COMPLETENESS,
    reminders: config.JOB_REMINDERS,
    export: config.JOB_EXPORT,
    checkpoint: config.JOB_CHECKPOINT,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== 'off'));
}

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.DATA_DIR) };
}
