/**
 * Answers shaped like the trends API's, for chart tests: every region (long names), harm groups
 * beyond the palette, 60 countries, every channel; years 2000–2024 with 2003–2012 unreported, as
 * helplines that joined, stopped and came back produce; some values withheld.
 */

import { type ChartName, type ChartParams, chartQuery } from '../../dashboards/charts/index.js';
import {
  CHANNEL_CODES,
  COUNTRIES,
  HARM_GROUPS,
  REGION_CODES,
  type Split,
  type TrendRow,
  type TrendsAnswer,
} from '../../domain/index.js';

export const GAP_YEARS = ['2000', '2001', '2002', ...Array.from({ length: 12 }, (_, i) => String(2013 + i))];

const KEYS: Partial<Record<Split, readonly string[]>> = {
  region: REGION_CODES,
  harmGroup: HARM_GROUPS.map((g) => g.code),
  country: COUNTRIES.slice(0, 60).map((c) => c.code),
  channel: CHANNEL_CODES,
};

export function gappyAnswer(chart: ChartName, params: ChartParams, years: readonly string[] = GAP_YEARS): TrendsAnswer {
  const q = chartQuery(chart, params);
  const keys = (q.split && KEYS[q.split]) || [null];
  const rows: TrendRow[] = [];
  years.forEach((period, p) => {
    keys.forEach((key, k) => {
      const withheld = (p + k) % 11 === 4;
      rows.push({
        period,
        ...(q.split ? { [q.split]: key } : {}),
        value: withheld ? null : 1000 + k * 1500 + p * 137,
        suppressed: withheld,
        helplinesReporting: q.split === 'region' || q.split === 'country' ? 4 : 20,
      });
    });
  });
  return {
    release: '2025-01',
    by: 'year',
    split: q.split ?? null,
    protection: { threshold: 5, sensitiveThreshold: 10 },
    citation: 'test',
    coverage: { from: '2000-01', to: '2024-12' },
    rows,
  };
}

export const CHART_CASES: readonly { chart: ChartName; query: Record<string, string> }[] = [
  { chart: 'trend', query: { split: 'region' } },
  { chart: 'harm-mix', query: {} },
  { chart: 'map', query: { year: '2023' } },
  { chart: 'breakdown', query: { split: 'channel', year: '2023' } },
];

export const CTX = { expectedHelplines: 60, latestRelease: '2025-01' };
