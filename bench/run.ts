/**
 * `npm run bench [-- --quick]`: the pipeline measured against baselines measured in the same run
 * on the same machine, written to bench/results.json and printed as a table.
 *
 *   first start (`npm start` on a fresh data folder → the printed URL: demo seeded, first release)
 *   → release publication (that first release, on the demo data) → data set → raw Kafka baseline →
 *   raw DuckDB baseline → ingest end to end (HTTP → Kafka → DuckDB → queryable) → freshness at a
 *   steady 50 submissions/s → a release → queries (autocannon) vs a bare Express route in the same
 *   process → chart renders → peak memory → rebuild from the topic
 *
 * A phase that cannot be measured fails the run (exit 1); no figure is ever made up.
 *
 * `--only queries,memory` (profiling one part): only the named groups of phases (first-start,
 * baselines, ingest, freshness, queries, memory, rebuild) and what they stand on (the data set, the
 * server, ingest); figures go to results-only.json, never the figures of record.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import autocannon from 'autocannon';
import pino from 'pino';
import { rebuildWarehouse } from '../bin/rebuild-warehouse.js';
import { buildChart } from '../dashboards/index.js';
import { renderSvg, svgToPng } from '../dashboards/render.js';
import { demoSubmission, monthsBetween } from '../demo/generator.js';
import { ChartParamsSchema } from '../domain/index.js';
import { freePort, KAFKA_VERSION, startLocalKafka } from '../infra/kafka/index.js';
import { rawDuckDb, rawKafka } from './baselines.js';
import { benchHelplines, ensureDataset, readLines, SHAPES } from './dataset.js';
import { firstStart } from './first-start.js';
import { benchReplicas } from './replicas.js';
import { peakRssMb, percentile, progress, round, rssMb } from './stats.js';

const shape = process.argv.includes('--quick') ? SHAPES.quick : SHAPES.full;
if (!shape) throw new Error('unknown shape');
// Groups for `--only`: first-start, baselines, ingest, freshness, queries, memory, rebuild.
const only = process.argv.includes('--only')
  ? new Set((process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',').filter(Boolean))
  : undefined;
const GROUPS: readonly [RegExp, string][] = [
  [/^(first start|release publication)/, 'first-start'],
  [/^baseline/, 'baselines'],
  [/^ingest/, 'ingest'],
  [/^freshness/, 'freshness'],
  [/^(release for|queries|chart|reads)/, 'queries'],
  [/^peak memory/, 'memory'],
  [/^rebuild/, 'rebuild'],
];
const skipped = (name: string) => {
  const group = GROUPS.find(([pattern]) => pattern.test(name))?.[1];
  // The data set and the ingest are what every later phase stands on.
  return only !== undefined && group !== undefined && group !== 'ingest' && !only.has(group);
};
const ROOT = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'helpline-bench-'));
const say = (line: string) => process.stdout.write(`${line}\n`);
const results: Record<string, unknown> = {};
const failures: string[] = [];

/** The server's resident memory (and V8 heap) after each phase: where the peak comes from. */
const rssAfter: Record<string, number> = {};
const heapAfter: Record<string, number> = {};
let serverPid: number | undefined;
let serverUrl: string | undefined;

/** DuckDB's memory (duckdb_memory(), all tags) in the server after each phase. */
const duckdbAfter: Record<string, number> = {};

/** V8's heap size in the server, from its /metrics (and DuckDB's memory, into duckdbAfter). */
async function serverHeapMb(phase?: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text();
  const bytes = Number(/^helpline_nodejs_heap_size_total_bytes (\d+(\.\d+)?)/m.exec(text)?.[1]);
  const duck = [...text.matchAll(/^helpline_duckdb_memory_bytes\{[^}]*\} (\d+)/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );
  if (phase) duckdbAfter[phase] = round(duck / 2 ** 20, 0);
  return round(bytes / 2 ** 20, 0);
}

