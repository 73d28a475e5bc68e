/**
 * The outside probe's findings (issue 14), each as the attacker or the confused client tried it,
 * against the real stack: guessing keys, reading metrics, getting a rejected value echoed back,
 * duplicate JSON keys, conditional GETs with no-cache, leaked and rotated keys, the secretariat's
 * pages, the docs folder, and mixing protection regimes over the same months.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, type Warehouse } from '../warehouse/index.js';
import { serveApi } from './helpers/api-app.js';
import { LogCapture, startTestRuntime, type TestRuntime } from './helpers/runtime.js';
import { smallCountsWarehouse } from './helpers/small-counts.js';

let rt: TestRuntime;
let key: string;
let now = new Date();
const logs = new LogCapture();
const METRICS_TOKEN = `mt_${randomBytes(24).toString('base64url')}`;
const admin = () => ({ authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json' });

beforeAll(async () => {
  rt = await startTestRuntime({ logs, metricsToken: METRICS_TOKEN, clock: () => now });
  key = await rt.addHelpline({ id: 'hd-1', name: 'Hardening line', country: 'KE', region: 'africa' });
}, 120_000);
afterAll(async () => {
  await rt?.close();
});

const from = (address: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...extra });
const guess = () => `hk_${randomBytes(32).toString('base64url')}`;

describe('failed authentication', () => {
  it('answers 429 with Retry-After after 20 wrong keys from one address, never slowing a valid key', async () => {
    const address = '203.0.113.7';
    // The office's real key has been used before the guessing starts.
    expect(
      (await fetch(`${rt.url}/v1/submissions`, { headers: from(address, { authorization: `Bearer ${key}` }) })).status,
    ).toBe(200);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 80; i++) {
      const r = await fetch(`${rt.url}/v1/submissions`, {
        headers: from(address, { authorization: `Bearer ${guess()}` }),
      });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // A blocked address cannot even have a key checked — unless it is one that worked before.
    const valid = await fetch(`${rt.url}/v1/submissions`, {
      headers: from(address, { authorization: `Bearer ${key}` }),
    });
    expect(valid.status).toBe(200);
    // Other addresses are not affected.
    const other = await fetch(`${rt.url}/v1/submissions`, {
      headers: from('198.51.100.1', { authorization: `Bearer ${guess()}` }),
    });
    expect(other.status).toBe(401);
  });

  it('limits guesses at one key prefix from many addresses', async () => {
    const prefix = 'hk_TargetAb';
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await fetch(`${rt.url}/v1/meta/regions`, {
        headers: from(`192.0.2.${i + 1}`, {
          authorization: `Bearer ${prefix}${randomBytes(20).toString('base64url')}`,
        }),
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
  });
});

describe('metrics', () => {
  it('needs the admin key or the metrics token', async () => {
    expect((await fetch(`${rt.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    expect((await fetch(`${rt.url}/metrics`, { headers: admin() })).status).toBe(200);
    const scraped = await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/http_request/);
  });

  it('labels requests by route pattern only, so a probed path never becomes a label', async () => {
    await fetch(`${rt.url}/v1/admin/probe-jane.doe@example.com`);
    for (let i = 0; i < 40; i++) await fetch(`${rt.url}/v1/admin/${randomBytes(6).toString('hex')}`);
    for (let i = 0; i < 10; i++) await fetch(`${rt.url}/nothing-${i}`);
    await fetch(`${rt.url}/v1/submissions/${'0'.repeat(8)}-0000-0000-0000-000000000000`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const text = await (await fetch(`${rt.url}/metrics`, { headers: admin() })).text();
    expect(text).not.toMatch(/jane\.doe|probe-/);
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    expect(routes.has('unmatched')).toBe(true);
    expect(routes.has('/v1/submissions/:id')).toBe(true);
    expect([...routes].every((r) => r === 'unmatched' || /^[/\w:*.-]*$/.test(r ?? ''))).toBe(true);
    expect([...routes].some((r) => /[0-9a-f]{12}/.test(r ?? ''))).toBe(false);
  });
});

describe('rejected values', () => {
  it('are described, not repeated, unless they are a known code or a short number', async () => {
    const csv = [
      'period,harm,age_band,gender,channel,count',
      '2024-01,online.cyberbullying,13-15,girl,chat,0712345678',
      '2024-01,online.grooming,Amina,girl,chat,3',
      '2024-01,online.sextortion,13-15,amina_okafor,chat,3',
      '2024-01,online.harmful_content,13-15,girl,Kibera,3',
      '2024-01,online.other,13-15,chat,phone,-4',
    ].join('\n');
    const r = await fetch(`${rt.url}/v1/submissions?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(r.status).toBe(422);
    const text = await r.text();
    for (const secret of ['712345678', 'Amina', 'amina_okafor', 'Kibera']) {
      expect(text).not.toContain(secret);
      expect(logs.text).not.toContain(secret);
    }
    const { errors } = JSON.parse(text) as {
      errors: { row?: number; column?: string; message: string; value?: string }[];
    };
    const on = (row: number, column: string) => errors.find((e) => e.row === row && e.column === column);
    expect(on(2, 'count')?.message).toMatch(/count/);
    expect(on(3, 'age_band')?.message).toMatch(/not a valid age band code/);
    expect(on(4, 'gender')?.message).toMatch(/gender/);
    expect(on(5, 'channel')?.message).toMatch(/not a valid channel code/);
    // A known code in the wrong column, and a short number, may be named.
    expect(on(6, 'gender')?.message).toContain('"chat"');
    expect(on(6, 'count')?.value).toBe('-4');
  });
});

describe('duplicate JSON keys', () => {
  it('are refused, naming the key and where it is', async () => {
    const body = `{"period":"2024-02","period":"2024-03","cells":[{"harm":"online.grooming","ageBand":"13-15","gender":"girl","channel":"chat","count":2,"count":3}]}`;
    const r = await fetch(`${rt.url}/v1/submissions?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    expect(r.status).toBe(422);
    const problem = (await r.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe('duplicate_key');
    expect(problem.errors.map((e) => e.path)).toEqual(['period', 'cells/0/count']);
    expect(problem.errors[0]?.message).toMatch(/"period" twice \(line 1, column \d+\)/);
  });

  it('are refused in admin bodies and in uploaded JSON files too', async () => {
    const r = await fetch(`${rt.url}/v1/admin/helplines`, {
      method: 'POST',
      headers: admin(),
      body: '{"id":"dup-1","name":"Dup line","country":"KE","country":"UG"}',
    });
    expect(r.status).toBe(422);
    const form = new FormData();
    form.set(
      'file',
      new Blob(['{"period":"2024-02","period":"2024-03","cells":[]}'], { type: 'application/json' }),
      'm.json',
    );
    const upload = await fetch(`${rt.url}/v1/submissions?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(upload.status).toBe(422);
    expect(((await upload.json()) as { code: string }).code).toBe('duplicate_key');
  });
});

describe('conditional GET', () => {
  it('answers 304 when the ETag matches, whatever Cache-Control says', async () => {
    for (const path of ['/v1/meta/regions', '/v1/openapi.json', '/v1/releases']) {
      const first = await fetch(`${rt.url}${path}`);
      const etag = first.headers.get('etag');
      expect(etag, path).toBeTruthy();
      for (const cacheControl of ['no-cache', 'max-age=0', 'no-cache, no-store']) {
        const again = await fetch(`${rt.url}${path}`, {
          headers: { 'if-none-match': etag ?? '', 'cache-control': cacheControl },
        });
        expect(again.status, `${path} with ${cacheControl}`).toBe(304);
      }
      const changed = await fetch(`${rt.url}${path}`, {
        headers: { 'if-none-match': 'W/"other"', 'cache-control': 'no-cache' },
      });
      expect(changed.status).toBe(200);
    }
  });
});

describe('keys', () => {
  it('revokes a leaked helpline key at once, by prefix, through the API', async () => {
    const leaked = await rt.addHelpline({ id: 'hd-2', name: 'Leaky line', country: 'UG', region: 'africa' });
    const use = (k: string) => fetch(`${rt.url}/v1/submissions`, { headers: { authorization: `Bearer ${k}` } });
    expect((await use(leaked)).status).toBe(200);
    const listed = (await (await fetch(`${rt.url}/v1/admin/helplines/hd-2/keys`, { headers: admin() })).json()) as {
      keys: { prefix: string; active: boolean }[];
    };
    expect(listed.keys).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(leaked);
    const r = await fetch(`${rt.url}/v1/admin/keys/revoke`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ prefix: listed.keys[0]?.prefix }),
    });
    expect(r.status).toBe(200);
    expect((await use(leaked)).status).toBe(401);
    const again = await fetch(`${rt.url}/v1/admin/keys/revoke`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ key: leaked }),
    });
    expect(again.status).toBe(404);
  });

  it('rotates with the old key kept for the grace days, or stopped now', async () => {
    const old = await rt.addHelpline({ id: 'hd-3', name: 'Rotating line', country: 'TZ', region: 'africa' });
    const use = (k: string) => fetch(`${rt.url}/v1/submissions`, { headers: { authorization: `Bearer ${k}` } });
    const rotate = async (body: unknown) =>
      (await (
        await fetch(`${rt.url}/v1/admin/helplines/hd-3/keys`, {
          method: 'POST',
          headers: admin(),
          body: JSON.stringify(body),
        })
      ).json()) as { key: string };
    const graceful = await rotate({});
    expect((await use(old)).status).toBe(200);
    expect((await use(graceful.key)).status).toBe(200);
    const urgent = await rotate({ revokePrevious: true });
    expect((await use(old)).status).toBe(401);
    expect((await use(graceful.key)).status).toBe(401);
    expect((await use(urgent.key)).status).toBe(200);
  });

  it('issues admin keys that expire, and never revokes the last one', async () => {
    const r = await fetch(`${rt.url}/v1/admin/keys`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ expiresInDays: 2 }),
    });
    expect(r.status).toBe(201);
    const issued = (await r.json()) as { key: string; prefix: string; expiresAt: string };
    const asIssued = { authorization: `Bearer ${issued.key}` };
    expect((await fetch(`${rt.url}/v1/admin/helplines`, { headers: asIssued })).status).toBe(200);
    const saved = now;
    now = new Date(saved.getTime() + 3 * 86_400_000);
    try {
      expect((await fetch(`${rt.url}/v1/admin/helplines`, { headers: asIssued })).status).toBe(401);
    } finally {
      now = saved;
    }
    // Rotation: the new admin key revokes the configured one... but not the last working key.
    const revokeIssued = await fetch(`${rt.url}/v1/admin/keys/revoke`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ prefix: issued.prefix }),
    });
    expect(revokeIssued.status).toBe(200);
    const revokeLast = await fetch(`${rt.url}/v1/admin/keys/revoke`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ key: rt.adminKey }),
    });
    expect(revokeLast.status).toBe(409);
  });

  it('retires the old ADMIN_KEY when it changes, and lets a configured key expire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-key-'));
    let wh: Warehouse | undefined;
    try {
      wh = await openWarehouse(join(dir, 'w.duckdb'));
      const t0 = new Date('2026-01-01T00:00:00Z');
      const first = `ak_${'a'.repeat(40)}`;
      const second = `ak_${'b'.repeat(40)}`;
      await wh.registry.ensureAdminKey(first, t0, 365);
      expect(await wh.registry.authenticate(first, t0)).toEqual({ role: 'admin' });
      await wh.registry.ensureAdminKey(second, t0, 365);
      expect(await wh.registry.authenticate(first, t0)).toBeUndefined();
      expect(await wh.registry.authenticate(second, t0)).toEqual({ role: 'admin' });
      // Restarting with the same key changes nothing; a year on it has expired and says so.
      const later = new Date('2027-01-02T00:00:00Z');
      const status = await wh.registry.ensureAdminKey(second, later, 365);
      expect(status.expired).toBe(true);
      expect(await wh.registry.authenticate(second, later)).toBeUndefined();
    } finally {
      wh?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the secretariat's pages and the docs folder", () => {
  it('keeps /admin/completeness behind the admin key', async () => {
    expect((await fetch(`${rt.url}/admin/completeness`)).status).toBe(401);
    expect((await fetch(`${rt.url}/admin/completeness`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      403,
    );
    const page = await fetch(`${rt.url}/admin/completeness`, { headers: admin() });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Hardening line');
  });

  it('serves only the docs files the page uses', async () => {
    expect((await fetch(`${rt.url}/docs/assets/swagger-ui.css`)).status).toBe(200);
    expect((await fetch(`${rt.url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
    for (const file of [
      'package.json',
      'swagger-ui-bundle.js.map',
      'index.html',
      'swagger-initializer.js',
      '../package.json',
    ]) {
      expect((await fetch(`${rt.url}/docs/assets/${file}`)).status, file).toBe(404);
    }
  });
});

describe('one protection regime per month', () => {
  it('refuses a release by the other method over published months unless overridden with a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regime-'));
    const at = new Date('2025-01-15T10:00:00Z');
    const wh = await smallCountsWarehouse(join(dir, 'w.duckdb'));
    const adminKey = `ak_${'r'.repeat(40)}`;
    await wh.registry.ensureAdminKey(adminKey, at);
    const api = await serveApi(wh, { now: at });
    const publish = (body: unknown) =>
      fetch(`${api.url}/v1/admin/releases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const noise = await publish({ mode: 'noise', epsilon: 1 });
      expect(noise.status).toBe(201);
      const releasesBefore = (await wh.releases.list()).length;
      const refused = await publish({ mode: 'suppression' });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { code: string }).code).toBe('protection_regime');
      expect((await wh.releases.list()).length).toBe(releasesBefore);
      // The same method again is fine.
      expect((await publish({ mode: 'noise', epsilon: '1/2' })).status).toBe(201);
      const reason = 'Switching the network to suppression after the 2024 review';
      const overridden = await publish({ mode: 'suppression', regimeOverride: { reason } });
      expect(overridden.status, await overridden.clone().text()).toBe(201);
      const manifest = (await overridden.json()) as {
        id: string;
        regimeOverride: { reason: string; overlaps: { mode: string }[] };
      };
      expect(manifest.regimeOverride.reason).toBe(reason);
      expect(manifest.regimeOverride.overlaps.every((o) => o.mode === 'noise')).toBe(true);
      const page = (await (await fetch(`${api.url}/v1/releases/${manifest.id}`)).json()) as {
        regimeOverride?: unknown;
      };
      expect(page.regimeOverride).toEqual(manifest.regimeOverride);
      // And back: noise over months now published with suppression is refused too.
      expect((await publish({ mode: 'noise', epsilon: 1 })).status).toBe(409);
    } finally {
      await api.close();
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
