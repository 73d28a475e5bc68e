/** Configuration from the environment, validated once at start with clear messages. */
import { resolve } from 'node:path';
import { z } from 'zod';

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
  KAFKA_GROUP_ID: z.string().default('helpline-warehouse'),
  KAFKA_TOPIC_SUBMISSIONS: z.string().default('helpline.submissions.v1'),
  KAFKA_TOPIC_DEAD_LETTERS: z.string().default('helpline.submissions.dlq.v1'),
  /** How soon the group notices a dead worker and hands its partitions on (broker minimum 6 s). */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(10_000),
  ADMIN_KEY: z.string().min(24, 'ADMIN_KEY must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
});

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.DATA_DIR) };
}
