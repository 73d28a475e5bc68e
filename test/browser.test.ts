/**
 * The pages in a real browser (Debian's Chromium driven by playwright-core): the home page and an
 * embed draw their charts with no console errors and no request to another host, and the iframe
 * snippet pasted into a plain page on another origin shows the chart.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openWatched } from './helpers/chromium.js';
import { byYear, GROOMING_AND_CONFLICT, mustPublish, THREE_CONTINENTS, uploadEveryMonth } from './helpers/requests.js';
import { startTestRuntime, type TestRuntime } from './helpers/runtime.js';

const ARTIFACTS = 'test-artifacts';
let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  rt = await startTestRuntime();
  await uploadEveryMonth(rt, {
    lines: THREE_CONTINENTS,
    periods: ['2022-01', '2022-02', '2023-01', '2023-02', '2024-01', '2024-02'],
    base: byYear,
    rows: GROOMING_AND_CONFLICT,
  });
  await mustPublish(rt);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await rt?.close();
});

async function openPage(url: string, shot: string) {
  const { page, errors, requests } = await openWatched(browser, url, { width: 900, height: 700 });
  return { page, errors, requests, shot: () => page.screenshot({ path: `${ARTIFACTS}/${shot}.png`, fullPage: true }) };
}

async function pasteIntoOtherSite(snippet: string, shot: string) {
  const other: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>Advocacy page</title><h1>Our report</h1>${snippet}</html>`,
    );
  });
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', () => ok()));
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
  try {
    const { page, errors, shot: take } = await openPage(otherUrl, shot);
    const figure = page.frameLocator('iframe').locator('figure[data-rendered="true"]');
    await figure.waitFor({ timeout: 30_000 });
    expect(await page.frameLocator('iframe').locator('.chart svg').count()).toBe(1);
    await take();
    expect(errors).toEqual([]);
    await page.close();
  } finally {
    await new Promise((ok) => other.close(ok));
  }
}

describe('pages in Chromium', () => {
  it.each([
    ['trend', 'split=region', '.mark-line path', 'Europe'],
    ['harm-mix', '', '.mark-rect path', 'Online harms'],
    ['map', 'year=2023', '.mark-shape path', 'Cases'],
    ['breakdown', 'split=gender&year=2023', '.mark-text text', 'Girl'],
  ])('the %s embed draws its chart and data table, from this server only', async (chart, query, marks, name) => {
    const { page, errors, requests, shot } = await openPage(`${rt.url}/embed/${chart}?${query}`, `embed-${chart}`);
    await page.waitForSelector('figure[data-rendered="true"]', { timeout: 30_000 });
    expect(await page.locator(`.chart svg ${marks}`).count()).toBeGreaterThan(0);
    expect(await page.locator('table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('.chart svg').textContent()).toContain(name);
    expect(await page.locator('figcaption').textContent()).toMatch(/release \d{4}-\d{2}/);
    await shot();
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith(rt.url))).toBe(true);
    await page.close();
  });

  it('the dashboard shows headlines and three charts, and its filters update the charts and the URL', async () => {
    const { page, errors, requests, shot } = await openPage(`${rt.url}/`, 'dashboard');
    await expect.poll(() => page.locator('figure[data-rendered="true"]').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator('.headline strong').first().textContent()).toMatch(/\d/);
    await shot();
    await Promise.all([page.waitForURL(/region=europe/), page.selectOption('select[name=region]', 'europe')]);
    await expect.poll(() => page.locator('figure[data-rendered="true"]').count(), { timeout: 30_000 }).toBe(3);
    const trend = await page.locator('figure').first().locator('.chart svg').textContent();
    expect(trend).toContain('Europe');
    expect(trend).not.toContain('Africa');
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith(rt.url))).toBe(true);
    await page.close();
  });

  it('the dashboard is usable at phone width (no sideways scrolling)', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${rt.url}/`);
    await expect.poll(() => page.locator('figure[data-rendered="true"]').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the builder's snippet, pasted into a plain page on another site, shows the chart; its links work", async () => {
    const { page, errors, requests, shot } = await openPage(`${rt.url}/builder`, 'builder');
    await page.selectOption('select[name=chart]', 'map');
    await page.selectOption('select[name=year]', '2023');
    // The snippet carries the page's language, so the embed reads the same elsewhere.
    await expect.poll(() => page.inputValue('#snippet')).toContain('/embed/map?lang=en&year=2023');
    await page.frameLocator('#preview').locator('figure[data-rendered="true"]').waitFor({ timeout: 30_000 });
    expect(page.url()).toContain('chart=map');
    await shot();
    const snippet = await page.inputValue('#snippet');
    expect(snippet).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\/map\?lang=en&year=2023"/);
    for (const [link, type] of [
      ['#svg-link', 'image/svg+xml'],
      ['#png-link', 'image/png'],
      ['#csv-link', 'text/csv'],
    ] as const) {
      const href = await page.locator(link).getAttribute('href');
      const r = await fetch(`${rt.url}${href}`);
      expect(r.status, link).toBe(200);
      expect(r.headers.get('content-type'), link).toContain(type);
    }
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith(rt.url))).toBe(true);
    await page.close();
    await pasteIntoOtherSite(snippet, 'builder-snippet-elsewhere');
  });

  it('the iframe snippet works pasted into a plain page on another site', async () => {
    await pasteIntoOtherSite(
      `<iframe src="${rt.url}/embed/trend?split=region" width="100%" height="520" style="border:0" title="Trend"></iframe>`,
      'embedded-elsewhere',
    );
  });
});
