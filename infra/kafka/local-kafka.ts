/**
 * A real Apache Kafka broker on this machine, from Apache Kafka's own jars on Maven Central.
 *
 *   ensureJars ── mvn dependency:copy-dependencies (once, cached under .cache/)
 *        │
 *   format ────── kafka.tools.StorageTool format (once per data folder, KRaft)
 *        │
 *   start ─────── java kafka.Kafka server.properties  (broker + controller, 127.0.0.1)
 *        │
 *   ready ─────── the log says "Transitioning from RECOVERY to RUNNING"
 *
 * Never two brokers on one folder: the JVM holds the folder's lock (broker-lock.ts) as its fd 3.
 * It dies with the process that started it: on Linux it runs under `setpriv --pdeathsig TERM`, so
 * the kernel sends it SIGTERM (a controlled shutdown) when its parent dies, even by SIGKILL.
 *
 * Used by `npm start` (bin/supervisor.ts restarts it if it dies) and by the test suite when
 * KAFKA_BROKERS is not set.
 */
import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireBrokerLock, type BrokerLock } from './broker-lock.js';

export const KAFKA_VERSION = '3.9.1';
const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = resolve(HERE, '../..');

export class LocalKafkaError extends Error {
  override readonly name = 'LocalKafkaError';
}

export interface LocalKafkaOptions {
  /** Folder for this broker's config, KRaft metadata, logs and data. */
  readonly dataDir: string;
  /** Broker port; 0 picks a free one. */
  readonly port?: number;
  readonly cacheDir?: string;
  readonly startTimeoutMs?: number;
  readonly onProgress?: (message: string) => void;
  /** The folder's lock, held by a supervisor across restarts; without it, one is taken and released at stop. */
  readonly lock?: BrokerLock;
  /** One node of a several-node KRaft cluster (local-cluster.ts); without it, a one-node cluster. */
  readonly node?: ClusterNode;
  /**
   * Told the broker's address as soon as its port is fixed, before the JVM is up: a client that
   * waits for the broker (the app) can start beside it instead of after it.
   */
  readonly onAddress?: (brokers: readonly string[]) => void;
}

/** A node of a local KRaft cluster: every node is broker and controller, all of them voters. */
export interface ClusterNode {
  readonly nodeId: number;
  readonly controllerPort: number;
  /** `1@127.0.0.1:port,2@…`: every node's controller address. */
  readonly voters: string;
  /** The cluster id every node is formatted with. */
  readonly clusterId: string;
  /** How many nodes the cluster has (sets the internal topics' replication). */
  readonly size: number;
}

export interface BrokerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LocalKafka {
  readonly brokers: string[];
  readonly logFile: string;
  readonly pid: number;
  /** Settles when the broker process ends, however it ends. */
  readonly exited: Promise<BrokerExit>;
  stop(): Promise<void>;
}

let pdeathsig: boolean | undefined;
/** util-linux's setpriv can set the parent-death signal (Linux only). */
function hasPdeathsig(): boolean {
  pdeathsig ??= /--pdeathsig/.test(spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout ?? '');
  return pdeathsig;
}

function requireTool(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new LocalKafkaError(
      `${what} was not found (tried \`${command} ${args.join(' ')}\`). The local Kafka broker needs Java 17+ ` +
        'and Maven (Debian: apt-get install -y openjdk-17-jre-headless maven). ' +
        'Or set KAFKA_BROKERS=host:port to use an existing Kafka cluster.',
    );
  }
}

