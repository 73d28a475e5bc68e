/**
 * A public read replica: serves every public route from the published release files alone — no
 * Kafka, no warehouse file — and follows new releases without dropping a request.
 *
 *   1. load the release files into an in-memory DuckDB (release-files.ts): a "generation"
 *   2. serve it (reader-app.ts) on one HTTP server that hands each request to the current generation
 *   3. every interval, look at the checksum files; when they changed, load a new generation beside
 *      the old one, then swap: requests in flight finish on the old, new ones go to the new
 *   4. close the old generation's DuckDB once its last request is done
 *
 * Any number of readers can read one exports folder (a shared disk, or a copy kept by rsync); they
 * hold no state of their own, so a load balancer may send any request to any of them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, Request, Response } from 'express';
import type { Logger } from 'pino';
import { closeServer, createHttpServer, listen, type ServerLimits } from '../api/index.js';
import { createReaderApp } from './reader-app.js';
import { type LoadedFiles, loadReleaseFiles, signatureOf } from './release-files.js';

export interface ReaderOptions {
  /** The writer's exports folder (DATA_DIR/exports), or a copy of it. */
  readonly exportsDir: string;
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** How often the folder is checked for a new release (default 10 s). */
  readonly intervalMs?: number;
  readonly codeVersion: string;
  readonly rateLimitPerMinute?: number;
  readonly httpLimits?: ServerLimits;
}

export interface Reader {
  readonly url: string;
  /** The releases the current generation serves. */
  releases(): readonly string[];
  /** Checks the folder now (as the timer does); true when a new generation took over. */
  refresh(): Promise<boolean>;
  stop(): Promise<void>;
}

interface Generation {
  readonly files: LoadedFiles;
  readonly app: Express;
  inFlight: number;
  retired: boolean;
  closed: boolean;
}

export async function startReader(options: ReaderOptions): Promise<Reader> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());

  // 1.
  const build = async (): Promise<Generation> => {
    const files = await loadReleaseFiles(options.exportsDir);
    for (const s of files.skipped) logger.warn({ release: s.id, reason: s.reason }, 'release folder not served');
    const app = createReaderApp({
      files,
      exportsDir: options.exportsDir,
      logger: logger.child({ stage: 'reader' }),
      clock,
      codeVersion: options.codeVersion,
      ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    });
    logger.info({ releases: files.releases }, 'release files loaded');
    return { files, app, inFlight: 0, retired: false, closed: false };
  };
  let current = await build();

  // 4.
  const closeIfIdle = (g: Generation) => {
    if (!g.retired || g.inFlight > 0 || g.closed) return;
    g.closed = true;
    g.files.warehouse.close();
  };

  // 2. Each request stays with the generation it started on, however long it takes.
  const handle = (req: Request, res: Response) => {
    const g = current;
    g.inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      g.inFlight--;
      closeIfIdle(g);
    };
    res.once('finish', finish);
    res.once('close', finish);
    g.app(req, res);
  };
  const server: Server = await listen(
    // The server only ever calls its app as (req, res): the current generation's app, looked up per request.
    createHttpServer(handle as unknown as Express, logger.child({ stage: 'http' }), options.httpLimits),
    options.port,
    options.host ?? '127.0.0.1',
  );
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  logger.info({ url, exportsDir: options.exportsDir }, 'reader listening');

  // 3.
  let refreshing: Promise<boolean> | undefined;
  const refresh = () => {
    refreshing ??= (async () => {
      try {
        if ((await signatureOf(options.exportsDir)) === current.files.signature) return false;
        const next = await build();
        const old = current;
        current = next;
        old.retired = true;
        closeIfIdle(old);
        logger.info({ releases: next.files.releases }, 'new release files served');
        return true;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };
  const timer = setInterval(() => {
    refresh().catch((error: unknown) =>
      logger.warn({ err: error }, 'release files not reloaded; serving the previous'),
    );
  }, options.intervalMs ?? 10_000);
  timer.unref();

  let stopped = false;
  return {
    url,
    releases: () => current.files.releases,
    refresh,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await refreshing?.catch(() => {});
      await closeServer(server);
      current.retired = true;
      closeIfIdle(current);
    },
  };
}
