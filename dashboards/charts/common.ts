/**
 * What every chart shares: the colour-blind-safe palette, the honest source line, the rows a chart
 * may show, and the data table that goes with it (embed pages, CSV, alt text).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Config } from 'vega-lite/types_unstable/config.d.ts';
import { type ChartParams, type Translator, type TrendRow, type TrendsAnswer, translator } from '../../domain/index.js';
import { wrapToWidth } from '../text-metrics.js';

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
/** Withheld values: a neutral grey that no series uses. */
export const WITHHELD_COLOUR = '#6f6f6f';
/** Places and periods with no data at all. */
export const NO_DATA_COLOUR = '#e8e8e8';
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

export const formatCount = (v: number | null, t: Translator = translator('en')) =>
  v === null ? t.t('value.withheld') : t.number(v);

/** Noise releases show small values as "<5"; suppression releases have none to hide. */
export const displayBelow = (answer: TrendsAnswer): number | undefined => {
  const below = (answer.protection as { displayBelow?: number } | null)?.displayBelow;
  return typeof below === 'number' ? below : undefined;
};

export const display = (v: number | null, below: number | undefined, t: Translator = translator('en')) =>
  v !== null && below !== undefined && v < below ? `<${below}` : formatCount(v, t);

/**
 * What a chart may show: periods some helpline reported (no data is not zero), and by year, not a
 * year the release covers only in part (its total would look like a fall).
 */
export function chartable(
  answer: TrendsAnswer,
  t: Translator = translator('en'),
): { rows: TrendRow[]; note: string; partialYear?: string } {
  const to = answer.coverage?.to;
  const partialYear = answer.by === 'year' && to && !to.endsWith('-12') ? to.slice(0, 4) : undefined;
  const rows = answer.rows.filter((r) => r.helplinesReporting > 0 && r.period !== partialYear);
  return partialYear
    ? { rows, note: t.t('note.partialYear', { year: partialYear, to: t.period(to ?? '') }), partialYear }
    : { rows, note: '' };
}

/**
 * What every chart starts from: its layout (with the reader's translator), the rows it may show
 * and the display floor of a noisy release.
 */
export function chartBasis(answer: TrendsAnswer, params: ChartParams, defaultWidth: number) {
  const layout = layoutFor(params, defaultWidth);
  return { layout, t: layout.t, shown: chartable(answer, layout.t), below: displayBelow(answer) };
}

/** A single-year chart's basis, with the year it shows and that year's rows. */
export function yearBasis(answer: TrendsAnswer, params: ChartParams, defaultWidth: number) {
  const basis = chartBasis(answer, params, defaultWidth);
  const year = chosenYear(basis.shown.rows, params.year);
  return { ...basis, year, rows: basis.shown.rows.filter((r) => r.period === year) };
}

/** The year a single-year chart shows: the asked one, or the latest with data. */
export function chosenYear(rows: readonly TrendRow[], asked: string | undefined): string | undefined {
  return asked ?? rows.reduce<string | undefined>((last, r) => (!last || r.period > last ? r.period : last), undefined);
}

/** The period after `period` ("2023" → "2024", "2023-12" → "2024-01"). */
export function nextPeriod(period: string): string {
  if (/^\d{4}$/.test(period)) return String(Number(period) + 1);
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Every period from the first to the last, none skipped. */
export function periodRange(first: string, last: string): string[] {
  const out: string[] = [];
  for (let p = first; p <= last && out.length < 1200; p = nextPeriod(p)) out.push(p);
  return out;
}

/** Runs of periods between the first and last shown that have no data at all: [from, to] each. */
export function missingRuns(shown: readonly string[]): [string, string][] {
  const present = new Set(shown);
  const sorted = [...present].sort();
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) return [];
  const runs: [string, string][] = [];
  for (const p of periodRange(first, last)) {
    if (present.has(p)) continue;
    const run = runs.at(-1);
    if (run && nextPeriod(run[1]) === p) run[1] = p;
    else runs.push([p, p]);
  }
  return runs;
}

/** "2003–2012, 2015" in the reader's language. */
export const formatRuns = (runs: readonly [string, string][], t: Translator) =>
  runs.map(([a, b]) => (a === b ? t.period(a) : `${t.period(a)}–${t.period(b)}`)).join(t.comma);

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
  t: Translator = translator('en'),
): string {
  const parts = [t.t('source.release', { release: answer.release })];
  const reporting = reportingInLastPeriod(answer, rows);
  if (reporting) {
    parts.push(
      t.t('source.reporting', { n: reporting.n, total: ctx.expectedHelplines, period: t.period(reporting.period) }),
    );
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
      t.t('source.noise', {
        epsilon: p.epsilon ?? 'none',
        margin: margins.length ? t.number(Math.max(...margins)) : 'none',
        below: p.displayBelow,
      }),
    );
  } else {
    parts.push(
      p
        ? t.t('source.withheld', {
            min: (p.threshold ?? 5) + 1,
            minSensitive: (p.sensitiveThreshold ?? 10) + 1,
            count: withheld,
          })
        : t.t('source.internal'),
    );
  }
  const sentences = [`${parts.join(t.t('source.separator'))}.`, ...notes.filter(Boolean)];
  if (ctx.latestRelease && ctx.latestRelease !== answer.release) {
    sentences.push(t.t('source.superseded', { release: answer.release, latest: ctx.latestRelease }));
  }
  return sentences.join(' ');
}

