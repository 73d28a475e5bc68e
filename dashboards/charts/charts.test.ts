/**
 * Every chart over a grid of parameters: the spec validates against Vega-Lite's own JSON schema,
 * compiles without warnings, shows withheld values as withheld (never as zero), renders to SVG
 * with its series names, and uses no term the Luxembourg Terminology Guidelines say to avoid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import {
  AGE_BAND_CODES,
  CHANNEL_CODES,
  COUNTRIES,
  GENDER_CODES,
  HARM_GROUPS,
  HARM_TYPES,
  REGION_CODES,
  ROLLUPS,
  type Split,
  type TrendRow,
  type TrendsAnswer,
} from '../../domain/index.js';
import { labelFor } from '../labels.js';
import { renderSvg, svgToPng } from '../render.js';
import { packageDir } from '../vendor.js';
import {
  buildChart,
  CHART_NAMES,
  CHART_SPLITS,
  type ChartName,
  type ChartParams,
  ChartParamsSchema,
  chartQuery,
} from './index.js';

const schema = JSON.parse(readFileSync(join(packageDir('vega-lite'), 'build', 'vega-lite-schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, logger: false }).compile(schema);

// Luxembourg Terminology Guidelines (2016): terms to avoid, with what to use instead.
const AVOID = [
  /child porn/i,
  /kiddie porn/i,
  /child prostitut/i,
  /juvenile prostitut/i,
  /child sex work/i,
  /child sex touris/i,
  /revenge porn/i,
  /webcam child sex/i,
  /\bpaedophil|\bpedophil/i,
  /consensual (sex|relationship) with a child/i,
];

const KEYS: Record<Split, readonly string[]> = {
  region: REGION_CODES,
  country: ['DE', 'KE', 'BR', 'MT', 'XK', 'SG'],
  harmGroup: HARM_GROUPS.map((g) => g.code),
  harm: HARM_TYPES.filter((t) => t.group === 'violence').map((t) => t.code),
  ageBand: AGE_BAND_CODES,
  gender: GENDER_CODES,
  channel: CHANNEL_CODES,
};

/** A made-up answer shaped like the API's: some values withheld, a year nobody reported, a partial year. */
function answerFor(chart: ChartName, params: ChartParams): TrendsAnswer {
  const q = chartQuery(chart, params);
  const periods =
    q.by === 'month' ? ['2023-11', '2023-12', '2024-01', '2024-02'] : ['2019', '2020', '2021', '2022', '2023', '2024'];
  const keys = q.split ? KEYS[q.split] : [null];
  const rows: TrendRow[] = [];
  periods.forEach((period, p) => {
    keys.forEach((key, k) => {
      const withheld = (p + k) % 7 === 3;
      const value = (k + 1) * 100 + p * 17;
      rows.push({
        period,
        ...(q.split ? { [q.split]: key } : {}),
        value: withheld ? null : value,
        suppressed: withheld,
        // Rows split by geography count their own helplines; other splits repeat the geography's.
        helplinesReporting: period === '2019' ? 0 : q.split === 'region' || q.split === 'country' ? 3 + k : 9,
      });
    });
  });
  return {
    release: '2024-07',
    by: q.by,
    split: q.split ?? null,
    protection: { threshold: 5, sensitiveThreshold: 10 },
    citation: 'test',
    coverage: { from: '2019-01', to: '2024-06' },
    rows,
  };
}

function grid(): { chart: ChartName; params: ChartParams }[] {
  const out: { chart: ChartName; params: ChartParams }[] = [];
  for (const chart of CHART_NAMES) {
    for (const split of [undefined, ...CHART_SPLITS[chart]]) {
      for (const extra of [
        {},
        { width: '320', height: '200' },
        { region: 'europe', harm: 'violence' },
        { harm: 'ocsea', measure: 'share' },
        { by: 'month' },
        { year: '2022' },
      ]) {
        if (extra.by && chart !== 'trend') continue;
        const params = ChartParamsSchema.parse({ ...(split ? { split } : {}), ...extra });
        out.push({ chart, params });
      }
    }
  }
  return out;
}

function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const n of node) strings(n, out);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) strings(v, out);
  return out;
}

const ctx = { expectedHelplines: 60, latestRelease: '2024-07' };

