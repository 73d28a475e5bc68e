/**
 * GET /v1/trends — one measure (cases) over time, optionally split by one dimension.
 *
 * Public answers come only from a protected release (default: the newest). `release=live` is the
 * internal, unprotected warehouse, for the admin key only: two snapshots of a changing table
 * could be subtracted, so it is never public.
 */
import { type Request, type Response, Router } from 'express';
import { LRUCache } from 'lru-cache';
import {
  forbidden,
  type ReleasedTrendCell,
  type ReleaseManifest,
  type TrendCell,
  type TrendRow,
  type TrendsAnswer,
  TrendsAnswerSchema,
  type TrendsQuery,
  TrendsQuerySchema,
} from '../domain/index.js';
import {
  type Cell,
  type Format,
  negotiate,
  type RenderedTable,
  renderTable,
  sendRendered,
  tableAnswer,
  tableRoute,
} from './formats.js';
import { documentPaths, parseQuery, principalOf, problem, RELEASE_HEADERS } from './http/index.js';

export type TrendsSource = (q: TrendsQuery) => Promise<TrendCell[]>;

export interface ReleaseSource {
  /** The newest release's id (cheap: the reader keeps it until the next publication). */
  latestId?(): Promise<string | undefined>;
  query(
    releaseId: string | undefined,
    q: TrendsQuery,
  ): Promise<{ release: { id: string; manifest: ReleaseManifest }; cells: ReleasedTrendCell[] }>;
}

export function parseTrendsQuery(query: Request['query']): TrendsQuery {
  return parseQuery(TrendsQuerySchema, query);
}

function rowsOf(q: TrendsQuery, cells: readonly (TrendCell | ReleasedTrendCell)[]): TrendRow[] {
  const split = q.split ?? null;
  return cells.map((cell) => ({
    period: cell.period,
    ...(split ? { [split]: cell.key } : {}),
    value: 'suppressed' in cell && cell.suppressed ? null : cell.value,
    suppressed: 'suppressed' in cell ? cell.suppressed : false,
    helplinesReporting: cell.helplinesReporting,
    ...('margin95' in cell && cell.margin95 !== undefined ? { margin95: cell.margin95 } : {}),
  }));
}

export async function answerFromRelease(source: ReleaseSource, q: TrendsQuery): Promise<TrendsAnswer> {
  const { release, cells } = await source.query(q.release, q);
  const { manifest } = release;
  return {
    release: release.id,
    by: q.by,
    split: q.split ?? null,
    protection: manifest.protection,
    citation: manifest.citation,
    coverage: manifest.span,
    rows: rowsOf(q, cells),
  };
}

export async function answerLive(source: TrendsSource, q: TrendsQuery): Promise<TrendsAnswer> {
  return {
    release: 'live',
    by: q.by,
    split: q.split ?? null,
    protection: null,
    citation: null,
    coverage: null,
    rows: rowsOf(q, await source(q)),
  };
}

function render(answer: TrendsAnswer, format: Format): RenderedTable {
  const columns = [
    { name: 'period', type: 'string' as const },
    ...(answer.split ? [{ name: answer.split, type: 'string' as const }] : []),
    { name: 'value', type: 'int' as const },
    { name: 'suppressed', type: 'bool' as const },
    { name: 'helplinesReporting', type: 'int' as const },
    ...(answer.rows.some((r) => 'margin95' in r) ? [{ name: 'margin95', type: 'int' as const }] : []),
  ];
  return renderTable(format, answer, columns, answer.rows as unknown as Record<string, Cell>[], {
    filename: `trends-${answer.release}`,
    metadata: { release: answer.release, ...(answer.citation ? { citation: answer.citation } : {}) },
  });
}

/** A year: what HTTP caches treat as "for ever" (RFC 9111 suggests no more). */
export const PINNED_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Unpinned answers follow the newest release, which changes when one is published. */
export const UNPINNED_CACHE_CONTROL = 'public, max-age=300';

/**
 * A named release never changes: anyone may keep its answer for a year. "The newest" changes when a
 * release is published, so it is kept briefly and says which release answered (X-Release), for
 * citation and for a cache or a reader behind a load balancer to be checked against.
 */
export function setReleaseCaching(res: Response, pinned: string | undefined, answeredBy: string | undefined): void {
  res.set('Cache-Control', pinned ? PINNED_CACHE_CONTROL : UNPINNED_CACHE_CONTROL);
  if (answeredBy) res.set('X-Release', answeredBy);
}

/** A rendered answer and how it may be cached (pinned to a release, or the newest). */
interface CachedAnswer {
  readonly rendered: RenderedTable;
  readonly pinned: string | undefined;
  readonly id: string | undefined;
}

export function createTrendsRouter(live: TrendsSource, releases: ReleaseSource): Router {
  const router = Router();
  // Releases never change, so an answer from one is kept, rendered (bytes and ETag), by release id,
  // format and query. A second key leads to it: the URL and Accept header as they were asked, so a
  // repeated request is answered without parsing and validating its query again (only answers that
  // passed are kept under it). The newest release's id is part of it: a publication moves it on.
  const answers = new LRUCache<string, CachedAnswer>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (a) => Math.max(1, a.rendered.body.length),
  });
  const send = (res: Response, answer: CachedAnswer) => {
    // Only once answered: an error (an unknown release) must not be cached for a year.
    setReleaseCaching(res, answer.pinned, answer.id);
    sendRendered(res, answer.rendered);
  };
  router.get('/v1/trends', async (req: Request, res: Response) => {
    // A client asking for a fresh answer (Cache-Control: no-cache) gets one computed now.
    const fresh = /no-cache/.test(req.get('cache-control') ?? '');
    // Unknown (it could not be read): the request takes the full way below, which says why.
    const latest = fresh ? undefined : await releases.latestId?.().catch(() => undefined);
    const asked = `${latest}\n${req.get('accept') ?? ''}\n${req.url}`;
    const known = latest ? answers.get(asked) : undefined;
    if (known) return send(res, known);
    const q = parseTrendsQuery(req.query);
    const format = negotiate(req);
    if (q.release === 'live') {
      if (principalOf(res)?.role !== 'admin') {
        throw forbidden('release=live is the internal, unprotected view: it needs the admin key.');
      }
      res.set('Cache-Control', 'no-store');
      sendRendered(res, render(await answerLive(live, q), format));
      return;
    }
    const id = q.release ?? (await releases.latestId?.());
    const key = id ? JSON.stringify([id, format, { ...q, format: undefined, release: undefined }]) : undefined;
    let rendered = key && !fresh ? answers.get(key)?.rendered : undefined;
    if (!rendered) {
      rendered = render(await answerFromRelease(releases, { ...q, ...(id ? { release: id } : {}) }), format);
      if (key) answers.set(key, { rendered, pinned: q.release, id });
    }
    // How this URL may be cached is its own (pinned or not), whichever key found the bytes.
    const answer = { rendered, pinned: q.release, id };
    if (key && latest) answers.set(asked, answer);
    send(res, answer);
  });
  return router;
}

export const trendsPaths = documentPaths(
  tableRoute(
    { path: '/v1/trends', summary: 'Cases over time from a protected release', query: TrendsQuerySchema },
    tableAnswer(TrendsAnswerSchema, 'Rows; withheld values are null with suppressed: true', RELEASE_HEADERS),
    {
      304: { description: 'Not modified (If-None-Match)' },
      400: problem('Invalid parameter, or a cut the release plan does not publish'),
      403: problem('release=live without the admin key'),
      404: problem('No such release'),
      429: problem('Rate limited'),
    },
  ),
);
