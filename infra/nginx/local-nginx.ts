/**
 * Debian's nginx in front of local readers, with the repo's example configuration (readers.conf):
 * its upstream servers and listen port rewritten to the given ones, wrapped in a minimal main
 * configuration whose pid, logs and temporary files live in a folder of its own. Used by the
 * read-replica test and the bench; production uses readers.conf as it is.
 *
 *   render ───── readers.conf → <dir>/readers.conf (ports), <dir>/nginx.conf (includes it)
 *   check ────── nginx -t (a broken example fails here, with nginx's own message)
 *   start ────── nginx -c <dir>/nginx.conf in the foreground (daemon off), ready when it answers
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EXAMPLE_CONF = join(HERE, 'readers.conf');
export const NGINX = '/usr/sbin/nginx';

export class LocalNginxError extends Error {
  override readonly name = 'LocalNginxError';
}

export interface LocalNginx {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The example configuration with its upstream servers and listen address replaced. */
export function renderReadersConf(example: string, listenPort: number, upstreams: readonly number[]): string {
  const servers = example.match(/^[ \t]*server 127\.0\.0\.1:\d+[^\n]*$/gm) ?? [];
  if (servers.length === 0) throw new LocalNginxError('readers.conf has no upstream server lines');
  const template = servers[0] as string;
  const lines = upstreams.map((port) => template.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
  let out = example.replace(servers.join('\n'), lines.join('\n'));
  out = out.replace(/listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${listenPort};`);
  return out;
}

export async function startLocalNginx(options: {
  readonly dir: string;
  readonly listenPort: number;
  readonly upstreams: readonly number[];
}): Promise<LocalNginx> {
  if (!existsSync(NGINX)) {
    throw new LocalNginxError(`${NGINX} is missing: apt-get install -y nginx (Debian's package).`);
  }
  const { dir } = options;
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'readers.conf'),
    renderReadersConf(readFileSync(EXAMPLE_CONF, 'utf8'), options.listenPort, options.upstreams),
  );
  const main = [
    // As root, nginx's workers would switch to `nobody`, who cannot enter this folder.
    ...(process.getuid?.() === 0 ? ['user root root;'] : []),
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    `  client_body_temp_path ${join(dir, 'body')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'scgi')};`,
    `  include ${join(dir, 'readers.conf')};`,
    '}',
    '',
  ].join('\n');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, main);
  const check = spawnSync(NGINX, ['-t', '-q', '-e', join(dir, 'error.log'), '-c', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new LocalNginxError(`nginx refused the configuration: ${check.stderr}`);

  const child: ChildProcess = spawn(NGINX, ['-e', join(dir, 'error.log'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${options.listenPort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new LocalNginxError(`nginx exited at start: ${stderr}`);
    // Any answer (even 502 while the readers start) means nginx listens.
    const answered = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalNginxError(`nginx did not answer within 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? -1,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      // SIGQUIT: finish the requests in flight, then exit.
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