describe('chart specs', () => {
  const cases = grid();
  it(`a grid of ${cases.length} specs validates against the Vega-Lite schema and compiles without warnings`, () => {
    expect(cases.length).toBeGreaterThan(60);
    // The validator does reject what Vega-Lite would not accept.
    expect(validate({ data: { values: [] }, mark: 'blob' })).toBe(false);
    for (const { chart, params } of cases) {
      const built = buildChart(chart, answerFor(chart, params), params, ctx);
      const label = `${chart} ${JSON.stringify(params)}`;
      expect(validate(built.spec), `${label}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
      const warnings: string[] = [];
      const note = (...m: unknown[]) => {
        warnings.push(m.join(' '));
        return logger;
      };
      const logger: Record<string, unknown> = {
        level: () => logger,
        warn: note,
        info: () => logger,
        debug: () => logger,
        error: note,
      };
      compile(built.spec, { logger: logger as never });
      expect(warnings, label).toEqual([]);
      expect(built.text.description.length, label).toBeGreaterThan(20);
      expect(built.text.source, label).toContain('release 2024-07');
      const reported = Number(/(\d+) of 60 helplines reported/.exec(built.text.source)?.[1]);
      expect(reported, label).toBeGreaterThan(0);
      expect(reported, label).toBeLessThanOrEqual(60);
    }
  });

  it('withheld values are marked as withheld, never drawn as zero', () => {
    for (const { chart, params } of cases) {
      const answer = answerFor(chart, params);
      const built = buildChart(chart, answer, params, ctx);
      const withheldRows = built.table.rows.filter((r) => r.at(-1) === null);
      const data = (built.spec as { data?: { values: { value: number | null }[] } }).data?.values ?? [];
      // No withheld value became a number anywhere in the chart's data.
      expect(data.filter((d) => d.value === 0)).toEqual([]);
      if (withheldRows.length) expect(built.text.source, chart).toMatch(/withheld, \d+ here/);
    }
  });

  it('a year the release covers only in part and years nobody reported are not drawn', () => {
    const params = ChartParamsSchema.parse({});
    const built = buildChart('trend', answerFor('trend', params), params, ctx);
    const periods = new Set(built.table.rows.map((r) => r[1]));
    expect(periods.has('2024')).toBe(false);
    expect(periods.has('2019')).toBe(false);
    expect(built.text.source).toContain('2024 not shown');
  });

  it('says when the release has been superseded', () => {
    const params = ChartParamsSchema.parse({});
    const built = buildChart('trend', answerFor('trend', params), params, { ...ctx, latestRelease: '2024-08' });
    expect(built.text.source).toContain('superseded by release 2024-08');
  });

  it('no label, title or text uses a term the Luxembourg Guidelines say to avoid', () => {
    const texts: string[] = [];
    for (const split of Object.keys(KEYS) as Split[]) {
      texts.push(labelFor('dimension', split));
      const all = {
        region: REGION_CODES,
        country: COUNTRIES.map((c) => c.code),
        harmGroup: [...HARM_GROUPS.map((g) => g.code), ...ROLLUPS.map((r) => r.code)],
        harm: HARM_TYPES.map((t) => t.code),
        ageBand: AGE_BAND_CODES,
        gender: GENDER_CODES,
        channel: CHANNEL_CODES,
      }[split];
      for (const code of all) texts.push(labelFor(split, code));
    }
    for (const { chart, params } of cases) {
      const built = buildChart(chart, answerFor(chart, params), params, ctx);
      const { data: _data, layer, ...rest } = built.spec as TopLevelSpec & { data?: unknown; layer?: unknown[] };
      texts.push(...strings(rest), ...strings(layer), built.text.title, built.text.description, built.text.source);
    }
    expect(texts.length).toBeGreaterThan(1000);
    const bad = texts.filter((t) => AVOID.some((re) => re.test(t)));
    expect([...new Set(bad)]).toEqual([]);
    // The test itself catches the terms it exists for.
    expect(AVOID.some((re) => re.test('Child pornography'))).toBe(true);
  });
});

describe('rendered charts', () => {
  it('every chart renders to SVG with its marks and series names, and to a non-blank PNG', async () => {
    const checks: [ChartName, Record<string, string>, string[]][] = [
      ['trend', { split: 'region' }, ['Europe', 'Africa']],
      ['harm-mix', {}, ['Online harms', 'Other harm groups']],
      ['map', { year: '2023' }, ['Cases']],
      ['breakdown', { split: 'gender' }, ['Girl', 'Boy']],
    ];
    for (const [chart, raw, names] of checks) {
      const params = ChartParamsSchema.parse({ ...raw, width: '400', height: '240' });
      const built = buildChart(chart, answerFor(chart, params), params, ctx);
      const svg = await renderSvg(built.spec);
      expect(svg.startsWith('<svg'), chart).toBe(true);
      for (const name of names) expect(svg, `${chart} shows ${name}`).toContain(name);
      expect(svg, chart).toMatch(/class="mark-(line|rect|shape|symbol)/);
      const png = svgToPng(svg);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const width = png.readUInt32BE(16);
      expect(width, chart).toBeGreaterThan(400 * 2 - 1);
      // Not blank: a real chart compresses far worse than an empty white image of that size.
      expect(png.length, chart).toBeGreaterThan(8_000);
    }
  });
});
