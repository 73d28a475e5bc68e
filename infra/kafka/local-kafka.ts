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
 * Used by `npm start` and by the test suite when KAFKA_BROKERS is not set.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
}

export interface LocalKafka {
  readonly brokers: string[];
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
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

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    'num.partitions=6',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
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

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const progress = options.onProgress ?? (() => {});
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  progress(`fetching Apache Kafka ${KAFKA_VERSION} jars (cached after the first run)`);
  const libs = ensureKafkaJars(options.cacheDir);

  // KRaft metadata records the controller address, so a reused data folder keeps its ports.
  const known = readPorts(dataDir);
  const port = options.port || known?.port || (await freePort());
  const controllerPort = known?.controllerPort ?? (await freePort());
  const propsFile = join(dataDir, 'server.properties');
  writeFileSync(propsFile, serverProperties(dataDir, port, controllerPort));
  writeFileSync(join(dataDir, 'ports.json'), JSON.stringify({ port, controllerPort }));

  if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    progress('formatting KRaft storage');
    const uuid = spawnSync('java', java(libs, 'kafka.tools.StorageTool', ['random-uuid']), { encoding: 'utf8' });
    const clusterId = uuid.stdout.trim().split('\n').pop()?.trim();
    if (uuid.status !== 0 || !clusterId) throw new LocalKafkaError(`kafka-storage random-uuid failed: ${uuid.stderr}`);
    const format = spawnSync(
      'java',
      java(libs, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', propsFile, '--ignore-formatted']),
      { encoding: 'utf8' },
    );
    if (format.status !== 0) throw new LocalKafkaError(`kafka-storage format failed: ${format.stdout}${format.stderr}`);
  }

  progress(`starting the Kafka broker on 127.0.0.1:${port}`);
  const logFile = join(dataDir, 'server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    'java',
    java(libs, 'kafka.Kafka', [propsFile], ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true']),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let output = '';
  let exited = false;
  const ready = new Promise<void>((ok, fail) => {
    const timeoutMs = options.startTimeoutMs ?? 120_000;
    const timer = setTimeout(
      () => fail(new LocalKafkaError(`Kafka did not start within ${timeoutMs} ms; see ${logFile}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (output.length < 1_000_000) output += chunk.toString('utf8');
      if (output.includes('Transitioning from RECOVERY to RUNNING') || output.includes('Kafka Server started')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      exited = true;
      clearTimeout(timer);
      fail(
        new LocalKafkaError(
          `Kafka exited with code ${code} before it was ready; see ${logFile}\n${output.slice(-3000)}`,
        ),
      );
    });
  });
  const exitedPromise = new Promise<void>((ok) => child.once('exit', () => ok()));
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw error;
  }
  // Once ready, stop buffering; the file keeps the log.
  output = '';

  return {
    brokers: [`127.0.0.1:${port}`],
    logFile,
    pid: child.pid ?? -1,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
      log.end();
    },
  };
}
