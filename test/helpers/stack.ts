/**
 * The real `npm start` (bin/start.ts: supervisor, local broker, app) in its own data folder and on
 * free ports, for tests that kill its children by pid and watch it heal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisorState } from '../../bin/supervisor.js';
import { freePort, isAlive } from '../../infra/kafka/index.js';
import { waitFor } from './runtime.js';

export interface Stack {
  readonly dir: string;
  readonly url: string;
  readonly supervisor: ChildProcess;
  /** Everything the stack printed (stdout and stderr, as a terminal would show it). */
  output(): string;
  state(): SupervisorState;
  waitForOutput(pattern: RegExp, timeoutMs?: number, from?: number): Promise<void>;
  /** SIGKILLs the child by pid; resolves with the pid killed. */
  kill(which: 'app' | 'broker'): Promise<number>;
  ready(): Promise<boolean>;
  /** The supervisor's exit, however it comes. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (Ctrl-C by default) and waits for the supervisor's exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  appLog(): string;
  brokerLog(): string;
}

/** A stack with no demo data and no scheduled jobs. */
export const BARE_STACK = { SEED_DEMO: 'false', JOBS: 'off' } as const;

/** A suite's clean-up: Ctrl-C to the stack, if one was started, then its data folder removed. */
export async function stopAndRemove(stack: Stack | undefined) {
  if (!stack) return;
  await stack.stop('SIGINT');
  rmSync(stack.dir, { recursive: true, force: true });
}

export async function startStack(env: Record<string, string>, options: { dir?: string } = {}): Promise<Stack> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'helpline-stack-'));
  const port = await freePort();
  const { KAFKA_BROKERS: _external, ...inherited } = process.env;
  const supervisor = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    env: {
      ...inherited,
      LOG_LEVEL: 'info',
      ...env,
      DATA_DIR: dir,
      PORT: String(port),
      KAFKA_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  supervisor.stdout?.on('data', (c: Buffer) => {
    output += c.toString('utf8');
  });
  supervisor.stderr?.on('data', (c: Buffer) => {
    output += c.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    supervisor.once('exit', (code, signal) => ok({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const state = () => JSON.parse(readFileSync(join(dir, 'supervisor.json'), 'utf8')) as SupervisorState;
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    dir,
    url,
    supervisor,
    exited,
    output: () => output,
    state,
    async waitForOutput(pattern, timeoutMs = 240_000, from = 0) {
      await waitFor(
        `the stack to print ${pattern}`,
        async () => {
          if (supervisor.exitCode !== null) throw new Error(`the stack exited early:\n${output.slice(-3000)}`);
          return pattern.test(output.slice(from)) ? true : undefined;
        },
        timeoutMs,
      );
    },
    async kill(which) {
      const pid = which === 'app' ? state().app.pid : state().broker?.pid;
      if (!pid) throw new Error(`no ${which} process to kill`);
      process.kill(pid, 'SIGKILL');
      await waitFor(`the ${which} (pid ${pid}) to die`, async () => (isAlive(pid) ? undefined : true), 30_000);
      return pid;
    },
    async ready() {
      try {
        return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })).status === 200;
      } catch {
        return false;
      }
    },
    async stop(signal = 'SIGINT') {
      if (supervisor.exitCode === null && supervisor.signalCode === null) supervisor.kill(signal);
      return exited;
    },
    appLog: () => read(join(dir, 'logs', 'app.log')),
    brokerLog: () => read(join(dir, 'kafka', 'server.log')),
  };
}

/** Lines of the broker's log that mean a corrupted or doubly-started broker. */
export function brokerTrouble(log: string): string[] {
  return log
    .split('\n')
    .filter((l) =>
      /Corruption found|CorruptRecordException|Unhandled fault|Address already in use|Failed to acquire lock/.test(l),
    );
}