/** The server's output and log, kept after the run (the work folder is removed). */
const SERVER_LOGS = join(ROOT, '.cache', 'bench', 'server');
let current: Server | undefined;
let stoppingServer = false;

function lastLines(path: string, n = 15): string {
  if (!existsSync(path)) return '  (none)';
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n);
  return lines.map((l) => `  ${l.slice(0, 400)}`).join('\n') || '  (empty)';
}

/** When a phase fails: how the server is (running, or how it ended) and the end of what it wrote. */
function serverReport(server: Server): string {
  const ending = server.ended();
  return [
    ending
      ? `  the server has ended: ${ending.signal ? `signal ${ending.signal}` : `exit code ${ending.code}`}${ending.reason ? ` (it logged: ${ending.reason})` : ''}`
      : '  the server is still running',
    `  stderr (${server.files.stderr}):`,
    lastLines(server.files.stderr),
    `  log (${server.files.log}):`,
    lastLines(server.files.log),
  ].join('\n');
}

/** The machine's load average over each phase: two shared cores, so figures are read with it. */
const loadDuring: Record<string, { before: number; after: number }> = {};

// The quick shape is for trying the bench out; only a full run writes the figures of record.
const resultsFile = only ? 'results-only.json' : shape.name === 'full' ? 'results.json' : `results-${shape.name}.json`;

async function phase<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  if (skipped(name)) return undefined;
  // What is measured so far is on disk before each phase (`complete: false`): a run cut short on a
  // loaded machine still leaves its figures.
  writeFileSync(
    join(ROOT, 'bench', resultsFile),
    `${JSON.stringify({ ...results, loadAverage: loadDuring, failures, complete: false }, null, 2)}\n`,
  );
  say(`\n▶ ${name}`);
  const t0 = performance.now();
  const before = round(loadavg()[0] ?? 0, 1);
  try {
    const out = await run();
    loadDuring[name] = { before, after: round(loadavg()[0] ?? 0, 1) };
    say(`  done in ${round((performance.now() - t0) / 1000)} s (load average ${before} → ${loadDuring[name]?.after})`);
    if (serverPid) rssAfter[name] = await rssMb(serverPid).catch(() => 0);
    if (serverUrl) heapAfter[name] = await serverHeapMb(name).catch(() => 0);
    return out;
  } catch (error) {
    failures.push(`${name}: ${(error as Error).message}`);
    say(`  FAILED: ${(error as Error).message}`);
    if (current) say(serverReport(current));
    return undefined;
  }
}

