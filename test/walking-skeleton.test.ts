/**
 * End to end on the real components: an upload over HTTP goes through the real Kafka broker into a
 * real DuckDB file and comes back out of /v1/trends and as a chart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionBody } from '../domain/index.js';
import { mustPublish } from './helpers/requests.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let rt: TestRuntime;
let keyEE: string;
let keyFI: string;

const post = (key: string, body: unknown) =>
  fetch(`${rt.url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function uploadAndWait(key: string, body: SubmissionBody) {
  const response = await post(key, body);
  expect(response.status).toBe(202);
  const receipt = (await response.json()) as { submissionId: string; status: string; statusUrl: string };
  expect(receipt.status).toBe('accepted');
  const loaded = await waitFor('the submission to load', async () => {
    const r = await fetch(`${rt.url}${receipt.statusUrl}`, { headers: { authorization: `Bearer ${key}` } });
    const s = (await r.json()) as { status: string; version: number };
    return s.status === 'loaded' ? s : undefined;
  });
  return { ...receipt, version: loaded.version };
}

const live = async (query: string) => {
  const r = await fetch(`${rt.url}/v1/trends?${query}&release=live`, {
    headers: { authorization: `Bearer ${rt.adminKey}` },
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { release: string; rows: Record<string, unknown>[] };
};

beforeAll(async () => {
  rt = await startTestRuntime();
  keyEE = await rt.addHelpline({ id: 'ee-1', name: 'Estonia test line', country: 'EE', region: 'europe' });
  keyFI = await rt.addHelpline({ id: 'fi-1', name: 'Finland test line', country: 'FI', region: 'europe' });
});
afterAll(async () => {
  await rt?.close();
});

const march: SubmissionBody = {
  period: '2024-03',
  cells: [
    { harm: 'online.sextortion', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 40 },
    { harm: 'violence.online_sexual_abuse', ageBand: '16-17', gender: 'boy', channel: 'phone', count: 25 },
    { harm: 'mental_health.anxiety', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 300 },
  ],
  totals: { contacts: 900 },
};

describe('walking skeleton', () => {
  it('answers an upload with exactly the uploaded numbers, and a correction replaces them', async () => {
    const first = await uploadAndWait(keyEE, march);
    expect(first.version).toBe(1);

    const byRegion = await live('by=year&split=region&country=EE');
    expect(byRegion.release).toBe('live');
    expect(byRegion.rows).toEqual([
      { period: '2024', region: 'europe', value: 365, suppressed: false, helplinesReporting: 1 },
    ]);
    // A group and a rollup stand for their types.
    expect((await live('by=month&harm=online&country=EE')).rows).toEqual([
      { period: '2024-03', value: 40, suppressed: false, helplinesReporting: 1 },
    ]);
    expect((await live('by=month&harm=ocsea&country=EE')).rows).toEqual([
      { period: '2024-03', value: 65, suppressed: false, helplinesReporting: 1 },
    ]);

    // The correction replaces the month: totals become the new numbers, not the sum.
    const corrected: SubmissionBody = {
      ...march,
      cells: [
        { harm: 'online.sextortion', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 42 },
        { harm: 'mental_health.anxiety', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 280 },
      ],
    };
    const second = await uploadAndWait(keyEE, corrected);
    expect(second.submissionId).not.toBe(first.submissionId);
    expect(second.version).toBe(2);
    expect((await live('by=year&split=region&country=EE')).rows).toEqual([
      { period: '2024', region: 'europe', value: 322, suppressed: false, helplinesReporting: 1 },
    ]);
    expect((await live('by=month&harm=ocsea&country=EE')).rows).toEqual([
      { period: '2024-03', value: 42, suppressed: false, helplinesReporting: 1 },
    ]);

    const history = await fetch(`${rt.url}/v1/submissions?period=2024-03`, {
      headers: { authorization: `Bearer ${keyEE}` },
    });
    const { submissions } = (await history.json()) as {
      submissions: { submissionId: string; status: string; version: number }[];
    };
    expect(submissions.map((s) => [s.submissionId, s.status, s.version])).toEqual([
      [first.submissionId, 'replaced', 1],
      [second.submissionId, 'loaded', 2],
    ]);
  });

  it('treats an identical re-upload as the same submission', async () => {
    const body: SubmissionBody = { ...march, period: '2024-04' };
    const first = await uploadAndWait(keyFI, body);
    const again = await post(keyFI, { ...body, cells: [...body.cells].reverse() });
    expect(again.status).toBe(200);
    const receipt = (await again.json()) as { submissionId: string; duplicate: boolean };
    expect(receipt).toMatchObject({ submissionId: first.submissionId, duplicate: true });
    const rows = (await live('by=month&country=FI')).rows;
    expect(rows).toEqual([{ period: '2024-04', value: 365, suppressed: false, helplinesReporting: 1 }]);
  });

  it('keeps the live view for the admin key and answers the public only from a protected release', async () => {
    const anonymous = await fetch(`${rt.url}/v1/trends?by=year&release=live`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const helpline = await fetch(`${rt.url}/v1/trends?by=year&release=live`, {
      headers: { authorization: `Bearer ${keyEE}` },
    });
    expect(helpline.status).toBe(403);
    expect((await fetch(`${rt.url}/v1/trends?by=year`)).status).toBe(404); // no release yet

    // A small OCSEA count in Luxembourg: withheld, and not derivable from Europe minus the others.
    const keyLU = await rt.addHelpline({ id: 'lu-1', name: 'Luxembourg test line', country: 'LU', region: 'europe' });
    await uploadAndWait(keyLU, {
      period: '2024-05',
      cells: [
        { harm: 'online.sextortion', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 3 },
        { harm: 'family.conflict', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 60 },
      ],
    });
    const published = await mustPublish(rt);
    const manifest = (await published.json()) as {
      id: string;
      audit: { passed: boolean };
      withheld: { total: number };
    };
    expect(manifest.audit.passed).toBe(true);
    expect(manifest.withheld.total).toBeGreaterThan(0);

    const r = await fetch(`${rt.url}/v1/trends?by=year&split=country&harm=ocsea&region=europe&from=2024&to=2024`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      release: string;
      citation: string;
      rows: { country: string; value: number | null; suppressed: boolean }[];
    };
    expect(body.release).toBe(manifest.id);
    expect(body.citation).toContain(manifest.id);
    const lu = body.rows.find((row) => row.country === 'LU');
    expect(lu).toMatchObject({ value: null, suppressed: true });
    expect(JSON.stringify(body)).not.toMatch(/"value":3\b/);
    const europe = (await (
      await fetch(`${rt.url}/v1/trends?by=year&harm=ocsea&region=europe&from=2024&to=2024`)
    ).json()) as {
      rows: { value: number | null }[];
    };
    const hiddenCountries = body.rows.filter((row) => row.suppressed).length;
    expect(hiddenCountries >= 2 || europe.rows[0]?.value === null).toBe(true);
    // The published month is locked; the secretariat unlocks it for a correction.
    const correction = {
      period: '2024-05',
      cells: [{ harm: 'family.conflict', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 61 }],
    };
    const locked = await post(keyLU, correction);
    expect(locked.status).toBe(422);
    expect(((await locked.json()) as { errors: { rule: string }[] }).errors[0]?.rule).toBe('period_locked');
    const unlock = await fetch(`${rt.url}/v1/admin/helplines/lu-1/unlock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ period: '2024-05' }),
    });
    expect(unlock.status).toBe(200);
    expect((await post(keyLU, correction)).status).toBe(202);
    // A cut the plan does not publish is refused, naming what is published.
    const fine = await fetch(`${rt.url}/v1/trends?by=month&country=LU&harm=online.sextortion`);
    expect(fine.status).toBe(400);
    expect(((await fine.json()) as { title: string }).title).toMatch(
      /does not publish.*T1: country × harm group × year/,
    );
  });

  it('lists every code a submission may use', async () => {
    const r = await fetch(`${rt.url}/v1/meta/dimensions`);
    const d = (await r.json()) as Record<string, { code: string }[]>;
    expect(d.ageBand?.map((x) => x.code)).toEqual(['0-6', '7-9', '10-12', '13-15', '16-17', '18-24', '25+', 'unknown']);
    expect(d.gender?.map((x) => x.code)).toEqual(['girl', 'boy', 'non_binary', 'unknown']);
    expect(d.region?.map((x) => x.code)).toEqual(['africa', 'americas_caribbean', 'asia_pacific', 'europe', 'mena']);
    const harm = await (await fetch(`${rt.url}/v1/meta/harm-types`)).json();
    expect(JSON.stringify(harm)).not.toMatch(/child pornography/i);
    expect((harm as { rollups: { code: string; types: string[] }[] }).rollups[0]).toMatchObject({
      code: 'ocsea',
      types: expect.arrayContaining(['online.sextortion', 'online.grooming', 'violence.online_sexual_exploitation']),
    });
  });

  it('renders the trend chart as SVG with its marks and series, and serves an embed page', async () => {
    const svgResponse = await fetch(`${rt.url}/charts/trend.svg?split=region&by=month`);
    expect(svgResponse.status).toBe(200);
    expect(svgResponse.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    const svg = await svgResponse.text();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/class="mark-line role-mark/);
    expect(svg).toMatch(/class="mark-symbol role-mark/);
    expect(svg).toContain('Europe');
    expect(svg).toContain('Cases registered by child helplines');

    // PNG: twice the SVG's size (crisp text), with real content.
    const sized = await (await fetch(`${rt.url}/charts/trend.svg?split=region&by=month&width=400&height=200`)).text();
    const svgWidth = Number(/width="(\d+)"/.exec(sized)?.[1]);
    const svgHeight = Number(/height="(\d+)"/.exec(sized)?.[1]);
    const pngResponse = await fetch(`${rt.url}/charts/trend.png?split=region&by=month&width=400&height=200`);
    expect(pngResponse.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await pngResponse.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([svgWidth * 2, svgHeight * 2]);
    expect(png.length).toBeGreaterThan(15_000);
    // Renders are cached by release and parameters.
    expect(pngResponse.headers.get('x-render-cache')).toBe('miss');
    const again = await fetch(`${rt.url}/charts/trend.png?split=region&by=month&width=400&height=200`);
    expect(again.headers.get('x-render-cache')).toBe('hit');
    expect(Buffer.from(await again.arrayBuffer()).equals(png)).toBe(true);

    const page = await fetch(`${rt.url}/embed/trend?split=region`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    for (const script of [
      '/vendor/vega.min.js',
      '/vendor/vega-lite.min.js',
      '/vendor/vega-embed.min.js',
      '/assets/embed.js',
    ]) {
      expect(html).toContain(`src="${script}"`);
      const js = await fetch(`${rt.url}${script}`);
      expect(js.status).toBe(200);
      expect((await js.text()).length).toBeGreaterThan(1000);
    }
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
