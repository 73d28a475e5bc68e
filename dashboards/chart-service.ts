/**
 * From a chart URL to a chart: parse the parameters, ask the public (released) trends, build the
 * spec, and keep renders in a cache keyed by release and parameters — a release never changes, so
 * a render of it stays right until a newer release changes the "superseded" note.
 */
import { LRUCache } from 'lru-cache';
import { parseQuery } from '../api/http/index.js';
import { AppError, csvLines, type HelplineInfo, type TrendsAnswer, type TrendsQuery } from '../domain/index.js';
import {
  buildChart,
  CHART_NAMES,
  type Chart,
  type ChartName,
  type ChartParams,
  ChartParamsSchema,
  chartQuery,
} from './charts/index.js';
import type { CompletenessReport } from './pages/completeness-page.js';
import { renderSvg, svgToPng } from './render.js';

export interface DashboardDeps {
  /** Public trends: answers only from protected releases (never the live view). */
  readonly trends: (query: TrendsQuery) => Promise<TrendsAnswer>;
  readonly latestRelease: () => Promise<string | undefined>;
  /** Registered helplines (public facts: name, country, region), for "n of N reported". */
  readonly helplines: () => Promise<readonly Pick<HelplineInfo, 'country' | 'region'>[]>;
  /** Who reported which months of a year (for the secretariat's completeness page). */
  readonly completeness?: (year: number) => Promise<CompletenessReport>;
  /** Now: how old the helpline list is, which year a page defaults to. */
  readonly clock: () => Date;
}

export type Output = 'vl.json' | 'svg' | 'png' | 'csv';

export function parseChartName(name: string): ChartName {
  if ((CHART_NAMES as readonly string[]).includes(name)) return name as ChartName;
  throw new AppError('not_found', `There is no chart "${name}". Charts: ${CHART_NAMES.join(', ')}.`, {
    status: 404,
  });
}

export function parseChartParams(query: Record<string, unknown>): ChartParams {
  return parseQuery(ChartParamsSchema, query, 'A chart parameter is not valid.');
}

export function createChartService(deps: DashboardDeps) {
  const renders = new LRUCache<string, string | Buffer>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (v) => Math.max(1, v.length),
  });
  let helplinesSeen: { at: number; list: Promise<readonly Pick<HelplineInfo, 'country' | 'region'>[]> } | undefined;
  const helplines = () => {
    // The register changes rarely; a minute-old count is fine for a source line.
    const now = deps.clock().getTime();
    if (!helplinesSeen || now - helplinesSeen.at > 60_000) {
      helplinesSeen = { at: now, list: deps.helplines() };
    }
    return helplinesSeen.list;
  };

  async function chart(name: ChartName, params: ChartParams): Promise<{ chart: Chart; key: string; release: string }> {
    const [answer, latestRelease, registered] = await Promise.all([
      deps.trends(chartQuery(name, params)),
      deps.latestRelease(),
      helplines(),
    ]);
    const expectedHelplines = registered.filter(
      (h) =>
        (!params.region || (params.region as readonly string[]).includes(h.region)) &&
        (!params.country || params.country.includes(h.country)),
    ).length;
    const ctx = { expectedHelplines, latestRelease };
    const key = JSON.stringify([name, answer.release, latestRelease, expectedHelplines, params]);
    return { chart: buildChart(name, answer, params, ctx), key, release: answer.release };
  }

  async function output(
    name: ChartName,
    params: ChartParams,
    kind: Output,
  ): Promise<{ body: string | Buffer; cached: boolean; release: string }> {
    const { chart: built, key, release } = await chart(name, params);
    const cacheKey = `${kind}|${key}`;
    const hit = renders.get(cacheKey);
    if (hit !== undefined) return { body: hit, cached: true, release };
    let out: string | Buffer;
    if (kind === 'vl.json') out = JSON.stringify(built.spec);
    else if (kind === 'csv') {
      // Numbers stay plain for R and pandas; a withheld value is empty, flagged in its own column.
      out = csvLines([
        [...built.table.columns, 'Withheld'],
        ...built.table.rows.map((r) => {
          const value = r.at(-1);
          return [...r.slice(0, -1), value ?? null, String(value === null)];
        }),
      ]);
    } else {
      const svg = await renderSvg(built.spec);
      out = kind === 'svg' ? svg : svgToPng(svg);
    }
    renders.set(cacheKey, out);
    return { body: out, cached: false, release };
  }

  return { chart, output, cacheSize: () => renders.size };
}

export type ChartService = ReturnType<typeof createChartService>;
