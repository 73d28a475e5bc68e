/**
 * GET /v1/trends — one measure (cases) over time, optionally split by one dimension.
 *
 * Until protected releases exist, public answers come from the warehouse with primary suppression
 * applied (counts 1–5 withheld; 1–10 for sexual violence and OCSEA). `release=live` (admin key
 * only) is the internal, unprotected view.
 */
import { type Request, type Response, Router } from 'express';
import {
  AppError,
  expandHarmCode,
  findHarmType,
  forbidden,
  type Split,
  type TrendCell,
  type TrendsQuery,
  TrendsQuerySchema,
} from '../domain/index.js';
import { principalOf, zodProblems } from '../ingest/index.js';

export const PROTECTION = { minCount: 6, minCountSensitive: 11 } as const;

export interface TrendRow {
  readonly period: string;
  readonly [split: string]: string | number | boolean | null;
  readonly value: number | null;
  readonly suppressed: boolean;
  readonly helplinesReporting: number;
}

export interface TrendsAnswer {
  readonly release: string;
  readonly by: 'year' | 'month';
  readonly split: Split | null;
  readonly protection: {
    readonly method: string;
    readonly threshold: number;
    readonly sensitiveThreshold: number;
  } | null;
  readonly rows: TrendRow[];
}

export type TrendsSource = (q: TrendsQuery) => Promise<TrendCell[]>;

/** A cell is sensitive when every harm type it can contain is (sexual violence, OCSEA). */
function isSensitive(q: TrendsQuery, cell: TrendCell): boolean {
  const types = new Set<string>();
  if (q.split === 'harm' && cell.key) types.add(cell.key);
  else for (const code of q.harm ?? []) for (const t of expandHarmCode(code) ?? []) types.add(t);
  if (types.size === 0) return false;
  return [...types].every((t) => findHarmType(t)?.sensitive === true);
}

export function parseTrendsQuery(query: Request['query']): TrendsQuery {
  const parsed = TrendsQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new AppError('invalid_parameter', 'A query parameter is not valid.', {
      status: 400,
      problems: zodProblems(parsed.error),
    });
  }
  return parsed.data;
}

export async function answerTrends(source: TrendsSource, q: TrendsQuery, live: boolean): Promise<TrendsAnswer> {
  const cells = await source(q);
  const split = q.split ?? null;
  const rows = cells.map((cell): TrendRow => {
    const threshold = isSensitive(q, cell) ? PROTECTION.minCountSensitive : PROTECTION.minCount;
    const suppressed = !live && cell.value > 0 && cell.value < threshold;
    return {
      period: cell.period,
      ...(split ? { [split]: cell.key } : {}),
      value: suppressed ? null : cell.value,
      suppressed,
      helplinesReporting: cell.helplinesReporting,
    };
  });
  return {
    release: live ? 'live' : 'provisional',
    by: q.by,
    split,
    protection: live
      ? null
      : {
          method: 'primary suppression',
          threshold: PROTECTION.minCount - 1,
          sensitiveThreshold: PROTECTION.minCountSensitive - 1,
        },
    rows,
  };
}

export function createTrendsRouter(source: TrendsSource): Router {
  const router = Router();
  router.get('/v1/trends', async (req: Request, res: Response) => {
    const q = parseTrendsQuery(req.query);
    const live = q.release === 'live';
    if (live && principalOf(res)?.role !== 'admin') {
      throw forbidden('release=live is the internal, unprotected view: it needs the admin key.');
    }
    const answer = await answerTrends(source, q, live);
    res.set('Cache-Control', live ? 'no-store' : 'public, max-age=60').json(answer);
  });
  return router;
}
