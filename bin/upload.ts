/**
 * `npm run upload -- --key KEY [--url URL] [--dry-run] file1.csv file2.json ...`
 * Uploads many months, a progress bar on the way, retrying 503s with backoff. Each file's
 * Idempotency-Key is its content hash, so a retry can never make a second version.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { DEFAULT_URL, requestWithRetry } from './cli-http.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    key: { type: 'string' },
    url: { type: 'string', default: DEFAULT_URL },
    'dry-run': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help || positionals.length === 0 || !values.key) {
  process.stdout.write(
    'Usage: npm run upload -- --key HELPLINE_KEY [--url http://127.0.0.1:3000] [--dry-run] FILE...\n',
  );
  process.exit(values.help ? 0 : 2);
}

const bar = new SingleBar({
  format: ' upload [{bar}] {value}/{total} files | {file}',
  noTTYOutput: true,
  notTTYSchedule: 2000,
});
bar.start(positionals.length, 0, { file: '' });
const results: { file: string; outcome: string; detail: string }[] = [];
for (const file of positionals) {
  bar.update({ file: basename(file) });
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    results.push({ file, outcome: 'unreadable', detail: (error as Error).message });
    bar.increment();
    continue;
  }
  const json = /\.json$/i.test(file);
  const result = await requestWithRetry(`${values.url}/v1/submissions${values['dry-run'] ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${values.key}`,
      'content-type': json ? 'application/json' : 'text/csv',
      'idempotency-key': `file-${createHash('sha256').update(bytes).digest('hex').slice(0, 40)}`,
    },
    body: bytes,
  });
  const body = result.body as {
    submissionId?: string;
    period?: string;
    title?: string;
    warnings?: string[];
    errors?: { message: string }[];
  };
  if (result.status === 202 || result.status === 200) {
    const warnings = body.warnings?.length ? `; warnings: ${body.warnings.join(' ')}` : '';
    results.push({
      file,
      outcome: result.status === 202 ? 'accepted' : 'unchanged/validated',
      detail: `${body.period} ${body.submissionId}${warnings}`,
    });
  } else {
    const problems = (body.errors ?? [])
      .slice(0, 10)
      .map((e) => `\n    - ${e.message}`)
      .join('');
    results.push({ file, outcome: `rejected (HTTP ${result.status})`, detail: `${body.title ?? ''}${problems}` });
  }
  bar.increment();
}
bar.stop();
for (const r of results) process.stdout.write(`${r.outcome.padEnd(22)} ${r.file}: ${r.detail}\n`);
const failed = results.filter((r) => !r.outcome.startsWith('accepted') && !r.outcome.startsWith('unchanged'));
process.stdout.write(`\n${results.length - failed.length} of ${results.length} file(s) accepted.\n`);
process.exit(failed.length > 0 ? 1 : 0);