interface ServerEnding {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the server said it stopped (its log's last "shutting down" record), if it said. */
  readonly reason: string | null;
}

interface Server {
  readonly url: string;
  readonly bareUrl: string;
  readonly child: ChildProcess;
  readonly files: { readonly stdout: string; readonly stderr: string; readonly log: string };
  ended(): ServerEnding | undefined;
  stop(): Promise<number | null>;
}

/** The reason in the server's last "shutting down" log record (the signal, or the fault). */
function loggedReason(logPath: string): string | null {
  if (!existsSync(logPath)) return null;
  const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').reverse();
  for (const line of lines) {
    if (!line.includes('shutting down')) continue;
    try {
      const record = JSON.parse(line) as { reason?: string; err?: { message?: string } };
      return [record.reason, record.err?.message].filter(Boolean).join(': ') || null;
    } catch {
      return null;
    }
  }
  return null;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const barePort = await freePort();
  rmSync(SERVER_LOGS, { recursive: true, force: true });
  mkdirSync(SERVER_LOGS, { recursive: true });
  const files = {
    stdout: join(SERVER_LOGS, 'stdout.log'),
    stderr: join(SERVER_LOGS, 'stderr.log'),
    log: join(env.DATA_DIR ?? work, 'logs', 'app.log'),
  };
  // The app itself (what npm start supervises): its pid is the process whose memory is measured.
  // BENCH_SERVER_NODE_ARGS (profiling): e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` for the server only.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'bin', 'app.ts')], {
    cwd: ROOT,
    // As bin/supervisor.ts starts the app (MALLOC_ARENA_MAX: see there).
    env: { MALLOC_ARENA_MAX: '2', ...process.env, ...env, PORT: String(port), BENCH_BARE_PORT: String(barePort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(createWriteStream(files.stdout));
  child.stderr?.pipe(createWriteStream(files.stderr));
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => {
    tail = (tail + c.toString()).slice(-3000);
  });
  let ending: ServerEnding | undefined;
  child.once('exit', (code, signal) => {
    ending = { code, signal, reason: loggedReason(files.log) };
    if (!stoppingServer) say(`\n  the server ended unexpectedly: ${JSON.stringify(ending)}`);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${tail}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('the server did not start in 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const server: Server = {
    url,
    bareUrl: `http://127.0.0.1:${barePort}`,
    child,
    files,
    ended: () => ending,
    stop: () =>
      new Promise((ok) => {
        stoppingServer = true;
        if (child.exitCode !== null || child.signalCode !== null) return ok(child.exitCode);
        child.once('exit', (code) => ok(code));
        child.kill('SIGTERM');
      }),
  };
  current = server;
  return server;
}

/** The server's CPU time so far (user + system, ms), from /proc: a figure the machine's load disturbs less than a rate. */
function serverCpuMs(): number {
  if (!serverPid || !existsSync(`/proc/${serverPid}/stat`)) return Number.NaN;
  const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function cannon(url: string, requests: { path: string; headers?: Record<string, string> }[], seconds = 10) {
  let firstRefusal = '';
  const cpuBefore = serverCpuMs();
  const result = await autocannon({
    url,
    connections: 10,
    duration: seconds,
    requests: requests.map((r) => ({
      method: 'GET',
      path: r.path,
      ...(r.headers ? { headers: r.headers } : {}),
      onResponse: (status: number, body: string) => {
        if (status >= 300 && !firstRefusal) firstRefusal = `${r.path} → HTTP ${status} ${body.slice(0, 300)}`;
      },
    })),
  });
  // Every answer must be a success; a transport error (a connection reset as nginx or a reader
  // recycles a keep-alive connection) is counted, and fails the phase past one in a thousand.
  if (result.non2xx > 0 || result.errors > result.requests.total / 1000) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx answers ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors (first: ${firstRefusal})`,
    );
  }
  return {
    requestsPerSecond: round(result.requests.average, 0),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    // The server's CPU per answer (this process's other work — the consumer — included).
    serverCpuMsPerRequest: round((serverCpuMs() - cpuBefore) / result.requests.total, 3),
  };
}

const adminKey = `ak_bench_${randomBytes(24).toString('base64url')}`;
const helplines = benchHelplines(shape);
const keys = new Map<string, string>();
const byId = new Map(helplines.map((h) => [h.id, h]));

async function main(): Promise<void> {
  const duck = await DuckDBInstance.create(':memory:');
  const version = (await (await duck.connect()).runAndReadAll('SELECT version() AS v')).getRowObjects()[0] as {
    v: string;
  };
  duck.closeSync();
  results.machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 2 ** 30),
    freeMemoryGb: round(freemem() / 2 ** 30),
    node: process.version,
    duckdb: version.v,
    kafka: KAFKA_VERSION,
    shape: shape.name,
    startedAt: new Date().toISOString(),
  };
  say(
    `Benchmark (${shape.name}): ${cpus().length} cores, Node ${process.version}, DuckDB ${version.v}, Kafka ${KAFKA_VERSION}`,
  );

  // First, on a machine not yet warmed by the other phases: what a new user waits for.
  const first = await phase('first start (npm start on a fresh data folder → printed URL)', () =>
    firstStart({
      root: ROOT,
      dataDir: join(work, 'first-start'),
      keepDir: join(ROOT, '.cache', 'bench', 'first-start'),
    }),
  );
  if (first) {
    results.firstStart = first;
    say(
      `  ${first.seconds} s to the URL (seed ${first.seedSeconds ?? '?'} s, release ${first.releaseSeconds ?? '?'} s); app peak RSS ${first.appPeakRssMb ?? '?'} MB`,
    );
  }
  const publication = await phase('release publication (the first release, on the demo data)', async () => {
    if (!first || first.releaseSeconds === null) throw new Error('the first start did not publish a release');
    return {
      seconds: first.releaseSeconds,
      note: 'suppression + LP/integer audit + manifest, timed from the first start',
    };
  });
  if (publication) results.releasePublication = publication;

  const data = await phase('data set', () => ensureDataset(shape, join(ROOT, '.cache', 'bench')));
  if (!data) throw new Error('no data set');
  results.dataset = {
    helplines: shape.helplines,
    months: `${shape.from} to ${shape.to}`,
    submissions: data.submissions,
    cells: data.cells,
    megabytes: round(data.bytes / 2 ** 20),
    reused: data.reused,
  };
  say(
    `  ${data.submissions} submissions, ${data.cells.toLocaleString('en')} cells (${round(data.bytes / 2 ** 20)} MB)`,
  );

  const kafka = await startLocalKafka({ dataDir: join(work, 'kafka'), port: await freePort() });
  try {
    const kafkaBaseline = await phase('baseline: raw kafkajs produce + consume', () => rawKafka(kafka.brokers, data));
    const duckBaseline = await phase('baseline: raw DuckDB appender', () =>
      rawDuckDb(join(work, 'raw.duckdb'), data, (id) => {
        const h = byId.get(id);
        return { country: h?.country ?? '', region: h?.region ?? '' };
      }),
    );

    const dataDir = join(work, 'server');
    const topic = `bench.submissions.${randomBytes(4).toString('hex')}`;
    const env = {
      DATA_DIR: dataDir,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_SUBMISSIONS: topic,
      KAFKA_TOPIC_DEAD_LETTERS: `${topic}.dlq`,
      ADMIN_KEY: adminKey,
      SEED_DEMO: 'false',
      JOBS: 'off',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
    };
    const server = await startServer(env);
    serverPid = server.child.pid;
    serverUrl = server.url;
    rssAfter.started = await rssMb(serverPid ?? 0);
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    for (const h of helplines) {
      const r = await fetch(`${server.url}/v1/admin/helplines`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ id: h.id, name: h.name, country: h.country, region: h.region }),
      });
      if (r.status !== 201) throw new Error(`helpline ${h.id}: HTTP ${r.status}`);
      keys.set(h.id, ((await r.json()) as { key: string }).key);
    }
    const loadedMonths = async () => {
      const r = await fetch(`${server.url}/v1/trends?release=live&by=month`, { headers: admin });
      const rows = ((await r.json()) as { rows: { helplinesReporting: number }[] }).rows;
      return rows.reduce((s, x) => s + x.helplinesReporting, 0);
    };

    // Ingest end to end.
    // Uploaded as helplines bring history: one multi-month upload per helpline-year (the data set
    // is ordered by month, so a year of every helpline is gathered, then sent).
    const ingest = await phase('ingest end to end (HTTP → Kafka → DuckDB → queryable)', async () => {
      const bar = progress('ingest', data.submissions);
      bar.start('submissions accepted');
      const started = performance.now();
      let accepted = 0;
      const groups = (async function* () {
        let year = '';
        let open = new Map<string, unknown[]>();
        for await (const { h, b } of readLines(data.file)) {
          const y = b.period.slice(0, 4);
          if (y !== year) {
            yield* open;
            open = new Map();
            year = y;
          }
          const list = open.get(h) ?? [];
          list.push(b);
          open.set(h, list);
        }
        yield* open;
      })();
      const lane = async () => {
        for (;;) {
          const next = await groups.next();
          if (next.done) return;
          const [h, months] = next.value;
          for (let attempt = 0; ; attempt++) {
            const r = await fetch(`${server.url}/v1/submissions/batch`, {
              method: 'POST',
              headers: { authorization: `Bearer ${keys.get(h)}`, 'content-type': 'application/json' },
              body: JSON.stringify({ months }),
            });
            await r.arrayBuffer();
            if (r.status === 202 || r.status === 200) break;
            if (r.status !== 503 || attempt > 20)
              throw new Error(`upload ${h} (${months.length} months): HTTP ${r.status}`);
            await new Promise((ok) => setTimeout(ok, 200));
          }
          accepted += months.length;
          bar.update(accepted);
        }
      };
      await Promise.all(Array.from({ length: 4 }, lane));
      const acceptedAt = performance.now();
      bar.stop();
      for (;;) {
        if ((await loadedMonths()) >= data.submissions) break;
        await new Promise((ok) => setTimeout(ok, 250));
      }
      const seconds = (performance.now() - started) / 1000;
      return {
        seconds: round(seconds),
        uploadSeconds: round((acceptedAt - started) / 1000),
        cellsPerSecond: round(data.cells / seconds, 0),
        submissionsPerSecond: round(data.submissions / seconds),
        uploads: 'multi-month, one request per helpline-year (POST /v1/submissions/batch), 4 at a time',
      };
    });
    if (ingest && kafkaBaseline && duckBaseline) {
      const slower = Math.min(kafkaBaseline.cellsPerSecond, duckBaseline.cellsPerSecond);
      results.ingest = {
        pipeline: ingest,
        rawKafka: { seconds: round(kafkaBaseline.seconds), cellsPerSecond: round(kafkaBaseline.cellsPerSecond, 0) },
        rawDuckDb: { seconds: round(duckBaseline.seconds), cellsPerSecond: round(duckBaseline.cellsPerSecond, 0) },
        ratioToSlowerBaseline: round(ingest.cellsPerSecond / slower, 3),
      };
    }

    // Freshness: a steady 50 submissions/s, each timed from acceptance to loaded (queryable). They
    // are corrections shaped like real helpline months (the demo's shape, ~100 cells), not the
    // dense benchmark months.
    const freshness = await phase('freshness at 50 submissions/s', async () => {
      const rate = 50;
      const seconds = 20;
      const sent: { id: string; key: string }[] = [];
      const months = monthsBetween(shape.from, shape.to);
      const lines = (async function* () {
        for (const period of months)
          for (const h of helplines) {
            const b = demoSubmission(h, period);
            if (b) yield { h: h.id, b };
          }
      })();
      let cellsSent = 0;
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < rate * seconds; i++) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
        const next = await lines.next();
        if (next.done) break;
        const { h, b } = next.value;
        const cells = b.cells;
        cellsSent += cells.length;
        inFlight.push(
          fetch(`${server.url}/v1/submissions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${keys.get(h)}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...b, cells }),
          }).then(async (r) => {
            if (r.status !== 202) throw new Error(`correction: HTTP ${r.status}`);
            sent.push({ id: ((await r.json()) as { submissionId: string }).submissionId, key: keys.get(h) ?? '' });
          }),
        );
      }
      await Promise.all(inFlight);
      const latencies: number[] = [];
      for (const s of sent) {
        for (let attempt = 0; ; attempt++) {
          const r = await fetch(`${server.url}/v1/submissions/${s.id}`, {
            headers: { authorization: `Bearer ${s.key}` },
          });
          const view = (await r.json()) as { submittedAt: string; loadedAt: string | null; status: string };
          if (view.loadedAt) {
            latencies.push(Date.parse(view.loadedAt) - Date.parse(view.submittedAt));
            break;
          }
          if (attempt > 600) throw new Error(`submission ${s.id} was not loaded in 60 s`);
          await new Promise((ok) => setTimeout(ok, 100));
        }
      }
      return {
        submissions: latencies.length,
        ratePerSecond: rate,
        cellsPerSubmission: round(cellsSent / latencies.length),
        p50ms: percentile(latencies, 50),
        p99ms: percentile(latencies, 99),
        maxMs: Math.max(...latencies),
      };
    });
    if (freshness) results.freshness = freshness;

    // A release to query (noise mode: no audit to wait for; the query path is the same).
    const release = await phase('release for the query benchmark', async () => {
      const t0 = performance.now();
      const r = await fetch(`${server.url}/v1/admin/releases`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ mode: 'noise', epsilon: 1 }),
      });
      if (r.status !== 201) throw new Error(`release: HTTP ${r.status} ${await r.text()}`);
      const m = (await r.json()) as { id: string; cells: number };
      return { id: m.id, cells: m.cells, seconds: round((performance.now() - t0) / 1000) };
    });

    if (release) {
      // The same request mixes, for the replicas phase beside the single process.
      let replicaMixes: Pick<Parameters<typeof benchReplicas>[0], 'cachedMix' | 'uncachedMix'> = {
        cachedMix: [],
        uncachedMix: [],
      };
      const queries = await phase('queries (autocannon, 10 connections, 10 s each)', async () => {
        const splits = ['region', 'country', 'harmGroup', 'ageBand', 'gender', 'channel', ''];
        // Regions that have helplines in this data set (the quick one covers only some).
        const present = [...new Set(helplines.map((h) => h.region))].sort();
        const regions = ['', ...present.slice(0, 3), present.slice(0, 2).join(',')];
        const harms = ['', 'ocsea', 'violence', 'online', 'family'];
        const mix: string[] = [];
        for (const split of splits)
          for (const region of regions)
            for (const harm of harms) {
              const q = new URLSearchParams({ by: 'year' });
              if (split) q.set('split', split);
              if (region) q.set('region', region);
              // The plan publishes breakdowns by harm group, not by the OCSEA rollup.
              if (harm === 'ocsea' && ['ageBand', 'gender', 'channel'].includes(split)) continue;
              if (harm && split !== 'harmGroup') q.set('harm', harm);
              mix.push(`/v1/trends?${q}`);
            }
        const cachedMix = mix.slice(0, 20).map((path) => ({ path }));
        replicaMixes = {
          cachedMix,
          uncachedMix: mix.map((path) => ({ path, headers: { 'cache-control': 'no-cache' } })),
        };
        // Warm the server's answer cache for the cached mix.
        for (const r of cachedMix) {
          const res = await fetch(`${server.url}${r.path}`);
          if (!res.ok) throw new Error(`${r.path}: HTTP ${res.status}`);
        }
        const bare = await cannon(server.bareUrl, [{ path: '/' }]);
        const cached = await cannon(server.url, cachedMix);
        const uncached = await cannon(
          server.url,
          mix.map((path) => ({ path, headers: { 'cache-control': 'no-cache' } })),
        );
        const live = await cannon(
          server.url,
          mix.map((path) => ({ path: `${path}&release=live`, headers: { authorization: `Bearer ${adminKey}` } })),
        );
        return {
          bareExpress: bare,
          cached: { ...cached, ratioToBare: round(cached.requestsPerSecond / bare.requestsPerSecond, 3) },
          uncached: { ...uncached, distinctQueries: mix.length },
          liveDuckDb: { ...live, note: 'admin-only live view: aggregates read from DuckDB on every request' },
        };
      });
      if (queries) results.queries = queries;

      const charts = await phase('chart renders (SVG and PNG, server-side)', async () => {
        const r = await fetch(`${server.url}/v1/trends?by=year&split=region`);
        const answer = await r.json();
        const params = ChartParamsSchema.parse({});
        const spec = buildChart('trend', answer, params, {
          expectedHelplines: helplines.length,
          latestRelease: release.id,
        }).spec;
        const svgTimes: number[] = [];
        const pngTimes: number[] = [];
        let svg = '';
        for (let i = 0; i < 60; i++) {
          const t0 = performance.now();
          svg = await renderSvg(spec);
          svgTimes.push(performance.now() - t0);
        }
        for (let i = 0; i < 30; i++) {
          const t0 = performance.now();
          svgToPng(svg);
          pngTimes.push(performance.now() - t0);
        }
        const mapAnswer = await (await fetch(`${server.url}/v1/trends?by=year&split=country`)).json();
        const map = buildChart('map', mapAnswer, params, {
          expectedHelplines: helplines.length,
          latestRelease: release.id,
        });
        const mapTimes: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          await renderSvg(map.spec);
          mapTimes.push(performance.now() - t0);
        }
        const ms = (xs: number[]) => ({
          p50ms: round(percentile(xs, 50)),
          p99ms: round(percentile(xs, 99)),
          renders: xs.length,
        });
        return { trendSvg: ms(svgTimes), trendPng: ms(pngTimes), mapSvg: ms(mapTimes) };
      });
      if (charts) results.charts = charts;
      // After the server's own phases: the readers and nginx share the machine with it.
      const replicas = await phase('reads through nginx, two read replicas (autocannon, 10 s each)', () =>
        benchReplicas({
          root: ROOT,
          work,
          exportsDir: join(dataDir, 'exports'),
          release: release.id,
          ...replicaMixes,
          cannon,
        }),
      );
      if (replicas) results.replicas = { ...replicas, singleProcess: results.queries };
    }

    const memory = await phase('peak memory', async () => {
      const pid = server.child.pid;
      if (!pid) throw new Error('no server process');
      const server_ = await peakRssMb(pid);
      return {
        serverPeakRssMb: server_,
        workerPeakRssMb: server_,
        serverRssAfterPhaseMb: { ...rssAfter },
        serverV8HeapAfterPhaseMb: { ...heapAfter },
        serverDuckDbAfterPhaseMb: { ...duckdbAfter },
        note: 'one process hosts the API and the Kafka→DuckDB worker (DuckDB allows one process per file)',
        benchClientPeakRssMb: await peakRssMb(process.pid),
      };
    });
    if (memory) results.memory = memory;

    // Rebuild: replay the whole topic into a new warehouse (the server stopped: one process per file).
    serverPid = undefined;
    serverUrl = undefined;
    const stopped = await server.stop();
    if (stopped !== 0) failures.push(`the server stopped with exit code ${stopped}`);
    // Kept with the output: the work folder goes at the end.
    if (existsSync(server.files.log)) copyFileSync(server.files.log, join(SERVER_LOGS, 'app.log'));
    results.server = {
      ended: server.ended() ?? null,
      files: { stdout: server.files.stdout, stderr: server.files.stderr, log: join(SERVER_LOGS, 'app.log') },
    };
    const rebuild = await phase('rebuild from the topic', async () => {
      let records = 0n;
      const bar = progress('rebuild', 1);
      let started = false;
      const t0 = performance.now();
      await rebuildWarehouse({
        currentPath: join(dataDir, 'warehouse.duckdb'),
        brokers: kafka.brokers,
        topics: { submissions: topic, deadLetters: `${topic}.dlq` },
        logger: pino({ level: 'silent' }),
        swap: false,
        onProgress: (done, total) => {
          if (!started) bar.start('records');
          started = true;
          records = total;
          bar.update(Number((done * 100n) / (total || 1n)) / 100);
        },
      });
      bar.stop();
      const seconds = (performance.now() - t0) / 1000;
      return {
        seconds: round(seconds),
        records: Number(records),
        cellsPerSecond: round(data.cells / seconds, 0),
        note: 'every record of the topic replayed (the data set and the freshness corrections); cells/s counts the data set',
      };
    });
    if (rebuild) results.rebuild = rebuild;
  } finally {
    await kafka.stop();
  }
}

