/**
 * Every page in every language, as readers get it: the dashboard, each embed and the builder in
 * Chromium at 360 and 1280 px (screenshots in test-artifacts/), with `lang` and `dir` on the page,
 * the charts' text in the language and, on a phone, no chart text overlapping. Over HTTP: the
 * language from ?lang= or Accept-Language, Vary when the header chose, one cache entry and ETag
 * per language, labels in /v1/meta/* and problem+json titles translated.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../domain/index.js';
import { launchChromium, openWatched } from './helpers/chromium.js';
import { byYear, GROOMING_AND_CONFLICT, mustPublish, THREE_CONTINENTS, uploadEveryMonth } from './helpers/requests.js';
import { startTestRuntime, type TestRuntime } from './helpers/runtime.js';
import { type Box, clashes, inside, MEASURE_TEXT } from './helpers/text-boxes.js';

const ARTIFACTS = 'test-artifacts/languages';
let rt: TestRuntime;
let browser: Browser;

// Words each language's dashboard must show (region names and headings from its catalogue).
const EXPECTED: Record<(typeof LANGUAGES)[number], { region: string; heading: string; dir: string }> = {
  en: { region: 'Europe', heading: 'Trends by region', dir: 'ltr' },
  fr: { region: 'Afrique', heading: 'Tendances par région', dir: 'ltr' },
  es: { region: 'África', heading: 'Tendencias por región', dir: 'ltr' },
  pt: { region: 'Europa', heading: 'Tendências por região', dir: 'ltr' },
  ar: { region: 'أوروبا', heading: 'الاتجاهات حسب المنطقة', dir: 'rtl' },
};

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  rt = await startTestRuntime();
  await uploadEveryMonth(rt, {
    lines: [...THREE_CONTINENTS, ['jo-1', 'JO', 'mena']],
    // 2020 and 2021 nobody reported: the charts must show the gap.
    periods: ['2018-06', '2019-06', '2022-06', '2023-06', '2024-12'],
    base: byYear,
    rows: [...GROOMING_AND_CONFLICT, ['mental_health.anxiety', '16-17', 'girl', 'social', 3]],
  });
  await mustPublish(rt);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await rt?.close();
});

async function shoot(path: string, width: number, name: string) {
  const { page, errors } = await openWatched(browser, `${rt.url}${path}`, { width, height: 900 });
  return { page, errors, take: () => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true }) };
}

const EMBEDS = [
  ['trend', 'split=region'],
  ['harm-mix', ''],
  ['map', 'year=2023'],
  ['breakdown', 'split=gender&year=2023'],
] as const;

describe.each(LANGUAGES)('pages in %s', (lang) => {
  const expected = EXPECTED[lang];
  it('the dashboard, every embed and the builder at 360 and 1280 px', async () => {
    for (const width of [360, 1280]) {
      const dash = await shoot(`/?lang=${lang}`, width, `dashboard-${lang}-${width}`);
      await expect.poll(() => dash.page.locator('figure[data-rendered="true"]').count(), { timeout: 30_000 }).toBe(3);
      expect(await dash.page.getAttribute('html', 'lang')).toBe(lang);
      expect(await dash.page.getAttribute('html', 'dir')).toBe(expected.dir);
      expect(await dash.page.locator('h2').first().textContent()).toBe(expected.heading);
      expect(await dash.page.locator('figure').first().locator('.chart svg').textContent()).toContain(expected.region);
      expect(await dash.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      await dash.take();
      expect(dash.errors).toEqual([]);
      await dash.page.close();

      for (const [chart, query] of EMBEDS) {
        const embed = await shoot(`/embed/${chart}?${query}&lang=${lang}`, width, `embed-${chart}-${lang}-${width}`);
        await embed.page.waitForSelector('figure[data-rendered="true"]', { timeout: 30_000 });
        expect(await embed.page.getAttribute('html', 'dir')).toBe(expected.dir);
        await embed.take();
        const { boxes, chart: box } = (await embed.page.evaluate(MEASURE_TEXT('.chart svg'))) as {
          boxes: Box[];
          chart: Box;
        };
        expect(boxes.length, `${chart} ${width}`).toBeGreaterThan(4);
        expect(clashes(boxes), `${chart} ${lang} ${width}`).toEqual([]);
        expect(
          boxes.filter((b) => !inside(b, box)).map((b) => b.text),
          `${chart} ${lang} ${width}`,
        ).toEqual([]);
        expect(embed.errors).toEqual([]);
        await embed.page.close();
      }

      const builder = await shoot(`/builder?lang=${lang}`, width, `builder-${lang}-${width}`);
      await expect.poll(() => builder.page.inputValue('#snippet')).toContain(`lang=${lang}`);
      await builder.page.frameLocator('#preview').locator('figure[data-rendered="true"]').waitFor({ timeout: 30_000 });
      expect(await builder.page.getAttribute('html', 'dir')).toBe(expected.dir);
      await builder.take();
      expect(builder.errors).toEqual([]);
      await builder.page.close();
    }
  });
});

describe('language over HTTP', () => {
  it('Accept-Language chooses when ?lang= is absent, with Vary; ?lang= wins; each language its own ETag', async () => {
    const fr = await fetch(`${rt.url}/charts/trend.svg?split=region`, {
      headers: { 'accept-language': 'fr-CH, en;q=0.5' },
    });
    expect(fr.status).toBe(200);
    expect(fr.headers.get('content-language')).toBe('fr');
    expect(fr.headers.get('vary') ?? '').toMatch(/Accept-Language/i);
    const frSvg = await fr.text();
    expect(frSvg).toContain('Afrique');
    const en = await fetch(`${rt.url}/charts/trend.svg?split=region`, { headers: { 'accept-language': 'en' } });
    const enSvg = await en.text();
    expect(enSvg).toContain('Africa');
    expect(enSvg).not.toContain('Afrique');
    expect(en.headers.get('etag')).not.toBe(fr.headers.get('etag'));
    // The English ETag never revalidates the French answer.
    const revalidate = await fetch(`${rt.url}/charts/trend.svg?split=region`, {
      headers: { 'accept-language': 'fr', 'if-none-match': en.headers.get('etag') ?? '' },
    });
    expect(revalidate.status).toBe(200);
    const asked = await fetch(`${rt.url}/charts/trend.svg?split=region&lang=es`, {
      headers: { 'accept-language': 'fr' },
    });
    expect(asked.headers.get('content-language')).toBe('es');
    expect(asked.headers.get('vary') ?? '').not.toMatch(/Accept-Language/i);
    expect(await asked.text()).toContain('África');
    const png = await fetch(`${rt.url}/charts/map.png?year=2023&lang=ar&width=360`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${ARTIFACTS}/map-ar-360-server.png`, Buffer.from(await png.arrayBuffer()));
    const bad = await fetch(`${rt.url}/charts/trend.svg?lang=xx`);
    expect(bad.status).toBe(400);
  });

  it('/v1/meta labels and problem+json titles in the asked language; codes unchanged', async () => {
    const meta = (await (await fetch(`${rt.url}/v1/meta/dimensions?lang=pt`)).json()) as {
      region: { code: string; label: string }[];
      country: { code: string; name: string }[];
      rollup: { code: string; label: string }[];
    };
    expect(meta.region.find((r) => r.code === 'europe')?.label).toBe('Europa');
    expect(meta.country.find((c) => c.code === 'DE')?.name).toBe('Alemanha');
    expect(meta.rollup[0]?.label).toBe('Exploração e abuso sexual infantil online');
    const ar = await fetch(`${rt.url}/v1/meta/regions`, { headers: { 'accept-language': 'ar' } });
    expect(ar.headers.get('vary') ?? '').toMatch(/Accept-Language/i);
    const regions = (await ar.json()) as { regions: { code: string; label: string }[] };
    expect(regions.regions.map((r) => r.code)).toContain('mena');
    expect(regions.regions.find((r) => r.code === 'mena')?.label).toBe('الشرق الأوسط وشمال أفريقيا');
    const problem = await fetch(`${rt.url}/charts/nothing.svg`, { headers: { 'accept-language': 'es' } });
    expect(problem.status).toBe(404);
    const body = (await problem.json()) as { title: string; detail?: string; code: string };
    expect(body.title).toBe('No encontrado.');
    expect(body.code).toBe('not_found');
    expect(body.detail).toContain('There is no chart');
    const english = (await (await fetch(`${rt.url}/charts/nothing.svg`)).json()) as { title: string; detail?: string };
    expect(english.title).toContain('There is no chart');
    expect(english.detail).toBeUndefined();
  });
});
