/**
 * The demo data: calibrated to the published headline, deterministic, and seeded through the real
 * upload API and Kafka under the production rate limit, with progress and the keys file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUsers, ensureDemoUsers } from '../bin/demo.js';
import { demoHelplines, demoSubmission, monthsBetween, seedDemo } from '../demo/index.js';
import { ROLLUPS } from '../domain/index.js';
import { startTestRuntime, type TestRuntime } from './helpers/runtime.js';

describe('demo generator', () => {
  it('has ~150 helplines in ~130 countries across the five regions', () => {
    const helplines = demoHelplines();
    expect(helplines).toHaveLength(150);
    expect(new Set(helplines.map((h) => h.country)).size).toBeGreaterThanOrEqual(125);
    expect(new Set(helplines.map((h) => h.region)).size).toBe(5);
  });

  it('puts 2015 OCSEA cases in Europe and Asia-Pacific just over 11,000, the published figure', () => {
    const ocsea = new Set<string>(ROLLUPS[0]?.types ?? []);
    let total = 0;
    for (const h of demoHelplines()) {
      if (h.region !== 'europe' && h.region !== 'asia_pacific') continue;
      for (const period of monthsBetween('2015-01', '2015-12')) {
        for (const c of demoSubmission(h, period)?.cells ?? []) if (ocsea.has(c.harm)) total += c.count;
      }
    }
    expect(total).toBeGreaterThan(11_000);
    expect(total).toBeLessThan(11_500);
  });

  it('is deterministic, and online harms rise', () => {
    const [h] = demoHelplines();
    if (!h) throw new Error('no helplines');
    expect(demoSubmission(h, '2020-05')).toEqual(demoSubmission(h, '2020-05'));
    const online = (year: number) =>
      demoHelplines()
        .slice(0, 40)
        .flatMap((x) => monthsBetween(`${year}-01`, `${year}-12`).flatMap((p) => demoSubmission(x, p)?.cells ?? []))
        .filter((c) => c.harm.startsWith('online.'))
        .reduce((s, c) => s + c.count, 0);
    expect(online(2024)).toBeGreaterThan(online(2014) * 2);
  });
});

describe('seeding through the API', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ rateLimitPerMinute: 600 });
  });
  afterAll(async () => {
    await rt?.close();
  });

  it('registers the helplines, uploads every month under the rate limit, and writes the keys file', async () => {
    const helplines = demoHelplines().slice(0, 12);
    const months = monthsBetween('2023-01', '2023-12');
    const keysFile = join(rt.dir, 'demo-keys.json');
    const phases = new Set<string>();
    const result = await seedDemo({
      baseUrl: rt.url,
      registerHelpline: async (h) => (await rt.warehouse.registry.addHelpline(h, new Date())).key,
      loadedCount: () => rt.warehouse.helplineMonths(),
      keysFile,
      adminKey: rt.adminKey,
      now: new Date('2024-06-01T00:00:00Z'),
      helplines,
      months,
      progress: (_done, _total, phase) => phases.add(phase),
    });
    const expected = helplines.flatMap((h) => months.filter((m) => demoSubmission(h, m))).length;
    expect(expected).toBeGreaterThan(100);
    expect(result.submissions).toBe(expected);
    expect(await rt.warehouse.helplineMonths()).toBe(result.submissions);
    expect([...phases]).toEqual(['upload', 'load']);
    expect(existsSync(keysFile)).toBe(true);
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as { admin: string; helplines: Record<string, string> };
    expect(keys.admin).toBe(rt.adminKey);
    expect(Object.keys(keys.helplines).sort()).toEqual(helplines.map((h) => h.id).sort());

    // The demo's people, kept beside the keys; a second start keeps their passwords.
    const users = await ensureDemoUsers(rt, keysFile);
    const saved = JSON.parse(readFileSync(keysFile, 'utf8')) as { users: DemoUsers; admin: string };
    expect(saved.users).toEqual(users);
    expect(saved.admin).toBe(rt.adminKey);
    expect(saved.users.helpline.helplineId).toBe([...helplines].map((h) => h.id).sort()[0]);
    expect(await ensureDemoUsers(rt, keysFile)).toEqual(users);
    // They sign in through the real form.
    for (const [who, home] of [
      [saved.users.helpline, '/portal'],
      [saved.users.secretariat, '/admin'],
    ] as const) {
      const form = await fetch(`${rt.url}/portal/sign-in`);
      const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
      const signIn = await fetch(`${rt.url}/portal/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username: who.username, password: who.password }),
      });
      expect(signIn.status, who.username).toBe(303);
      expect(signIn.headers.get('location')).toBe(home);
    }
  }, 180_000);
});
