/**
 * `npm start`: a supervisor of two children, the local Kafka broker (unless KAFKA_BROKERS points
 * at a cluster) and the app (bin/app.ts).
 *
 *   config → the data folder's broker lock → broker ∥ app (started once the broker's port is
 *     fixed; it waits for Kafka itself) → watch both
 *     the broker dies alone → restarted (the app reconnects by itself)
 *     the app dies          → restarted with backoff, once the broker is up
 *     either fails fast (before it is up, or soon after) five times in a row → everything is
 *       stopped with a message saying what failed, exit 1
 *     Ctrl-C / SIGTERM      → the app (SIGTERM, waits), then the broker (SIGTERM, waits), exit 0
 *
 * The children never outlive the supervisor, however it ends (even SIGKILL): the app watches its
 * IPC channel, and the broker gets SIGTERM from the kernel when its parent dies (local-kafka.ts).
 * They run in their own process groups, so Ctrl-C reaches the supervisor alone, which stops them
 * in order. DATA_DIR/supervisor.json says which processes run, and how each last ended.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  acquireBrokerLock,
  type BrokerExit,
  type BrokerLock,
  type LocalKafka,
  startLocalKafka,
} from '../infra/kafka/index.js';
import { type Config, loadConfig } from './config.js';
import { createLoggers, logFile } from './logger.js';
import { AppMessageSchema, DEFAULT_RESTART_POLICY, RESTARTS_ENV, restartPolicy } from './supervision.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP = join(ROOT, 'bin', 'app.ts');
const say = (message: string) => process.stdout.write(`${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ChildState {
  pid: number | null;
  starts: number;
  /** Starts that ended before the child was up. */
  failedStarts: number;
  lastExit: { code: number | null; signal: string | null; at: string; upForMs: number | null } | null;
}

export interface SupervisorState {
  readonly pid: number;
  readonly since: string;
  app: ChildState;
  broker: (ChildState & { brokers: string[] }) | null;
}

const describeExit = (e: { code: number | null; signal: string | null }) =>
  e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;

function lastLines(text: string, n = 12): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

class Deferred {
  resolve!: () => void;
  readonly promise = new Promise<void>((ok) => {
    this.resolve = ok;
  });
}

