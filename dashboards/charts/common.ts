/**
 * What every chart shares: the colour-blind-safe palette, the honest source line, the rows a chart
 * may show, and the data table that goes with it (embed pages, CSV, alt text).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrendRow, TrendsAnswer } from '../../api/index.js';

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
/** Withheld values: a neutral grey that no series uses. */
export const WITHHELD_COLOUR = '#6f6f6f';
export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export interface ChartText {
  readonly title: string;
  /** Source, coverage, protection and revision notes, in one line (wrapped into the subtitle). */
  readonly source: string;
  /** The data in one or two sentences: the chart's alt text. */
  readonly description: string;
}

/** The chart's data: label columns, then the cases (null when withheld). */
export interface ChartTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly [...string[], number | null])[];
  /** Noise releases: values under this are shown as "<n" (they are mostly noise). */
  readonly displayBelow?: number;
}

/** Facts about the world outside the answer that the source line needs. */
export interface ChartContext {
  /** Helplines registered in the chart's geography: "n of N reported". */
  readonly expectedHelplines: number;
  /** The newest published release, to say when the chart's release has been superseded. */
  readonly latestRelease: string | undefined;
}

export interface Chart {
  readonly spec: TopLevelSpec;
  readonly text: ChartText;
  readonly table: ChartTable;
}

export const formatCount = (v: number | null) => (v === null ? 'withheld' : v.toLocaleString('en'));

/** Noise releases show small values as "<5"; suppression releases have none to hide. */
export const displayBelow = (answer: TrendsAnswer): number | undefined => {
  const below = (answer.protection as { displayBelow?: number } | null)?.displayBelow;
  return typeof below === 'number' ? below : undefined;
};

export const display = (v: number | null, below: number | undefined) =>
  v !== null && below !== undefined && v < below ? `<${below}` : formatCount(v);

/**
 * What a chart may show: periods some helpline reported (no data is not zero), and by year, not a
 * year the release covers only in part (its total would look like a fall).
 */
export function chartable(answer: TrendsAnswer): { rows: TrendRow[]; note: string } {
  const to = answer.coverage?.to;
  const partialYear = answer.by === 'year' && to && !to.endsWith('-12') ? to.slice(0, 4) : undefined;
  const rows = answer.rows.filter((r) => r.helplinesReporting > 0 && r.period !== partialYear);
  return { rows, note: partialYear ? `${partialYear} not shown: the release covers it only to ${to}.` : '' };
}

/** The year a single-year chart shows: the asked one, or the latest with data. */
export function chosenYear(rows: readonly TrendRow[], asked: string | undefined): string | undefined {
  return asked ?? rows.reduce<string | undefined>((last, r) => (!last || r.period > last ? r.period : last), undefined);
}

/**
 * How many helplines reported the last period shown. Rows split by geography each count their own
 * helplines; rows split by anything else repeat the same geography's count.
 */
function reportingInLastPeriod(answer: TrendsAnswer, rows: readonly TrendRow[]): { period: string; n: number } | null {
  const last = rows.reduce<string | undefined>((p, r) => (!p || r.period > p ? r.period : p), undefined);
  if (!last) return null;
  const inLast = rows.filter((r) => r.period === last);
  const byGeo = answer.split === 'region' || answer.split === 'country';
  const n = byGeo
    ? inLast.reduce((s, r) => s + r.helplinesReporting, 0)
    : Math.max(...inLast.map((r) => r.helplinesReporting));
  return { period: last, n };
}

export function sourceLine(
  answer: TrendsAnswer,
  ctx: ChartContext,
  rows: readonly TrendRow[],
  notes: readonly string[] = [],
): string {
  const parts = [`Source: child helpline statistics, release ${answer.release}`];
  const reporting = reportingInLastPeriod(answer, rows);
  if (reporting) {
    parts.push(`${reporting.n} of ${ctx.expectedHelplines} helplines reported for ${reporting.period}`);
  }
  const p = answer.protection as {
    threshold?: number;
    sensitiveThreshold?: number;
    displayBelow?: number;
    epsilon?: string;
  } | null;
  const withheld = rows.filter((r) => r.suppressed).length;
  const margins = rows.map((r) => r.margin95).filter((m): m is number => typeof m === 'number');
  if (p?.displayBelow !== undefined) {
    parts.push(
      `noise added to every value for privacy (differential privacy${p.epsilon ? `, ε = ${p.epsilon}` : ''}), so values are approximate${margins.length ? `: within ±${Math.max(...margins).toLocaleString('en')} cases (95%)` : ''}; values under ${p.displayBelow} shown as <${p.displayBelow}`,
    );
  } else {
    parts.push(
      p
        ? `counts below ${(p.threshold ?? 5) + 1} (${(p.sensitiveThreshold ?? 10) + 1} for sexual violence and OCSEA) are withheld${withheld ? `, ${withheld} here (marked ×, not zero)` : ''}`
        : 'internal unprotected view',
    );
  }
  const sentences = [`${parts.join('; ')}.`, ...notes.filter(Boolean)];
  if (ctx.latestRelease && ctx.latestRelease !== answer.release) {
    sentences.push(
      `Release ${answer.release} has been superseded by release ${ctx.latestRelease}, which may revise these figures.`,
    );
  }
  return sentences.join(' ');
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

/** The parts of a spec every chart has: schema, alt text, title with the source as subtitle, fonts. */
export function frame(text: ChartText, width: number) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: text.description,
    title: {
      text: text.title,
      subtitle: wrap(text.source, Math.max(40, Math.floor(width / 6.2))),
      anchor: 'start' as const,
      subtitleFontSize: 11,
    },
    config: { font: FONT, view: { stroke: null } },
  };
}

export const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '–');

type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/**
 * The layer that marks withheld values: a grey cross along the top of the plot at their position,
 * never a point at zero. `labels` are the tooltip fields naming the value (series, period).
 */
export function withheldLayer(x: unknown, labels: readonly unknown[]): Layer {
  return {
    transform: [{ filter: '!isValid(datum.value)' }],
    mark: { type: 'point', shape: 'cross', size: 70, filled: true, color: WITHHELD_COLOUR },
    encoding: {
      x,
      y: { value: 0 },
      tooltip: [...labels, { field: 'shown', type: 'nominal', title: 'Cases' }],
    },
  } as Layer;
}
