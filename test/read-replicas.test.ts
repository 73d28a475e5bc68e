/**
 * Public read replicas: two `npm run reader` processes on the writer's exports folder, Debian's
 * nginx in front of them with the repo's example configuration (infra/nginx/readers.conf).
 *
 *   - for every public route, each reader's answer (and nginx's) equals the writer's byte for
 *     byte: status, body, ETag, Content-Type, Cache-Control, X-Release;
 *   - a new release is picked up within the interval while requests keep flowing, none dropped;
 *   - the writer stopped, the readers keep serving the same bytes; a reader SIGKILLed, nginx
 *     sends its requests to the other;
 *   - the release files hold no unpublished figure: every withheld cell is empty in them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Runtime, startRuntime } from '../bin/runtime.js';
import { freePort } from '../infra/kafka/index.js';
import { type LocalNginx, startLocalNginx } from '../infra/nginx/index.js';
import { FIXTURE_MONTHS, loadBodies } from './helpers/fixture-warehouse.js';
import { uniqueTopics, waitFor } from './helpers/runtime.js';
import { SMALL_HELPLINES, smallBody } from './helpers/small-counts.js';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let writer: Runtime;
let adminKey: string;
let nginx: LocalNginx;
const readers: { port: number; url: string; child: ChildProcess }[] = [];
let firstRelease: string;

async function startReaderProcess(exportsDir: string): Promise<{ port: number; url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'reader/main.ts',
      '--releases',
      exportsDir,
      '--port',
      String(port),
      '--interval',
      '1',
      '--rate-limit',
      '1000000',
      '--log-dir',
      join(dir, 'logs'),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(`reader on ${port}`, async () => (/Reader at/.test(out) ? true : undefined), 120_000).catch(() => {
    throw new Error(`the reader did not start: ${out}`);
  });
  return { port, url: `http://127.0.0.1:${port}`, child };
}

const publish = async () => {
  const r = await fetch(`${writer.url}/v1/admin/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(r.status).toBe(201);
  const { id } = (await r.json()) as { id: string };
  await waitFor(
    `the export of ${id}`,
    async () => (existsSync(join(dir, 'exports', id, 'SHA256SUMS')) ? true : undefined),
    180_000,
  );
  return id;
};

interface Answer {
  status: number;
  body: Buffer;
  etag: string | null;
  type: string | null;
  cache: string | null;
  release: string | null;
}

let requestNo = 0;
async function answer(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  // The same request id on both sides: error bodies carry it.
  const r = await fetch(`${base}${path}`, {
    headers: { 'x-request-id': `eq-${requestNo++}`, ...headers },
    signal: AbortSignal.timeout(120_000),
  });
  return {
    status: r.status,
    body: Buffer.from(await r.arrayBuffer()),
    etag: r.headers.get('etag'),
    type: r.headers.get('content-type'),
    cache: r.headers.get('cache-control'),
    release: r.headers.get('x-release'),
  };
}

const same = async (bases: string[], path: string, headers: Record<string, string> = {}) => {
  const id = `eq-${requestNo++}`;
  const got = [];
  for (const base of bases) got.push(await answer(base, path, { ...headers, 'x-request-id': id }));
  return got;
};

function publicRoutes(release: string): [string, Record<string, string>?][] {
  return [
    ['/v1/trends?by=year'],
    ['/v1/trends?by=month&split=region'],
    ['/v1/trends?by=year&split=country&harm=ocsea'],
    [`/v1/trends?by=year&split=harmGroup&release=${release}`],
    ['/v1/trends?by=year&split=gender&format=csv'],
    ['/v1/trends?by=month&region=europe', { accept: 'application/vnd.apache.arrow.stream' }],
    ['/v1/trends?by=year&split=ageBand&lang=fr'],
    ['/v1/trends?by=decade'],
    ['/v1/trends?by=year&release=1999-01'],
    ['/v1/releases'],
    [`/v1/releases/${release}`],
    [`/v1/releases/${release}/files/cells.csv`],
    [`/v1/releases/${release}/files/cells.parquet`],
    [`/v1/releases/${release}/files/SHA256SUMS`],
    ['/v1/privacy/budget'],
    ['/v1/meta/harm-types'],
    ['/v1/meta/dimensions?lang=ar'],
    ['/v1/meta/regions', { 'accept-language': 'es' }],
    ['/v1/meta/countries'],
    ['/v1/completeness?year=2024'],
    ['/v1/completeness?year=2024&format=csv'],
    ['/v1/completeness?year=2031'],
    ['/v1/openapi.json'],
    ['/docs'],
    ['/docs/init.js'],
    ['/docs/assets/swagger-ui.css'],
    ['/charts/trend.vl.json?split=region'],
    ['/charts/trend.svg'],
    [`/charts/trend.png?release=${release}`],
    ['/charts/trend.csv?harm=ocsea'],
    ['/charts/harm-mix.svg?region=europe'],
    ['/charts/map.vl.json'],
    ['/charts/breakdown.svg?split=gender'],
    ['/embed/trend?split=region&lang=pt'],
    ['/'],
    ['/?region=africa&lang=fr'],
    ['/builder'],
    ['/vendor/vega-embed.min.js'],
    ['/assets/embed.js'],
    ['/nothing-here'],
  ];
}

const summary = (a: Answer) => ({
  status: a.status,
  etag: a.etag,
  type: a.type,
  cache: a.cache,
  release: a.release,
  bytes: a.body.length,
});

function expectSame(path: string, got: Answer[]) {
  const [first, ...rest] = got as [Answer, ...Answer[]];
  for (const other of rest) {
    expect({ path, ...summary(other) }).toEqual({ path, ...summary(first) });
    expect(other.body.equals(first.body), `${path}: the bodies differ`).toBe(true);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'read-replicas-'));
  adminKey = `ak_test_${randomBytes(24).toString('base64url')}`;
  writer = await startRuntime({
    warehousePath: join(dir, 'warehouse.duckdb'),
    dataDir: dir,
    brokers: inject('kafkaBrokers'),
    port: 0,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    topics: uniqueTopics(),
    groupId: `test-group-${randomBytes(4).toString('hex')}`,
    adminKey,
    rateLimitPerMinute: 1_000_000,
    publicStateIntervalMs: 300,
  });
  for (const h of SMALL_HELPLINES)
    await writer.warehouse.registry.addHelpline({ ...h, name: `${h.id} line` }, new Date('2024-01-01'));
  await loadBodies(
    writer.warehouse,
    SMALL_HELPLINES.flatMap((h) => FIXTURE_MONTHS.map((period) => ({ helpline: h.id, body: smallBody(h.id, period) }))),
  );
  firstRelease = await publish();
  const exportsDir = join(dir, 'exports');
  readers.push(await startReaderProcess(exportsDir), await startReaderProcess(exportsDir));
  nginx = await startLocalNginx({
    dir: join(dir, 'nginx'),
    listenPort: await freePort(),
    upstreams: readers.map((r) => r.port),
  });
}, 600_000);

afterAll(async () => {
  await nginx?.stop();
  const alive = readers.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  for (const r of alive) r.child.kill('SIGTERM');
  await Promise.all(alive.map((r) => new Promise((ok) => r.child.once('exit', ok))));
  await writer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Readers see the writer's latest files (they look every second). */
