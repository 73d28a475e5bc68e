/**
 * `npm run admin -- helpline add --id ID --name NAME --country CC`
 * `npm run admin -- helpline list` · `helpline rotate-key --id ID [--revoke-now]` · `helpline mappings --id ID --file map.json`
 * `npm run admin -- key list [--id ID]` · `key revoke --prefix hk_AbCd1234` (or `--key KEY`) · `key issue-admin [--days N]`
 * `npm run admin -- user add --username U --name NAME --role officer|helpline_admin|secretariat [--helpline ID]`
 *   (prints a one-time set-password link) · `user list` · `user link --username U` (a new link)
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
    username: { type: 'string' },
    role: { type: 'string' },
    helpline: { type: 'string' },
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
  npm run admin -- user add --username U --name NAME --role officer|helpline_admin|secretariat [--helpline ID]
                                                                 (prints a one-time set-password link)
  npm run admin -- user list
  npm run admin -- user link --username U                        (a new one-time link; the old one stops)
Options: --url (default ${DEFAULT_URL}), --admin-key (or ADMIN_KEY, or .data/demo-keys.json)`;

async function main(): Promise<number> {
  const [noun, verb] = positionals;
  if ((noun !== 'helpline' && noun !== 'key' && noun !== 'user') || !verb) {
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
  const need = (name: 'id' | 'name' | 'country' | 'file' | 'username' | 'role') => {
    const v = values[name];
    if (!v) throw new Error(`--${name} is required\n${usage}`);
    return v;
  };
  /** The named options, in that order, each required. */
  const needed = (...names: Parameters<typeof need>[0][]) => Object.fromEntries(names.map((n) => [n, need(n)]));
  let result: Awaited<ReturnType<typeof call>>;
  /** Prints the one-time set-password link the API issued (201); false when it issued none. */
  const printedSetPasswordLink = (answer: typeof result) => {
    if (answer.status !== 201) return false;
    const b = answer.body as { setPasswordUrl: string; expiresAt: string };
    process.stdout.write(`Set-password link (works once, until ${b.expiresAt}):\n${b.setPasswordUrl}\n`);
    return true;
  };
  switch (noun === 'helpline' ? verb : `${noun} ${verb}`) {
    case 'user add':
      result = await call('POST', '/v1/admin/users', {
        ...needed('username', 'name', 'role'),
        ...(values.helpline ? { helplineId: values.helpline } : {}),
      });
      if (printedSetPasswordLink(result)) return 0;
      break;
    case 'user list':
      result = await call('GET', '/v1/admin/users');
      break;
    case 'user link':
      result = await call('POST', `/v1/admin/users/${encodeURIComponent(need('username'))}/link`);
      if (printedSetPasswordLink(result)) return 0;
      break;
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
        ...needed('id', 'name', 'country'),
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
