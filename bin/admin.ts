/**
 * `npm run admin -- helpline add --id ID --name NAME --country CC`
 * `npm run admin -- helpline list` · `helpline rotate-key --id ID [--revoke-now]` · `helpline mappings --id ID --file map.json`
 * `npm run admin -- key list [--id ID]` · `key revoke --prefix hk_AbCd1234` (or `--key KEY`) · `key issue-admin [--days N]`
 * Talks to the running server's admin API (DuckDB allows one process per file).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adminKeyFrom, DEFAULT_URL, requestWithRetry } from './cli-http.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string' },
    name: { type: 'string' },
    country: { type: 'string' },
    region: { type: 'string' },
    file: { type: 'string' },
    prefix: { type: 'string' },
    key: { type: 'string' },
    days: { type: 'string' },
    'revoke-now': { type: 'boolean', default: false },
    url: { type: 'string', default: DEFAULT_URL },
    'admin-key': { type: 'string' },
  },
});

const usage = `Usage:
  npm run admin -- helpline add --id ID --name NAME --country CC [--region R]
  npm run admin -- helpline list
  npm run admin -- helpline rotate-key --id ID [--revoke-now]   (old keys: 7 more days, or stop now)
  npm run admin -- helpline mappings --id ID --file mappings.json
  npm run admin -- key list [--id ID]                            (prefixes, expiry, revoked)
  npm run admin -- key revoke --prefix hk_AbCd1234 | --key KEY   (stops working now)
  npm run admin -- key issue-admin [--days 90]                   (a new admin key that expires)
Options: --url (default ${DEFAULT_URL}), --admin-key (or ADMIN_KEY, or .data/demo-keys.json)`;

async function main(): Promise<number> {
  const [noun, verb] = positionals;
  if ((noun !== 'helpline' && noun !== 'key') || !verb) {
    process.stdout.write(`${usage}\n`);
    return 2;
  }
  const headers = { authorization: `Bearer ${adminKeyFrom(values['admin-key'])}`, 'content-type': 'application/json' };
  const call = (method: string, path: string, body?: unknown) =>
    requestWithRetry(`${values.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const need = (name: 'id' | 'name' | 'country' | 'file') => {
    const v = values[name];
    if (!v) throw new Error(`--${name} is required\n${usage}`);
    return v;
  };
  let result: Awaited<ReturnType<typeof call>>;
  switch (noun === 'key' ? `key ${verb}` : verb) {
    case 'key list':
      result = await call(
        'GET',
        values.id ? `/v1/admin/helplines/${encodeURIComponent(values.id)}/keys` : '/v1/admin/keys',
      );
      break;
    case 'key revoke':
      if (!values.prefix && !values.key) throw new Error(`--prefix or --key is required\n${usage}`);
      result = await call(
        'POST',
        '/v1/admin/keys/revoke',
        values.prefix ? { prefix: values.prefix } : { key: values.key },
      );
      break;
    case 'key issue-admin':
      result = await call('POST', '/v1/admin/keys', values.days ? { expiresInDays: Number(values.days) } : {});
      break;
    case 'add':
      result = await call('POST', '/v1/admin/helplines', {
        id: need('id'),
        name: need('name'),
        country: need('country'),
        ...(values.region ? { region: values.region } : {}),
      });
      break;
    case 'list':
      result = await call('GET', '/v1/admin/helplines');
      break;
    case 'rotate-key':
      result = await call('POST', `/v1/admin/helplines/${encodeURIComponent(need('id'))}/keys`, {
        revokePrevious: values['revoke-now'] === true,
      });
      break;
    case 'mappings':
      result = await call(
        'PUT',
        `/v1/admin/helplines/${encodeURIComponent(need('id'))}/mappings`,
        JSON.parse(readFileSync(need('file'), 'utf8')),
      );
      break;
    default:
      process.stdout.write(`${usage}\n`);
      return 2;
  }
  process.stdout.write(`${JSON.stringify(result.body, null, 2)}\n`);
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  },
);