/** Under this width a chart takes its phone layout: legend below the plot, fewer axis labels. */
export const NARROW_BELOW = 500;

/** How a chart lays out for the width it gets and the language it speaks. */
export interface Layout {
  /** The whole chart's width in pixels (axes and legend included). */
  readonly width: number;
  readonly narrow: boolean;
  readonly t: Translator;
  readonly rtl: boolean;
}

export function layoutFor(params: ChartParams, defaultWidth: number): Layout {
  const t = translator(params.lang ?? 'en');
  const width = params.width ?? defaultWidth;
  return { width, narrow: width < NARROW_BELOW, t, rtl: t.dir === 'rtl' };
}

/**
 * Right-to-left text in an SVG whose base direction is left-to-right: an RTL embedding
 * (U+202B … U+202C) makes the bidi algorithm order each Arabic line as a whole, so numbers,
 * parentheses and years sit where an Arabic reader expects them.
 */
export const bidi = (layout: Layout, text: string) =>
  layout.rtl ? `\u202b${text.replace(CODE_LIKE, (code) => `\u202a${code}\u202c`)}\u202c` : text;

/** Release ids and months ("2025-01") are codes: they keep their left-to-right order inside Arabic. */
const CODE_LIKE = /\d{4}-\d{2}(\.\d+)?/g;

/** The same for labels Vega draws from data (legend and axis labels). */
export const bidiLabels = (layout: Layout) => (layout.rtl ? { labelExpr: "'\u202b' + datum.label + '\u202c'" } : {});

const TITLE_SIZE = 13;
const SUBTITLE_SIZE = 11;

/** A legend that sits beside the plot, or below it on a phone, with room for its whole labels. */
export function legendFor(layout: Layout, title: string | null) {
  const common = {
    title: title === null ? null : bidi(layout, title),
    labelLimit: layout.narrow ? layout.width - 40 : 260,
    titleLimit: layout.width - 20,
    ...bidiLabels(layout),
  };
  return layout.narrow
    ? { ...common, orient: 'bottom' as const, direction: 'vertical' as const, columns: 1 }
    : { ...common, orient: layout.rtl ? ('left' as const) : ('right' as const) };
}

/** The parts of a spec every chart has: schema, alt text, title with the source as subtitle, fonts, its size. */
export function frame(text: ChartText, layout: Layout, height: number) {
  const room = layout.width - 16;
  const lines = (s: string, size: number, bold: boolean) =>
    wrapToWidth(s, room, size, bold).map((l) => bidi(layout, l));
  const title = lines(text.title, TITLE_SIZE, true);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: text.description,
    // The width asked is the whole chart's: the plot takes what the axes and legend leave.
    autosize: { type: 'fit-x' as const, contains: 'padding' as const },
    title: {
      text: title.length === 1 ? (title[0] as string) : title,
      subtitle: lines(text.source, SUBTITLE_SIZE, false),
      anchor: layout.rtl ? ('end' as const) : ('start' as const),
      fontSize: TITLE_SIZE,
      subtitleFontSize: SUBTITLE_SIZE,
    },
    config: {
      font: FONT,
      view: { stroke: null },
      ...(layout.t.lang === 'en' ? {} : { locale: layout.t.vegaLocale() as unknown as NonNullable<Config['locale']> }),
    },
    width: layout.width,
    height,
  };
}

export const percent = (part: number, whole: number, t: Translator = translator('en')) =>
  whole > 0 ? t.percent(part / whole) : '–';

type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/**
 * The layer that marks withheld values: a grey cross along the top of the plot at their position,
 * never a point at zero. `labels` are the tooltip fields naming the value (series, period).
 */
export function withheldLayer(x: unknown, labels: readonly unknown[], t: Translator = translator('en')): Layer {
  return {
    transform: [{ filter: '!isValid(datum.value)' }],
    mark: { type: 'point', shape: 'cross', size: 70, filled: true, color: WITHHELD_COLOUR },
    encoding: {
      x,
      y: { value: 0 },
      tooltip: [...labels, { field: 'shown', type: 'nominal', title: t.column('cases') }],
    },
  } as Layer;
}
