/**
 * The real app process (`bin/app.ts`, what `npm start` supervises) as a child the test can SIGKILL
 * and restart, against the suite's broker. It runs in its own process group so the kill takes
 * everything it started with it, like a machine losing power would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { waitFor } from './runtime.js';

export interface WorkerProcess {
  readonly url: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit: the exit code (null if a signal ended it). */
  stop(): Promise<number | null>;
  readonly starts: number;
}

/**
 * A worker's environment: its data folder and admin key, the suite's broker, topics and a group of
 * its own (named `<name>.submissions.<random>` and so on), no rate limit, and `extra` on top.
 */
export function workerEnv(name: string, dataDir: string, adminKey: string, extra: Record<string, string> = {}) {
  const id = randomBytes(4).toString('hex');
  return {
    DATA_DIR: dataDir,
    KAFKA_BROKERS: inject('kafkaBrokers').join(','),
    ADMIN_KEY: adminKey,
    KAFKA_TOPIC_SUBMISSIONS: `${name}.submissions.${id}`,
    KAFKA_TOPIC_DEAD_LETTERS: `${name}.dlq.${id}`,
    KAFKA_GROUP_ID: `${name}-${id}`,
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...extra,
  };
}

export function workerProcess(env: Record<string, string>, port: number): WorkerProcess {
  let child: ChildProcess | undefined;
  let starts = 0;
  const url = `http://127.0.0.1:${port}`;
  const exited = (c: ChildProcess) =>
    new Promise<void>((ok) => {
      if (c.exitCode !== null || c.signalCode !== null) ok();
      else c.once('exit', () => ok());
    });
  return {
    url,
    get starts() {
      return starts;
    },
    async start() {
      // node itself (not npx) so its own exit code reaches us.
      child = spawn(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
        env: { ...process.env, JOBS: 'off', ...env, PORT: String(port), SEED_DEMO: 'false', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      // Keep the end of its output: a failed start says why there.
      let tail = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-2000);
      });
      starts++;
      await waitFor(
        'the worker to answer /healthz',
        async () => {
          if (child?.exitCode !== null) throw new Error(`worker exited with ${child?.exitCode}: ${tail}`);
          try {
            return (await fetch(`${url}/healthz`)).ok ? true : undefined;
          } catch {
            return undefined;
          }
        },
        60_000,
      );
    },
    async kill() {
      const c = child;
      if (!c?.pid) return;
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited(c);
      // The process group's other members die with it; give the OS a moment to release the file lock.
      await new Promise((r) => setTimeout(r, 200));
    },
    async stop() {
      const c = child;
      if (!c?.pid) return null;
      try {
        process.kill(c.pid, 'SIGTERM');
      } catch {
        return c.exitCode;
      }
      await exited(c);
      await new Promise((r) => setTimeout(r, 500));
      return c.exitCode;
    },
  };
}