export async function supervise(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const { quiet, flush } = createLoggers(config.dataDir, config.LOG_LEVEL);
  const log = quiet.child({ process: 'supervisor' });
  const kafkaDir = join(config.dataDir, 'kafka');
  const stateFile = join(config.dataDir, 'supervisor.json');
  const state: SupervisorState = {
    pid: process.pid,
    since: new Date().toISOString(),
    app: { pid: null, starts: 0, failedStarts: 0, lastExit: null },
    broker: null,
  };
  const save = () => {
    if (!owner) return;
    writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${stateFile}.tmp`, stateFile);
  };

  let stopping = false;
  // supervisor.json is this supervisor's only once it owns the folder (a refused second start
  // must not overwrite the running one's).
  let owner = false;
  let lock: BrokerLock | undefined;
  let kafka: LocalKafka | undefined;
  let brokers = config.KAFKA_BROKERS;
  let brokerUp = new Deferred();
  let app: ChildProcess | undefined;
  const brokerPolicy = restartPolicy();
  const appPolicy = restartPolicy();

  async function stopAll(code: number, reason: string): Promise<void> {
    if (stopping) {
      // A second Ctrl-C: stop waiting.
      say('Stopping now.');
      if (app?.pid) process.kill(app.pid, 'SIGKILL');
      if (kafka) process.kill(kafka.pid, 'SIGKILL');
      process.exit(code || 1);
    }
    stopping = true;
    log.info({ reason, code }, 'stopping');
    const running = app;
    if (running || kafka) say(`\nStopping (${reason}): the app (server, consumer, warehouse), then Kafka…`);
    if (running?.pid && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((ok) => running.once('exit', ok));
      running.kill('SIGTERM');
      // The app gives itself 60 s to finish its batch and close; then it is cut.
      const timer = setTimeout(() => running.kill('SIGKILL'), 75_000);
      await exited;
      clearTimeout(timer);
    }
    await kafka?.stop().catch((error: unknown) => log.error({ err: error }, 'kafka stop failed'));
    lock?.release();
    state.app.pid = null;
    if (state.broker) state.broker.pid = null;
    save();
    log.info({ reason, code }, 'stopped');
    await flush();
    say(code === 0 ? 'Stopped.' : 'Stopped; see the message above.');
    process.exit(code);
  }

  function giveUp(message: string): void {
    process.stderr.write(`\n${message}\n`);
    log.error({ message }, 'giving up');
    void stopAll(1, 'gave up');
  }

  // ── the broker ────────────────────────────────────────────────────────────────────────────────
  async function startBroker(progress: (m: string) => void, onAddress?: (b: readonly string[]) => void): Promise<void> {
    const started = await startLocalKafka({
      dataDir: kafkaDir,
      port: config.KAFKA_PORT,
      onProgress: progress,
      ...(lock ? { lock } : {}),
      ...(onAddress ? { onAddress } : {}),
    });
    kafka = started;
    brokers = started.brokers;
    const previous = state.broker;
    state.broker = {
      pid: started.pid,
      starts: (previous?.starts ?? 0) + 1,
      failedStarts: previous?.failedStarts ?? 0,
      lastExit: previous?.lastExit ?? null,
      brokers: started.brokers,
    };
    save();
    log.info({ pid: started.pid, brokers: started.brokers }, 'broker up');
    const upAt = Date.now();
    void started.exited.then((exit) => onBrokerExit(started, exit, Date.now() - upAt));
    brokerUp.resolve();
  }

  async function onBrokerExit(which: LocalKafka, exit: BrokerExit, upForMs: number): Promise<void> {
    if (stopping || kafka !== which) return;
    kafka = undefined;
    brokerUp = new Deferred();
    if (state.broker) {
      state.broker.pid = null;
      state.broker.lastExit = { ...exit, at: new Date().toISOString(), upForMs };
    }
    save();
    log.warn({ ...exit, upForMs }, 'broker stopped unexpectedly');
    let decision = brokerPolicy.next(upForMs);
    say(`Kafka stopped unexpectedly (${describeExit(exit)}); restarting it.`);
    for (;;) {
      if (decision.giveUp) {
        giveUp(
          `Kafka failed ${decision.fastFailures} times in a row soon after starting; not restarting it.\n` +
            `See its log: ${join(kafkaDir, 'server.log')}`,
        );
        return;
      }
      await sleep(decision.delayMs);
      if (stopping) return;
      try {
        await startBroker((m) => log.info({ progress: m }, 'broker restart'));
        say('Kafka is back.');
        return;
      } catch (error) {
        if (state.broker) state.broker.failedStarts++;
        save();
        log.error({ err: error }, 'broker restart failed');
        say(`Kafka did not start again: ${(error as Error).message.split('\n')[0]}`);
        decision = brokerPolicy.next(undefined);
      }
    }
  }

  // ── the app ───────────────────────────────────────────────────────────────────────────────────
  function startApp(): void {
    const restarts = state.app.starts;
    const child = spawn(process.execPath, ['--import', 'tsx', APP], {
      cwd: ROOT,
      env: {
        // glibc gives each thread (DuckDB's, libuv's) its own malloc arena, and freed native memory
        // stays in them: two arenas keep the app's resident memory near what it uses.
        MALLOC_ARENA_MAX: '2',
        ...process.env,
        ...(brokers ? { KAFKA_BROKERS: brokers.join(',') } : {}),
        [RESTARTS_ENV]: String(restarts),
      },
      // stdout straight to the terminal (progress, the URL); stderr through us, to keep its end.
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      detached: true,
    });
    app = child;
    state.app.pid = child.pid ?? null;
    state.app.starts++;
    save();
    log.info({ pid: child.pid, restarts }, 'app started');
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-8000);
    });
    let upAt: number | undefined;
    child.on('message', (raw) => {
      const message = AppMessageSchema.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === 'listening') {
        upAt = Date.now();
        log.info({ pid: child.pid, url: message.data.url }, 'app up');
        if (restarts > 0) say(`The app is back: ${message.data.url}/`);
      }
    });
    child.once('exit', (code, signal) => {
      void onAppExit(child, { code, signal }, upAt === undefined ? undefined : Date.now() - upAt, tail);
    });
  }

  async function onAppExit(
    which: ChildProcess,
    exit: { code: number | null; signal: string | null },
    upForMs: number | undefined,
    tail: string,
  ): Promise<void> {
    if (app !== which) return;
    app = undefined;
    state.app.pid = null;
    state.app.lastExit = { ...exit, at: new Date().toISOString(), upForMs: upForMs ?? null };
    if (upForMs === undefined) state.app.failedStarts++;
    save();
    if (stopping) return;
    log.warn({ ...exit, upForMs }, 'app stopped unexpectedly');
    const decision = appPolicy.next(upForMs);
    if (decision.giveUp) {
      giveUp(
        `The app failed ${decision.fastFailures} times in a row, each time before it was up or within ` +
          `${DEFAULT_RESTART_POLICY.fastMs / 1000} s of it; not restarting it.\n` +
          `Its last output:\n${lastLines(tail) || '(none)'}\nLog: ${logFile(config.dataDir)}`,
      );
      return;
    }
    say(
      `The app stopped unexpectedly (${describeExit(exit)}, ${
        upForMs === undefined ? 'before it was up' : `after ${Math.round(upForMs / 1000)} s`
      }); restarting it.`,
    );
    await sleep(decision.delayMs);
    // Restarted once the broker is up: its start would only wait for it.
    if (!config.KAFKA_BROKERS) await brokerUp.promise;
    if (!stopping) startApp();
  }

  // ── start ─────────────────────────────────────────────────────────────────────────────────────
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0, signal));
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'supervisor fault');
    process.stderr.write(`Supervisor fault: ${error.message}\n`);
    void stopAll(1, 'a fault in the supervisor');
  });
  try {
    if (!config.KAFKA_BROKERS) {
      mkdirSync(kafkaDir, { recursive: true });
      lock = await acquireBrokerLock(kafkaDir, { onWait: say });
    }
    owner = true;
    save();
    if (!config.KAFKA_BROKERS) {
      // The app starts beside the broker's JVM (it waits for Kafka itself): its start-up — loading
      // its modules — overlaps the broker's instead of following it.
      await startBroker(say, (address) => {
        brokers = [...address];
        if (!stopping) startApp();
      });
      say(`Kafka ${brokers?.join(',')} is up (log: ${kafka?.logFile}).`);
    }
    if (stopping) return;
    if (!app) startApp();
  } catch (error) {
    process.stderr.write(`\nStart failed: ${(error as Error).message}\n`);
    log.error({ err: error }, 'start failed');
    await stopAll(1, 'start failed');
  }
}
