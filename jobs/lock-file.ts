/**
 * A job lock that holds across processes on one machine: a file created with O_EXCL, naming its
 * owner. A lock whose owner process is gone (crashed) is taken over; a live owner's never is.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export type LockResult = { acquired: true; release: () => Promise<void> } | { acquired: false; heldBy: LockOwner };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(path: string, now: Date = new Date()): Promise<LockResult> {
  const me: LockOwner = { pid: process.pid, host: hostname(), since: now.toISOString() };
  const body = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(body);
      await file.close();
      return {
        acquired: true,
        release: async () => {
          // Only remove our own lock (a stale takeover may have replaced it).
          const current = await readFile(path, 'utf8').catch(() => '');
          if (current === body) await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: LockOwner;
      try {
        owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
      } catch {
        // Being written this instant, or torn by a crash mid-write: treat as held, try later.
        return { acquired: false, heldBy: { pid: 0, host: 'unknown', since: now.toISOString() } };
      }
      if (owner.host === me.host && !alive(owner.pid)) {
        await unlink(path).catch(() => {});
        continue;
      }
      return { acquired: false, heldBy: owner };
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
