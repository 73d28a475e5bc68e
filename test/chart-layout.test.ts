/**
 * Charts at phone and tablet widths, in every language, as a reader's browser draws them: each
 * chart is rendered to SVG on the server (the /charts/*.svg layout), opened in Chromium, and the
 * box of every visible text element measured. No two may overlap and none may leave the chart;
 * the chart itself fits the width it was asked for.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChart, ChartParamsSchema } from '../dashboards/charts/index.js';
import { renderSvg } from '../dashboards/render.js';
import { LANGUAGES } from '../domain/index.js';
import { CHART_CASES, CTX, gappyAnswer } from './helpers/chart-fixtures.js';
import { launchChromium } from './helpers/chromium.js';
import { type Box, inside, MEASURE_TEXT, overlaps } from './helpers/text-boxes.js';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Every visible text element's box, and the chart's, in page pixels. */
async function measure(svg: string): Promise<{ boxes: Box[]; chart: Box }> {
  await page.setContent(
    `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">${svg}</body></html>`,
  );
  // A script string: this project type-checks without the DOM library.
  return page.evaluate(MEASURE_TEXT('svg')) as Promise<{ boxes: Box[]; chart: Box }>;
}

describe('chart text at phone and tablet widths', () => {
  for (const width of [360, 768]) {
    for (const { chart, query } of CHART_CASES) {
      it(`${chart} at ${width} px: in ${LANGUAGES.join(', ')}, no text overlaps or leaves the chart`, async () => {
        for (const lang of LANGUAGES) {
          const params = ChartParamsSchema.parse({ ...query, width: String(width), lang });
          const built = buildChart(chart, gappyAnswer(chart, params), params, CTX);
          const { boxes, chart: box } = await measure(await renderSvg(built.spec));
          const label = `${chart} ${width}px ${lang}`;
          expect(boxes.length, label).toBeGreaterThan(8);
          // The chart takes the width it is given (a pixel for rounding).
          expect(box.w, label).toBeLessThanOrEqual(width + 1);
          const clashes: string[] = [];
          boxes.forEach((a, i) => {
            for (const b of boxes.slice(i + 1)) if (overlaps(a, b)) clashes.push(`"${a.text}" × "${b.text}"`);
          });
          expect(clashes, label).toEqual([]);
          expect(
            boxes.filter((b) => !inside(b, box)).map((b) => b.text),
            label,
          ).toEqual([]);
          // Nothing cut short: no label ends in an ellipsis.
          expect(
            boxes.filter((b) => b.text.endsWith('…')).map((b) => b.text),
            label,
          ).toEqual([]);
        }
      });
    }
  }

  it('the test finds overlaps when there are some', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50"><text x="10" y="20">2013</text><text x="20" y="22">2014</text><text x="190" y="40">outside</text></svg>';
    const { boxes, chart } = await measure(svg);
    expect(overlaps(boxes[0] as Box, boxes[1] as Box)).toBe(true);
    expect(inside(boxes[2] as Box, chart)).toBe(false);
  });
});
