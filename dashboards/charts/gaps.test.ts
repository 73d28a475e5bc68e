/**
 * Honest gaps: a period no helpline reported breaks the line (no segment spans it), the time axis
 * keeps the missing years (shaded on the trend, empty slots in the harm mix), and the note names
 * them — in every language.
 */
import { describe, expect, it } from 'vitest';
import { CTX, GAP_YEARS, gappyAnswer } from '../../test/helpers/chart-fixtures.js';
import { renderSvg } from '../render.js';
import { buildChart, ChartParamsSchema, missingRuns } from './index.js';

type Layer = { data?: { values: Record<string, unknown>[] }; mark: { type: string } | string; encoding?: unknown };

describe('gaps in the data', () => {
  it('finds the runs of missing periods, by year and by month', () => {
    expect(missingRuns(GAP_YEARS)).toEqual([['2003', '2012']]);
    expect(missingRuns(['2001', '2003', '2004', '2007'])).toEqual([
      ['2002', '2002'],
      ['2005', '2006'],
    ]);
    expect(missingRuns(['2023-11', '2024-02'])).toEqual([['2023-12', '2024-01']]);
    expect(missingRuns(['2020', '2021'])).toEqual([]);
  });

  it('the trend draws no segment across 2003–2012, shades the gap and says so', async () => {
    const params = ChartParamsSchema.parse({ split: 'region' });
    const built = buildChart('trend', gappyAnswer('trend', params), params, CTX);
    const values = (built.spec as { data: { values: { segment: string; period: string; value: number | null }[] } })
      .data.values;
    const bySegment = new Map<string, string[]>();
    for (const v of values) bySegment.set(v.segment, [...(bySegment.get(v.segment) ?? []), v.period]);
    expect(bySegment.size).toBeGreaterThan(5);
    for (const [segment, periods] of bySegment) {
      const years = periods.map(Number).sort((a, b) => a - b);
      // Within a segment the years follow each other: nothing bridges a missing period.
      expect(
        years
          .slice(1)
          .map((y, i) => y - (years[i] as number))
          .filter((step) => step !== 1),
        segment,
      ).toEqual([]);
    }
    const layers = (built.spec as { layer: Layer[] }).layer;
    const line = layers.find((l) => (typeof l.mark === 'string' ? l.mark : l.mark.type) === 'line');
    expect(JSON.stringify(line?.encoding)).toContain('"detail":{"field":"segment"');
    const band = layers.find((l) => (typeof l.mark === 'string' ? l.mark : l.mark.type) === 'rect');
    expect(band?.data?.values).toEqual([{ from: '2002', to: '2013', label: 'No data' }]);
    expect(built.text.source).toContain('No helpline reported for 2003–2012');
    // Drawn, each segment is its own path: 5 regions, each broken at least once by the gap.
    const svg = await renderSvg(built.spec);
    const paths = svg.match(/<path[^>]*aria-roledescription="line mark"/g) ?? [];
    expect(paths.length).toBe(bySegment.size);
    // Withheld values do not break a line: each region has exactly two runs, before and after.
    expect(bySegment.size).toBe(10);
  });

  it('the harm mix keeps every year on its axis and names the missing ones', () => {
    const params = ChartParamsSchema.parse({});
    const built = buildChart('harm-mix', gappyAnswer('harm-mix', params), params, CTX);
    const x = JSON.stringify(built.spec);
    const domain = JSON.parse(/"scale":\{"domain":(\[[^\]]*\])/.exec(x)?.[1] ?? '[]');
    expect(domain).toEqual(Array.from({ length: 25 }, (_, i) => String(2000 + i)));
    expect(built.text.source).toContain('No helpline reported for 2003–2012: those years are left empty.');
  });

  it.each([
    ['fr', 'Aucune ligne d’écoute n’a fait de déclaration pour 2003–2012'],
    ['es', 'Ninguna línea de ayuda informó datos para 2003–2012'],
    ['pt', 'Nenhuma linha de apoio reportou dados para 2003–2012'],
    ['ar', 'لم يقدّم أي خط مساعدة بيانات عن 2003–2012'],
  ])('the note is in the reader’s language (%s)', (lang, text) => {
    const params = ChartParamsSchema.parse({ split: 'region', lang });
    expect(buildChart('trend', gappyAnswer('trend', params), params, CTX).text.source, lang).toContain(text);
  });

  it('a series missing a year on its own breaks too, with a note', () => {
    const params = ChartParamsSchema.parse({ split: 'region' });
    const answer = gappyAnswer('trend', params, ['2019', '2020', '2021', '2022']);
    const rows = answer.rows.filter((r) => !(r.region === 'europe' && r.period === '2020'));
    const built = buildChart('trend', { ...answer, rows }, params, CTX);
    const europe = (
      built.spec as { data: { values: { series: string; segment: string; value: unknown }[] } }
    ).data.values
      .filter((v) => v.series === 'Europe' && v.value !== null)
      .map((v) => v.segment);
    expect(new Set(europe).size).toBe(2);
    expect(built.text.source).toContain('A line also breaks where its own series has no data.');
  });
});