/** Fetches the broker jars once; a half-finished download never counts as cached. */
export function ensureKafkaJars(cacheDir = join(PROJECT_ROOT, '.cache')): string {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  if (existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return libs;
  requireTool('java', ['-version'], 'Java');
  requireTool('mvn', ['-v'], 'Maven');
  const partial = `${libs}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(HERE, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partial}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new LocalKafkaError(
      `Maven could not fetch Apache Kafka ${KAFKA_VERSION} from Maven Central:\n${result.stdout}\n${result.stderr}`,
    );
  }
  mkdirSync(dirname(libs), { recursive: true });
  rmSync(libs, { recursive: true, force: true });
  renameSync(partial, libs);
  return libs;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

function serverProperties(dataDir: string, port: number, controllerPort: number, node?: ClusterNode): string {
  // With three or more nodes, Kafka's internal topics are kept on three with two in sync, as the
  // project's own topics are (kafkajs-bus.ts): one node may be lost without losing an offset.
  const replicas = Math.min(3, node?.size ?? 1);
  const minIsr = replicas >= 3 ? 2 : 1;
  return [
    'process.roles=broker,controller',
    `node.id=${node?.nodeId ?? 1}`,
    `controller.quorum.voters=${node?.voters ?? `1@127.0.0.1:${controllerPort}`}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    'num.partitions=6',
    `default.replication.factor=${replicas}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `min.insync.replicas=${minIsr}`,
    // A node that dies is fenced (its partitions led elsewhere) within seconds, not Kafka's 9 s:
    // uploads in flight then finish within the producer's deadline instead of answering 503.
    ...(node ? ['broker.heartbeat.interval.ms=500', 'broker.session.timeout.ms=3000'] : []),
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'auto.create.topics.enable=false',
    'log.cleaner.enable=true',
    '',
  ].join('\n');
}

function java(libs: string, mainClass: string, args: string[], extraJvm: string[] = []): string[] {
  return [
    ...extraJvm,
    `-Dlog4j.configuration=file:${join(HERE, 'log4j.properties')}`,
    '-cp',
    `${libs}/*`,
    mainClass,
    ...args,
  ];
}

function readPorts(dataDir: string): { port: number; controllerPort: number } | undefined {
  const file = join(dataDir, 'ports.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as { port: number; controllerPort: number };
}

/**
 * A new KRaft cluster id, made as Kafka's `Uuid.randomUuid()` makes it (a random version-4 UUID in
 * URL-safe base64 without padding, never one starting with "-"), without a JVM start of its own.
 */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A short-lived tool JVM starts about a second faster without the JIT's optimizing tier. */
const TOOL_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto'];

/** Config, ports and KRaft storage for the folder (formatted once); the caller holds the lock. */
async function prepareFolder(
  dataDir: string,
  libs: string,
  wantedPort: number | undefined,
  progress: (message: string) => void,
  node?: ClusterNode,
): Promise<{ port: number; propsFile: string }> {
  // KRaft metadata records the controller address, so a reused data folder keeps its ports.
  const known = readPorts(dataDir);
  const port = wantedPort || known?.port || (await freePort());
  const controllerPort = node?.controllerPort ?? known?.controllerPort ?? (await freePort());
  const propsFile = join(dataDir, 'server.properties');
  writeFileSync(propsFile, serverProperties(dataDir, port, controllerPort, node));
  writeFileSync(join(dataDir, 'ports.json'), JSON.stringify({ port, controllerPort }));

  if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    progress('formatting KRaft storage');
    const clusterId = node?.clusterId ?? newClusterId();
    const format = spawnSync(
      'java',
      java(
        libs,
        'kafka.tools.StorageTool',
        ['format', '-t', clusterId, '-c', propsFile, '--ignore-formatted'],
        TOOL_JVM,
      ),
      { encoding: 'utf8' },
    );
    if (format.status !== 0) throw new LocalKafkaError(`kafka-storage format failed: ${format.stdout}${format.stderr}`);
  }
  return { port, propsFile };
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const progress = options.onProgress ?? (() => {});
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  progress(`fetching Apache Kafka ${KAFKA_VERSION} jars (cached after the first run)`);
  const libs = ensureKafkaJars(options.cacheDir);
  // The lock first: formatting or rewriting the config under a running broker is what corrupts.
  const ownLock = options.lock === undefined;
  const lock = options.lock ?? (await acquireBrokerLock(dataDir, { onWait: progress }));

  let port: number;
  let propsFile: string;
  try {
    ({ port, propsFile } = await prepareFolder(dataDir, libs, options.port, progress, options.node));
  } catch (error) {
    if (ownLock) lock.release();
    throw error;
  }

  progress(`starting the Kafka broker on 127.0.0.1:${port}`);
  options.onAddress?.([`127.0.0.1:${port}`]);
  const logFile = join(dataDir, 'server.log');
  // The broker writes its log file itself, not through us: its last words (a shutdown, a fault)
  // are kept even when this process is gone.
  const logFd = openSync(logFile, 'a');
  const startedAt = statSync(logFile).size;
  const args = java(
    libs,
    'kafka.Kafka',
    [propsFile],
    ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true'],
  );
  const stdio: StdioOptions = ['ignore', logFd, logFd, lock.fd];
  // Its own process group: a terminal's Ctrl-C reaches the parent, which stops things in order.
  // setpriv execs java: the broker keeps the pid we spawned, and SIGTERM reaches it when we die.
  const child: ChildProcess = hasPdeathsig()
    ? spawn('setpriv', ['--pdeathsig', 'TERM', '--', 'java', ...args], { stdio, detached: true })
    : spawn('java', args, { stdio, detached: true });
  closeSync(logFd);
  if (child.pid) lock.holder(child.pid, port);
  let exited = false;
  const exitedPromise = new Promise<BrokerExit>((ok) =>
    child.once('exit', (code, signal) => {
      exited = true;
      ok({ code, signal });
    }),
  );
  // Belt and braces for a plain exit of this process (tests): the parent-death signal covers the rest.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const releaseOwn = () => {
    process.removeListener('exit', killOnExit);
    if (ownLock) lock.release();
  };

  const spawnError = new Promise<Error>((ok) => child.once('error', ok));
  const newOutput = () => {
    const size = statSync(logFile).size;
    if (size <= startedAt) return '';
    const fd = openSync(logFile, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size - startedAt, 4_000_000));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      return buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  };
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let failure: Error | undefined;
  void spawnError.then((error) => {
    failure = new LocalKafkaError(`Kafka could not be started: ${error.message}`);
  });
  for (;;) {
    const output = newOutput();
    if (output.includes('Transitioning from RECOVERY to RUNNING') || output.includes('Kafka Server started')) break;
    if (exited && !failure) {
      const { code, signal } = await exitedPromise;
      failure = new LocalKafkaError(
        `Kafka exited (${signal ?? `code ${code}`}) before it was ready; see ${logFile}\n${output.slice(-3000)}`,
      );
    }
    if (!failure && Date.now() > deadline) {
      failure = new LocalKafkaError(`Kafka did not start within ${timeoutMs} ms; see ${logFile}`);
    }
    if (failure) {
      child.kill('SIGKILL');
      if (child.pid) await exitedPromise;
      releaseOwn();
      throw failure;
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    brokers: [`127.0.0.1:${port}`],
    logFile,
    pid: child.pid ?? -1,
    exited: exitedPromise,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      releaseOwn();
    },
  };
}
