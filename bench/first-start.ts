/**
 * The first start as a new user meets it: `npm start` (bin/start.ts: the supervisor, the local broker
 * from the cached jars, the app) on a fresh data folder, timed from the spawn to the printed URL,
 * with the demo seeded through the multi-month upload and the first protected release published.
 *
 * Every line the stack prints is timestamped, so the phases inside the first start (broker up, seed,
 * release publication, export) come from the same run. The stack's output and log are kept in
 * `keepDir`; a failure carries their last lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../infra/kafka/index.js';
import { peakRssMb, round, rssMb } from './stats.js';

export interface FirstStart {
  readonly seconds: number;
  /** Seconds from the spawn to each milestone the stack printed. */
  readonly milestones: Readonly<Record<string, number>>;
  readonly seedSeconds: number | null;
  readonly releaseSeconds: number | null;
  readonly appPeakRssMb: number | null;
  /** The app's resident memory at each milestone (where the peak comes from). */
  readonly appRssAtMb: Readonly<Record<string, number>>;
  /** CPU time the app and the broker used until the URL (user + system): the load-independent cost. */
  readonly appCpuSeconds: number | null;
  readonly brokerCpuSeconds: number | null;
  readonly url: string;
  readonly log: string;
}

const MILESTONES: readonly [string, RegExp][] = [
  ['broker up', /^Kafka .* is up/],
  ['seed started', /^Seeding demo data|^Resuming the demo seed/],
  ['seeded', /^Seeded \d+ helplines/],
  ['release started', /^Publishing the first protected release/],
  ['release published', /^Release \S+: \d+ cells/],
  ['release exported', /^Release \S+ exported/],
  ['url', /^Helpline analytics is running: open /],
];

/** utime + stime of a process (Linux /proc, clock ticks of 1/100 s), in seconds. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return round((Number(fields[11]) + Number(fields[12])) / 100);
  } catch {
    return null;
  }
}

function tail(path: string, n = 20): string {
  if (!existsSync(path)) return '  (none)';
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((l) => `  ${l.slice(0, 400)}`)
    .join('\n');
}

/** Stops the supervisor as Ctrl-C does (it stops the app, then the broker) and waits for it. */
function stopStack(child: ChildProcess): Promise<void> {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    const force = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('exit', () => {
      clearTimeout(force);
      ok();
    });
    child.kill('SIGINT');
  });
}

export async function firstStart(options: {
  root: string;
  dataDir: string;
  keepDir: string;
  timeoutMs?: number;
}): Promise<FirstStart> {
  const { root, dataDir, keepDir } = options;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(keepDir, { recursive: true, force: true });
  mkdirSync(keepDir, { recursive: true });
  const output = join(keepDir, 'stdout.log');
  const lines: string[] = [];
  const port = await freePort();
  const kafkaPort = await freePort();
  const started = performance.now();
  // What `npm start` runs (package.json: tsx bin/start.ts), without npm in between.
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin', 'start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      KAFKA_PORT: String(kafkaPort),
      KAFKA_BROKERS: '',
      SEED_DEMO: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const milestones: Record<string, number> = {};
  const rssAt: Record<string, number> = {};
  const appPid = () => {
    try {
      return (JSON.parse(readFileSync(join(dataDir, 'supervisor.json'), 'utf8')) as { app?: { pid?: number } }).app
        ?.pid;
    } catch {
      return undefined;
    }
  };
  let url: string | undefined;
  let rest = '';
  const onLine = (line: string) => {
    const at = round((performance.now() - started) / 1000);
    lines.push(`${at.toFixed(1).padStart(7)} ${line}`);
    const text = line.trim();
    for (const [name, pattern] of MILESTONES) {
      if (milestones[name] !== undefined || !pattern.test(text)) continue;
      milestones[name] = at;
      const pid = appPid();
      if (pid)
        void rssMb(pid).then(
          (mb) => {
            rssAt[name] = mb;
          },
          () => {},
        );
    }
    const found = /^Helpline analytics is running: open (\S+?)\/?$/.exec(text);
    if (found) url = found[1];
  };
  const feed = (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const parts = rest.split(/\r?\n|\r/);
    rest = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  };
  child.stdout?.on('data', feed);
  child.stderr?.on('data', feed);
  const keep = () => {
    writeFileSync(output, `${lines.join('\n')}\n`);
    const log = join(dataDir, 'logs', 'app.log');
    if (existsSync(log)) copyFileSync(log, join(keepDir, 'app.log'));
  };
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000);
    while (!url) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error('npm start ended before printing the URL');
      if (Date.now() > deadline) throw new Error('npm start did not print the URL in time');
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = round((performance.now() - started) / 1000);
    let appPeakRssMb: number | null = null;
    let appCpuSeconds: number | null = null;
    let brokerCpuSeconds: number | null = null;
    try {
      const state = JSON.parse(readFileSync(join(dataDir, 'supervisor.json'), 'utf8')) as {
        app?: { pid?: number };
        broker?: { pid?: number } | null;
      };
      if (state.app?.pid) {
        appPeakRssMb = await peakRssMb(state.app.pid);
        appCpuSeconds = cpuSeconds(state.app.pid);
      }
      if (state.broker?.pid) brokerCpuSeconds = cpuSeconds(state.broker.pid);
    } catch {
      appPeakRssMb = null;
    }
    const between = (a: string, b: string) => {
      const x = milestones[a];
      const y = milestones[b];
      return x === undefined || y === undefined ? null : round(y - x);
    };
    return {
      seconds,
      milestones,
      seedSeconds: between('seed started', 'seeded'),
      releaseSeconds: between('release started', 'release published'),
      appPeakRssMb,
      appRssAtMb: rssAt,
      appCpuSeconds,
      brokerCpuSeconds,
      url,
      log: keepDir,
    };
  } catch (error) {
    keep();
    throw new Error(
      `${(error as Error).message}\n  output (${output}):\n${tail(output)}\n  log (${join(keepDir, 'app.log')}):\n${tail(join(keepDir, 'app.log'))}`,
    );
  } finally {
    await stopStack(child);
    keep();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
