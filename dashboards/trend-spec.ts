/**
 * Trend chart: a pure function from a trends answer to a Vega-Lite spec with its data inline.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendsAnswer } from '../api/index.js';
import { labelFor } from './labels.js';

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export interface ChartText {
  readonly title: string;
  readonly source: string;
  readonly description: string;
}

/**
 * What a chart may show: periods some helpline reported (no data is not zero), and by year, not a
 * year the release covers only in part (its total would look like a fall).
 */
export function chartable(answer: TrendsAnswer): { rows: TrendsAnswer['rows']; note: string } {
  const to = answer.coverage?.to;
  const partialYear = answer.by === 'year' && to && !to.endsWith('-12') ? to.slice(0, 4) : undefined;
  const rows = answer.rows.filter((r) => r.helplinesReporting > 0 && r.period !== partialYear);
  return { rows, note: partialYear ? ` ${partialYear} not shown: the release covers it only to ${to}.` : '' };
}

export function trendText(answer: TrendsAnswer): ChartText {
  const shown = chartable(answer);
  const split = answer.split;
  const withheld = shown.rows.filter((r) => r.suppressed).length;
  const byKey = new Map<string, { first: number; last: number; firstPeriod: string; lastPeriod: string }>();
  for (const row of shown.rows) {
    if (row.value === null) continue;
    const key = split ? String(row[split]) : 'all';
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { first: row.value, last: row.value, firstPeriod: row.period, lastPeriod: row.period });
    else {
      seen.last = row.value;
      seen.lastPeriod = row.period;
    }
  }
  const sentences = [...byKey.entries()].slice(0, 5).map(([key, s]) => {
    const name = split ? labelFor(split, key) : 'All helplines';
    const change =
      s.first === 0 ? '' : ` (${s.last >= s.first ? '+' : ''}${Math.round(((s.last - s.first) / s.first) * 100)}%)`;
    return `${name}: ${s.first.toLocaleString('en')} cases in ${s.firstPeriod}, ${s.last.toLocaleString('en')} in ${s.lastPeriod}${change}.`;
  });
  const title = split
    ? `Cases registered by child helplines, by ${labelFor('dimension', split)}`
    : 'Cases registered by child helplines';
  const p = answer.protection as { threshold?: number; sensitiveThreshold?: number } | null;
  const protection = p
    ? `counts below ${(p.threshold ?? 5) + 1} (${(p.sensitiveThreshold ?? 10) + 1} for sexual violence and OCSEA) withheld${withheld ? `, ${withheld} value(s) withheld here` : ''}`
    : 'internal unprotected view';
  return {
    title,
    source: `Source: Child helpline statistics, release ${answer.release}; ${protection}.${shown.note}`,
    description: sentences.length ? `Line chart. ${sentences.join(' ')}` : 'Line chart with no data for these filters.',
  };
}

/** Splits a long line into lines of about `width` characters, at spaces (Vega-Lite does not wrap). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function trendSpec(answer: TrendsAnswer, size: { width?: number; height?: number } = {}): TopLevelSpec {
  const split = answer.split;
  const text = trendText(answer);
  const values = chartable(answer)
    .rows.filter((r) => r.value !== null)
    .map((r) => ({
      period: r.period,
      series: split ? labelFor(split, String(r[split])) : 'All helplines',
      value: r.value,
    }));
  const timeUnit = answer.by === 'year' ? 'year' : 'yearmonth';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: text.description,
    title: {
      text: text.title,
      subtitle: wrap(text.source, Math.max(40, Math.floor((size.width ?? 640) / 6.2))),
      anchor: 'start',
      subtitleFontSize: 11,
    },
    width: size.width ?? 640,
    height: size.height ?? 320,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'period',
        type: 'temporal',
        timeUnit,
        title: answer.by === 'year' ? 'Year' : 'Month',
        axis: { format: answer.by === 'year' ? '%Y' : '%b %Y' },
      },
      y: { field: 'value', type: 'quantitative', title: 'Cases', axis: { format: ',d' } },
      color: {
        field: 'series',
        type: 'nominal',
        title: split ? labelFor('dimension', split) : null,
        scale: { range: PALETTE },
      },
      tooltip: [
        { field: 'series', type: 'nominal', title: split ? labelFor('dimension', split) : 'Series' },
        { field: 'period', type: 'temporal', timeUnit, title: 'Period' },
        { field: 'value', type: 'quantitative', title: 'Cases', format: ',d' },
      ],
    },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', view: { stroke: null } },
  };
}
