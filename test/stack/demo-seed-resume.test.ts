/**
 * An interrupted first start finishes: the real `npm start` seeds a smaller demo (8 helplines
 * since 2022), its app is SIGKILLed twice while seeding — once as the seed begins, once mid-upload —
 * and the supervisor's restarts resume the seed until it is complete, with every demo month loaded
 * once and the first release published. A later restart does not seed again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoHelplines, demoSubmission, lastFullMonth, monthsBetween } from '../../demo/index.js';
import { newAdminKey } from '../helpers/requests.js';
import { waitFor } from '../helpers/runtime.js';
import { type Stack, startStack, stopAndRemove } from '../helpers/stack.js';

const HELPLINES = 8;
const FROM = '2022-01';

let stack: Stack | undefined;
afterAll(() => stopAndRemove(stack));

describe('an interrupted demo seed', () => {
  it('resumes after SIGKILLs until every demo month is loaded once, then publishes the first release', async () => {
    const adminKey = newAdminKey();
    const s = await startStack({
      SEED_DEMO: 'true',
      DEMO_HELPLINES: String(HELPLINES),
      DEMO_FROM: FROM,
      JOBS: 'off',
      ADMIN_KEY: adminKey,
    });
    stack = s;
    const admin = { authorization: `Bearer ${adminKey}` };
    const helplines = demoHelplines().slice(0, HELPLINES);
    const months = monthsBetween(FROM, lastFullMonth(new Date()));
    let expectedMonths = 0;
    const expectedByYear = new Map<string, number>();
    for (const h of helplines)
      for (const period of months) {
        const body = demoSubmission(h, period);
        if (!body) continue;
        expectedMonths++;
        const year = period.slice(0, 4);
        expectedByYear.set(year, (expectedByYear.get(year) ?? 0) + body.cells.reduce((a, c) => a + c.count, 0));
      }
    const loadedMonths = async () => {
      try {
        const r = await fetch(`${s.url}/v1/trends?by=month&release=live`, { headers: admin });
        if (!r.ok) return 0;
        const rows = ((await r.json()) as { rows: { helplinesReporting: number }[] }).rows;
        return rows.reduce((n, row) => n + row.helplinesReporting, 0);
      } catch {
        return 0;
      }
    };

    // 1. As the seed begins (registering helplines, first uploads).
    await s.waitForOutput(/Seeding demo data/);
    await new Promise((r) => setTimeout(r, Math.random() * 400));
    await s.kill('app');
    await s.waitForOutput(/Resuming the demo seed/);
    // 2. In the middle of the uploads.
    await waitFor(
      'part of the demo to load',
      async () => ((await loadedMonths()) >= expectedMonths / 4 ? true : undefined),
      240_000,
    );
    const partial = await loadedMonths();
    expect(partial).toBeLessThan(expectedMonths);
    const mark = s.output().length;
    await s.kill('app');
    await s.waitForOutput(/Resuming the demo seed/, 240_000, mark);
    await s.waitForOutput(/Seeded \d+ helplines, \d+ helpline-months/, 300_000, mark);
    await s.waitForOutput(/Release \S+ exported/, 300_000, mark);
    expect(s.output()).toContain(`Seeded ${HELPLINES} helplines, ${expectedMonths} helpline-months`);

    // Every demo month once, with the independent totals.
    expect(await loadedMonths()).toBe(expectedMonths);
    const r = await fetch(`${s.url}/v1/trends?by=year&release=live`, { headers: admin });
    const byYear = ((await r.json()) as { rows: { period: string; value: number }[] }).rows;
    expect(Object.fromEntries(byYear.map((row) => [row.period, row.value]))).toEqual(
      Object.fromEntries(expectedByYear),
    );
    const releases = (await (await fetch(`${s.url}/v1/releases`)).json()) as { releases: unknown[] };
    expect(releases.releases.length).toBe(1);
    // Every helpline's key in the keys file works (none lost to a kill during registration).
    const keys = JSON.parse(readFileSync(join(s.dir, 'demo-keys.json'), 'utf8')) as {
      helplines: Record<string, string>;
    };
    expect(Object.keys(keys.helplines).sort()).toEqual(helplines.map((h) => h.id).sort());
    for (const key of Object.values(keys.helplines)) {
      const me = await fetch(`${s.url}/v1/submissions`, { headers: { authorization: `Bearer ${key}` } });
      expect(me.status).toBe(200);
    }

    // Complete once means complete: a restart does not seed again.
    const after = s.output().length;
    await s.kill('app');
    await s.waitForOutput(/The app is back/, 120_000, after);
    await new Promise((r) => setTimeout(r, 3000));
    expect(s.output().slice(after)).not.toMatch(/Seeding|Resuming|Publishing/);
    expect(s.state().app.failedStarts).toBe(0);
    expect(await s.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});