const caughtUp = () =>
  waitFor(
    'the readers to serve what the writer serves',
    async () => {
      for (const path of ['/v1/releases', '/v1/completeness?year=2024', '/v1/privacy/budget']) {
        const [w, ...rs] = await same([writer.url, ...readers.map((r) => r.url)], path);
        if (!rs.every((r) => r.body.equals((w as Answer).body))) return undefined;
      }
      return true;
    },
    60_000,
  );

describe('read replicas behind nginx', () => {
  it('answer every public route as the writer does, byte for byte and ETag for ETag', async () => {
    await caughtUp();
    const bases = [writer.url, ...readers.map((r) => r.url), nginx.url];
    const statuses = new Set<number>();
    for (const [path, headers] of publicRoutes(firstRelease)) {
      const got = await same(bases, path, headers);
      expectSame(path, got);
      statuses.add((got[0] as Answer).status);
    }
    // The list covers answers and refusals alike.
    expect([...statuses].sort()).toEqual([200, 400, 404]);
  }, 600_000);

  it('say which release answered, and keep pinned answers a year', async () => {
    const unpinned = await answer(nginx.url, '/charts/trend.svg');
    expect(unpinned.cache).toBe('public, max-age=300');
    expect(unpinned.release).toBe(firstRelease);
    const pinned = await answer(nginx.url, `/v1/trends?by=year&release=${firstRelease}`);
    expect(pinned.cache).toBe('public, max-age=31536000, immutable');
  });

  it('refuse uploads and keys: they are the writer’s', async () => {
    const post = await fetch(`${nginx.url}/v1/submissions`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(403);
    const direct = await fetch(`${readers[0]?.url}/v1/submissions`, { method: 'POST', body: 'x' });
    expect(direct.status).toBe(404);
    const live = await fetch(`${readers[0]?.url}/v1/trends?by=year&release=live`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(live.status).toBe(401);
  });

  it('pick up a new release within the interval without dropping a request', async () => {
    let running = true;
    const statuses: number[] = [];
    const seen = new Set<string>();
    const client = async () => {
      while (running) {
        const r = await fetch(`${nginx.url}/v1/trends?by=month&split=region`).catch(() => undefined);
        statuses.push(r?.status ?? 0);
        const release = r?.headers.get('x-release');
        if (release) seen.add(release);
        await r?.arrayBuffer();
      }
    };
    const clients = [client(), client(), client()];
    const second = await publish();
    expect(second).not.toBe(firstRelease);
    const started = Date.now();
    await waitFor(
      'both readers serving the new release',
      async () => {
        const answers = await Promise.all(readers.map((r) => answer(r.url, '/v1/trends?by=year')));
        return answers.every((a) => a.release === second) ? true : undefined;
      },
      60_000,
    );
    const pickedUpMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(seen).toEqual(new Set([firstRelease, second]));
    // The interval is 1 s; loading the files takes a moment more on a busy machine.
    expect(pickedUpMs).toBeLessThan(60_000);
    await caughtUp();
    for (const [path, headers] of publicRoutes(second).slice(0, 12)) {
      expectSame(path, await same([writer.url, ...readers.map((r) => r.url)], path, headers));
    }
  }, 600_000);

  it('keep serving with the writer stopped, and with one reader killed', async () => {
    const routes = publicRoutes(firstRelease);
    const before = new Map<string, Answer>();
    // A request id per route (error bodies carry it), the same in every round.
    const idOf = (path: string) => `fixed-${routes.findIndex(([p]) => p === path)}`;
    for (const [path, headers] of routes) {
      before.set(path, await answer(writer.url, path, { ...headers, 'x-request-id': idOf(path) }));
    }
    await writer.stop();
    for (const [path, headers] of routes) {
      const got = await answer(nginx.url, path, { ...headers, 'x-request-id': idOf(path) });
      expectSame(path, [before.get(path) as Answer, got]);
    }
    const victim = readers[0] as (typeof readers)[number];
    victim.child.kill('SIGKILL');
    await new Promise((ok) => victim.child.once('exit', ok));
    for (const [path, headers] of routes) {
      const got = await answer(nginx.url, path, { ...headers, 'x-request-id': idOf(path) });
      expectSame(path, [before.get(path) as Answer, got]);
    }
  }, 600_000);
});

describe('the release files', () => {
  it('hold no withheld figure: every withheld cell is empty, and nothing but published tables', async () => {
    const exportsDir = join(dir, 'exports');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const file = join(exportsDir, firstRelease, 'cells.parquet').replace(/'/g, "''");
    const rows = (
      await db.runAndReadAll(
        `SELECT count(*) FILTER (WHERE withheld) AS withheld, count(*) FILTER (WHERE withheld AND cases IS NOT NULL) AS leaked FROM read_parquet('${file}')`,
      )
    ).getRowObjectsJS() as { withheld: bigint; leaked: bigint }[];
    expect(rows[0]?.withheld).toBeGreaterThan(0n);
    expect(rows[0]?.leaked).toBe(0n);
    const state = readFileSync(join(exportsDir, 'public-state.json'), 'utf8');
    // The register and arrival times only: no count, no key.
    expect(Object.keys(JSON.parse(state))).toEqual(['version', 'helplines', 'arrivals', 'policy', 'budget']);
    expect(state).not.toMatch(/"count"|"key"|ak_/);
    db.closeSync();
  });
});
