/**
 * `npm run reader -- --releases <DATA_DIR>/exports --port <N> [--host 127.0.0.1] [--interval 10]`:
 * a public read replica. The only file of this stage that reads arguments and the environment.
 * Logs go to <log dir>/reader-<port>.log (default: beside the exports folder, in logs/); the
 * terminal shows errors only.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { startReader } from './reader.js';

const ArgsSchema = z.strictObject({
  releases: z.string().min(1, 'give the exports folder: --releases <DATA_DIR>/exports'),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().default('127.0.0.1'),
  /** Seconds between looks for a new release. */
  interval: z.coerce.number().min(0.2).max(3600).default(10),
  'log-dir': z.string().optional(),
  'rate-limit': z.coerce.number().int().min(1).default(600),
});

const { values } = parseArgs({
  options: {
    releases: { type: 'string' },
    port: { type: 'string', default: '3100' },
    host: { type: 'string' },
    interval: { type: 'string' },
    'log-dir': { type: 'string' },
    'rate-limit': { type: 'string' },
  },
});
const parsed = ArgsSchema.safeParse(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`--${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const args = parsed.data;
const exportsDir = resolve(args.releases);
const logDir = resolve(args['log-dir'] ?? join(dirname(exportsDir), 'logs'));
mkdirSync(logDir, { recursive: true });
const level = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info')
  .parse(process.env.LOG_LEVEL);
const logger = pino(
  { level, base: { service: 'helpline-analytics-reader' } },
  pino.multistream([
    {
      level: level as pino.Level,
      stream: pino.destination({ dest: join(logDir, `reader-${args.port}.log`), mkdir: true }),
    },
    { level: 'error', stream: pino.destination(2) },
  ]),
);
const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;

const reader = await startReader({
  exportsDir,
  port: args.port,
  host: args.host,
  logger,
  intervalMs: args.interval * 1000,
  // The writer's own code version string (bin/runtime.ts), so answers match it exactly.
  codeVersion: `helpline-analytics ${version}`,
  rateLimitPerMinute: args['rate-limit'],
});
const served = reader.releases();
console.log(
  `Reader at ${reader.url}, serving ${served.length ? served.join(', ') : 'no release yet'} from ${exportsDir}; Ctrl-C stops it.`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void reader.stop().then(() => process.exit(0));
  });
}