function targets(): { target: string; measured: string; met: boolean }[] {
  const r = results as {
    firstStart?: { seconds: number };
    releasePublication?: { seconds: number };
    ingest?: {
      pipeline: { cellsPerSecond: number };
      ratioToSlowerBaseline: number;
      rawDuckDb: { cellsPerSecond: number };
    };
    rebuild?: { cellsPerSecond: number };
    freshness?: { p99ms: number };
    queries?: { uncached: { p99ms: number }; cached: { ratioToBare: number } };
    charts?: { trendSvg: { p50ms: number } };
    memory?: { serverPeakRssMb: number; workerPeakRssMb: number };
  };
  const out: { target: string; measured: string; met: boolean }[] = [];
  // The targets of issue 19.
  if (r.firstStart)
    out.push({
      target: 'first start ≤ 90 s',
      measured: `${r.firstStart.seconds} s`,
      met: r.firstStart.seconds <= 90,
    });
  if (r.releasePublication)
    out.push({
      target: 'release publication (demo) ≤ 15 s',
      measured: `${r.releasePublication.seconds} s`,
      met: r.releasePublication.seconds <= 15,
    });
  if (r.ingest) {
    out.push({
      target: 'ingest ≥ 50% of the slower raw baseline',
      measured: `${round(r.ingest.ratioToSlowerBaseline * 100)}%`,
      met: r.ingest.ratioToSlowerBaseline >= 0.5,
    });
    out.push({
      target: 'ingest ≥ 120,000 cells/s',
      measured: `${r.ingest.pipeline.cellsPerSecond.toLocaleString('en')} cells/s`,
      met: r.ingest.pipeline.cellsPerSecond >= 120_000,
    });
    if (r.rebuild) {
      const ratio = r.rebuild.cellsPerSecond / r.ingest.rawDuckDb.cellsPerSecond;
      out.push({
        target: 'rebuild ≥ 70% of the raw appender',
        measured: `${round(ratio * 100)}%`,
        met: ratio >= 0.7,
      });
    }
  }
  if (r.freshness)
    out.push({
      target: 'freshness p99 < 1 s at 50/s',
      measured: `${r.freshness.p99ms} ms`,
      met: r.freshness.p99ms < 1000,
    });
  if (r.queries) {
    out.push({
      target: 'uncached trends p99 < 15 ms',
      measured: `${r.queries.uncached.p99ms} ms`,
      met: r.queries.uncached.p99ms < 15,
    });
    out.push({
      target: 'cached reads ≥ 80% of bare Express',
      measured: `${round(r.queries.cached.ratioToBare * 100)}%`,
      met: r.queries.cached.ratioToBare >= 0.8,
    });
  }
  if (r.charts)
    out.push({
      target: 'SVG render p50 < 30 ms',
      measured: `${r.charts.trendSvg.p50ms} ms`,
      met: r.charts.trendSvg.p50ms < 30,
    });
  if (r.memory)
    out.push({
      target: 'server peak RSS ≤ 500 MB',
      measured: `${r.memory.serverPeakRssMb} MB`,
      met: r.memory.serverPeakRssMb <= 500,
    });
  return out;
}

const started = performance.now();
try {
  await main();
} catch (error) {
  failures.push(`run: ${(error as Error).message}`);
} finally {
  if (current && existsSync(current.files.log)) copyFileSync(current.files.log, join(SERVER_LOGS, 'app.log'));
  rmSync(work, { recursive: true, force: true });
}
results.loadAverage = loadDuring;
results.targets = targets();
results.failures = failures;
results.totalSeconds = round((performance.now() - started) / 1000);
writeFileSync(join(ROOT, 'bench', resultsFile), `${JSON.stringify({ ...results, complete: true }, null, 2)}\n`);
say('\nTarget                                       Measured                Met');
for (const t of results.targets as { target: string; measured: string; met: boolean }[]) {
  say(`${t.target.padEnd(45)}${t.measured.padEnd(24)}${t.met ? 'yes' : 'NO'}`);
}
say(`\nFigures: bench/${resultsFile} (${results.totalSeconds} s)`);
if (failures.length) {
  say(`\nNot measured:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
process.exit(0);
