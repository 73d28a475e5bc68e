/**
 * Reads through nginx in front of two read replicas (`npm run reader`, on the writer's exports
 * folder), beside the single process's figure measured just before with the same request mix.
 *
 *   start two readers → wait until both serve the release → nginx (infra/nginx/readers.conf)
 *     → warm each reader's answer cache → autocannon through nginx (cached, then uncached)
 *     → autocannon on one reader directly → memory of each reader → stop all
 *
 * On a two-core machine the readers, nginx and autocannon share the same cores as the writer:
 * the figure shows the per-request cost of the extra hop and of a replica, not the growth that
 * replicas on their own machines give (README, Scaling).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../infra/kafka/index.js';
import { NGINX, startLocalNginx } from '../infra/nginx/index.js';
import { rssMb } from './stats.js';

type Cannon = (
  url: string,
  requests: { path: string; headers?: Record<string, string> }[],
) => Promise<{ requestsPerSecond: number; p50ms: number; p99ms: number; requests: number }>;

async function startReader(
  root: string,
  exportsDir: string,
  logDir: string,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'reader', 'main.ts'),
      '--releases',
      exportsDir,
      '--port',
      String(port),
      '--rate-limit',
      '100000000',
      '--log-dir',
      logDir,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('a reader exited at start');
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 1200) throw new Error('a reader did not start in 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}

export async function benchReplicas(options: {
  readonly root: string;
  readonly work: string;
  readonly exportsDir: string;
  readonly release: string;
  readonly cachedMix: { path: string }[];
  readonly uncachedMix: { path: string; headers?: Record<string, string> }[];
  readonly cannon: Cannon;
}) {
  if (!existsSync(NGINX)) return { skipped: `${NGINX} is missing (apt-get install -y nginx)` };
  const logDir = join(options.work, 'reader-logs');
  mkdirSync(logDir, { recursive: true });
  const readers: { url: string; child: ChildProcess }[] = [];
  let nginx: Awaited<ReturnType<typeof startLocalNginx>> | undefined;
  try {
    const t0 = performance.now();
    for (let i = 0; i < 2; i++) readers.push(await startReader(options.root, options.exportsDir, logDir));
    // The export is written just after the release: the readers serve it within their interval.
    for (const r of readers) {
      for (let i = 0; ; i++) {
        const res = await fetch(`${r.url}/v1/trends?by=year`);
        await res.arrayBuffer();
        if (res.headers.get('x-release') === options.release) break;
        if (i > 1200) throw new Error(`a reader did not serve release ${options.release} within 120 s`);
        await new Promise((ok) => setTimeout(ok, 100));
      }
    }
    const readySeconds = (performance.now() - t0) / 1000;
    nginx = await startLocalNginx({
      dir: join(options.work, 'nginx'),
      listenPort: await freePort(),
      upstreams: readers.map((r) => Number(new URL(r.url).port)),
    });
    for (const r of readers) {
      for (const q of options.cachedMix) {
        const res = await fetch(`${r.url}${q.path}`);
        if (!res.ok) throw new Error(`${q.path} on a reader: HTTP ${res.status}`);
        await res.arrayBuffer();
      }
    }
    const cached = await options.cannon(nginx.url, options.cachedMix);
    const uncached = await options.cannon(nginx.url, options.uncachedMix);
    const oneReader = await options.cannon(readers[0]?.url ?? '', options.cachedMix);
    const memoryMb = await Promise.all(readers.map((r) => rssMb(r.child.pid ?? 0)));
    return {
      readers: readers.length,
      secondsToServe: Math.round(readySeconds * 10) / 10,
      throughNginx: { cached, uncached },
      oneReaderDirect: { cached: oneReader },
      readerMemoryMb: memoryMb,
    };
  } finally {
    await nginx?.stop();
    for (const r of readers) {
      if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
      const exited = new Promise((ok) => r.child.once('exit', ok));
      r.child.kill('SIGTERM');
      await exited;
    }
  }
}
