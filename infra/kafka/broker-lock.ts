/**
 * One broker per data folder, whatever crashed before.
 *
 *   open broker.lock ── flock(2) on that open file (util-linux `flock -n <fd>`)
 *        │               held by the open file, which the supervisor and the broker's JVM share
 *        ├─ free ─────── ours: the broker is started with the file as its fd 3
 *        └─ held ─────── broker.json names the holder:
 *                          its supervisor alive → refuse (a broker is running here)
 *                          its supervisor dead  → an orphan on its way out: wait, then stop it
 *
 * The kernel drops a flock when the last process holding the file dies, so the lock is never
 * stale: a successor takes it the moment the previous broker is gone, and a broker killed alone
 * leaves the lock with its supervisor, which restarts it. Without `flock` (not Linux) the holder
 * record alone is checked: weaker, as it is not atomic.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class BrokerLockedError extends Error {
  override readonly name = 'BrokerLockedError';
}

export interface BrokerLock {
  /** The open lock file: pass it to the broker (as fd 3) so the lock lives as long as it does. */
  readonly fd: number;
  readonly dataDir: string;
  /** Records who holds the lock (for a successor's message, and to stop an orphan). */
  holder(brokerPid: number, port: number): void;
  release(): void;
}

export interface BrokerHolder {
  readonly brokerPid: number;
  readonly supervisorPid: number;
  readonly port: number;
  readonly since: string;
}

const LOCKED = 75;

function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is a Kafka broker running on `dataDir` (so a reused pid is never signalled). */
function isOurBroker(pid: number, dataDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(dataDir);
  } catch {
    // No /proc (not Linux): trust the holder record.
    return isAlive(pid);
  }
}

function readHolder(dataDir: string): BrokerHolder | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'broker.json'), 'utf8')) as BrokerHolder;
  } catch {
    return undefined;
  }
}

/** `flock -n` on our open file: 'ours', 'held', or 'unsupported' (no flock command). */
function tryFlock(fd: number): 'ours' | 'held' | 'unsupported' {
  const result = spawnSync('flock', ['-n', '-E', String(LOCKED), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
  if (result.error) return 'unsupported';
  if (result.status === 0) return 'ours';
  if (result.status === LOCKED) return 'held';
  throw new BrokerLockedError(`flock failed on broker.lock: ${result.stderr?.toString() ?? ''}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireBrokerLock(
  dataDir: string,
  options: { orphanGraceMs?: number; onWait?: (message: string) => void } = {},
): Promise<BrokerLock> {
  const fd = openSync(join(dataDir, 'broker.lock'), 'a');
  const grace = options.orphanGraceMs ?? 20_000;
  let waitingSince: number | undefined;
  let signalled: 'TERM' | 'KILL' | undefined;
  try {
    for (;;) {
      const holder = readHolder(dataDir);
      const state = tryFlock(fd);
      const brokerAlive = holder !== undefined && isAlive(holder.brokerPid) && isOurBroker(holder.brokerPid, dataDir);
      if (state === 'ours' || (state === 'unsupported' && !brokerAlive)) break;
      if (holder && holder.supervisorPid !== process.pid && isAlive(holder.supervisorPid)) {
        throw new BrokerLockedError(
          `A Kafka broker (pid ${holder.brokerPid}, port ${holder.port}) is already running on ${dataDir}, ` +
            `supervised by process ${holder.supervisorPid} since ${holder.since}. Stop that one first ` +
            '(Ctrl-C where it runs), or use another DATA_DIR.',
        );
      }
      // An orphan: its supervisor died, and the broker is shutting down (it gets SIGTERM when its
      // parent dies). Give it time to finish cleanly, then stop it ourselves.
      waitingSince ??= Date.now();
      const waited = Date.now() - waitingSince;
      if (holder && brokerAlive) {
        if (waited > grace && !signalled) {
          options.onWait?.(`stopping the broker left running by an earlier start (pid ${holder.brokerPid})`);
          process.kill(holder.brokerPid, 'SIGTERM');
          signalled = 'TERM';
        } else if (waited > grace * 2 && signalled === 'TERM') {
          process.kill(holder.brokerPid, 'SIGKILL');
          signalled = 'KILL';
        }
      } else if (waited > grace * 3) {
        throw new BrokerLockedError(
          `${join(dataDir, 'broker.lock')} is held by a process this start cannot identify; ` +
            'stop the other Kafka broker on this folder, or use another DATA_DIR.',
        );
      }
      await sleep(250);
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let released = false;
  return {
    fd,
    dataDir,
    holder(brokerPid, port) {
      writeFileAtomic(
        join(dataDir, 'broker.json'),
        JSON.stringify({ brokerPid, supervisorPid: process.pid, port, since: new Date().toISOString() }),
      );
    },
    release() {
      if (released) return;
      released = true;
      closeSync(fd);
    },
  };
}

/** The holder record, if any (for tools and tests that need the broker's pid). */
export function brokerHolder(dataDir: string): BrokerHolder | undefined {
  return existsSync(join(dataDir, 'broker.json')) ? readHolder(dataDir) : undefined;
}
