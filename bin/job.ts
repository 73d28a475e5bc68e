/**
 * `npm run job -- <name> [--force] [--release ID]` runs a scheduled job once, now, in the running
 * server (DuckDB allows one process per file), and prints its record. `npm run job -- list` shows
 * the schedules and recent runs. Exit code 0 when the run succeeded or had nothing to do.
 */
import { parseArgs } from 'node:util';
import { JOB_NAMES } from '../domain/index.js';
import { adminKeyFrom, DEFAULT_URL, requestWithRetry } from './cli-http.js';

const NAMES: readonly string[] = JOB_NAMES;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    force: { type: 'boolean', default: false },
    release: { type: 'string' },
    url: { type: 'string', default: DEFAULT_URL },
    'admin-key': { type: 'string' },
  },
});

const usage = `Usage:
  npm run job -- <${NAMES.join('|')}> [--force] [--release ID]
  npm run job -- list
Options: --url (default ${DEFAULT_URL}), --admin-key (or ADMIN_KEY, or .data/demo-keys.json)`;

async function main(): Promise<number> {
  const [name] = positionals;
  if (!name || (name !== 'list' && !NAMES.includes(name))) {
    process.stdout.write(`${usage}\n`);
    return 2;
  }
  const headers = { authorization: `Bearer ${adminKeyFrom(values['admin-key'])}`, 'content-type': 'application/json' };
  if (name === 'list') {
    const r = await requestWithRetry(`${values.url}/v1/admin/jobs`, { headers });
    process.stdout.write(`${JSON.stringify(r.body, null, 2)}\n`);
    return r.status === 200 ? 0 : 1;
  }
  process.stderr.write(`Running ${name} on ${values.url}…\n`);
  // One attempt: a retry of a job that is still running would be skipped as "already running".
  const r = await requestWithRetry(
    `${values.url}/v1/admin/jobs/${name}`,
    {
      method: 'POST',
      headers,
      body: JSON.stringify({
        ...(values.force ? { force: true } : {}),
        ...(values.release ? { release: values.release } : {}),
      }),
    },
    1,
  );
  process.stdout.write(`${JSON.stringify(r.body, null, 2)}\n`);
  const outcome = (r.body as { outcome?: string }).outcome;
  return r.status === 200 && (outcome === 'succeeded' || outcome === 'skipped') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
