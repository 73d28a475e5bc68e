/**
 * The portal in a real browser (Debian's Chromium via playwright-core), on a whole runtime: real
 * HTTP, real Kafka, real DuckDB. A helpline officer signs in, uploads a CSV, an Excel workbook
 * written by SheetJS (the portal reads with exceljs) and a bad file, confirms, sees the months
 * loaded, corrects one; the secretariat publishes a release and approves an unlock. Then the
 * attacks: CSRF, session fixation, brute force, another helpline's pages and downloads, an upload
 * cut off mid-body. Every page is photographed at 360 and 1280 px.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as XLSX from '@e965/xlsx';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium.js';
import { rawRequest } from './helpers/raw-http.js';
import { GROOMING_AND_CONFLICT, uploadEveryMonth } from './helpers/requests.js';
import { startTestRuntime, type TestRuntime } from './helpers/runtime.js';

const ARTIFACTS = 'test-artifacts/portal';
const PASSWORD = 'correct horse battery staple';
let rt: TestRuntime;
let browser: Browser;
let files: string;
const shots: string[] = [];

async function makeUser(username: string, role: 'officer' | 'helpline_admin' | 'secretariat', helplineId?: string) {
  const added = await rt.portal.people.add(
    { username, name: `${username} person`, role, ...(helplineId ? { helplineId } : {}) },
    new Date(),
    'test',
  );
  return added.token;
}

async function setPassword(token: string) {
  // Through the real page: the link works once.
  const page = await browser.newPage();
  await page.goto(`${rt.url}/portal/set-password/${token}`);
  await page.fill('#password', PASSWORD);
  await page.fill('#confirm', PASSWORD);
  await Promise.all([page.waitForURL(/sign-in\?done=password/), page.click('button[type=submit]')]);
  await page.close();
}

async function signIn(username: string, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${rt.url}/portal/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/(portal|admin)$/), page.click('button[type=submit]')]);
  return { context, page, errors };
}

async function upload(page: Page, path: string) {
  await page.goto(`${rt.url}/portal/upload`);
  await page.setInputFiles('#file', path);
  await Promise.all([page.waitForLoadState('load'), page.click('form[data-upload] button[type=submit]')]);
  await page.waitForSelector('h1');
}

/** Writes one month's rows as the CSV file `name` in the suite's folder, then uploads it on the page. */
async function uploadCsv(page: Page, name: string, period: string, rows: Parameters<typeof csv>[1]) {
  const path = join(files, name);
  writeFileSync(path, csv(period, rows));
  await upload(page, path);
}

async function confirmUpload(page: Page) {
  await Promise.all([page.waitForURL(/\/portal\/months\/\d{4}-\d{2}\?sent=/), page.click('form[data-once] button')]);
}

async function waitLoaded(page: Page, period: string, versions: number) {
  await expect
    .poll(
      async () => {
        await page.goto(`${rt.url}/portal/months/${period}`);
        const rows = page.locator('table.versions tbody tr');
        const last = (await rows.count()) > 0 ? await rows.last().textContent() : '';
        return `${await rows.count()} ${/loaded \(current\)/.test(last ?? '') ? 'loaded' : 'waiting'}`;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(`${versions} loaded`);
}

const csv = (period: string, rows: [string, string, string, string, number][]) =>
  `period,harm,age_band,gender,channel,count\n${rows.map((r) => [period, ...r].join(',')).join('\n')}\n`;

/** Amina's September: the first upload and its correction differ only in the grooming count. */
const september = (grooming: number): Parameters<typeof csv>[1] => [
  ['online.grooming', '13-15', 'girl', 'chat', grooming],
  ['family.conflict', '10-12', 'boy', 'phone', 240],
];

async function shoot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  shots.push(name);
}

beforeAll(async () => {
  browser = await launchChromium();
  files = mkdtempSync(join(tmpdir(), 'portal-files-'));
  rt = await startTestRuntime();
  // Other helplines' data through the API, so a release has something to protect.
  await uploadEveryMonth(rt, {
    lines: [
      ['ke-1', 'KE', 'africa'],
      ['ug-1', 'UG', 'africa'],
      ['tz-1', 'TZ', 'africa'],
    ],
    periods: ['2025-01', '2025-02', '2025-03'],
    name: (id) => `${id.toUpperCase()} helpline`,
    base: (id, period) => 40 + period.charCodeAt(6) * 3 + id.charCodeAt(0),
    rows: GROOMING_AND_CONFLICT,
  });
  await setPassword(await makeUser('amina', 'officer', 'ke-1'));
  await setPassword(await makeUser('okello', 'officer', 'ug-1'));
  await setPassword(await makeUser('sec', 'secretariat'));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await rt?.close();
});

describe('the helpline portal', () => {
  let amina: Awaited<ReturnType<typeof signIn>>;
  let firstVersionId = '';

  it('signs in as a helpline officer and shows 24 months with the next deadline', async () => {
    amina = await signIn('amina');
    const { page } = amina;
    expect(await page.locator('.calendar li').count()).toBe(24);
    expect(await page.locator('.deadline').textContent()).toContain('Next deadline');
    expect(await page.locator('.calendar li', { hasText: '2025-02' }).textContent()).toContain('Loaded');
    const cookie = (await amina.context.cookies()).find((c) => c.name === 'hl_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
  });

  it('a bad file is refused whole, every problem shown by row with suggestions', async () => {
    const { page } = amina;
    await uploadCsv(page, 'bad.csv', '2026-09', [
      ['online.grooming', '13-15', 'girl', 'chat', 12],
      ['online.groming', '13-15', 'girl', 'chat', 3],
      ['family.conflict', '10-12', 'boi', 'phone', -4],
    ]);
    expect(await page.locator('h1').textContent()).toBe('Check your file');
    const summary = page.locator('.error-summary');
    expect(await summary.textContent()).toMatch(/problems?; nothing was kept/);
    // The summary links to the rows of the table.
    const firstLink = await summary.locator('a').first().getAttribute('href');
    expect(firstLink).toMatch(/^#problem-\d+$/);
    expect(await page.locator(firstLink as string).count()).toBe(1);
    const table = await page.locator('table.problems').textContent();
    expect(table).toContain('online.grooming'); // "did you mean"
    expect(table).toContain('boy');
    const rows = await page.locator('table.problems tbody tr td:first-child').allTextContents();
    expect(rows).toEqual(expect.arrayContaining(['3', '4']));
    // The summary has focus (screen readers announce it first).
    expect(await page.evaluate('document.activeElement?.className')).toContain('error-summary');
    await shoot(page, 'upload-problems-1280');
    expect((await rt.warehouse.submissions.list('ke-1', '2026-09')).length).toBe(0);
  });

  it('uploads a CSV: dry-run report, confirm, loaded in the calendar and the history', async () => {
    const { page } = amina;
    await uploadCsv(page, 'good.csv', '2026-09', september(120));
    expect(await page.locator('h1').textContent()).toBe('Check and confirm 2026-09');
    expect(await page.locator('main').textContent()).toContain('first version of 2026-09');
    await shoot(page, 'upload-confirm-1280');
    await confirmUpload(page);
    await waitLoaded(page, '2026-09', 1);
    expect(await page.locator('table.versions').textContent()).toContain('amina (csv)');
    await page.goto(`${rt.url}/portal`);
    expect(await page.locator('.calendar li', { hasText: '2026-09' }).textContent()).toContain('Loaded');
    await page.goto(`${rt.url}/portal/history`);
    expect(await page.locator('table.versions').textContent()).toContain('2026-09');
    firstVersionId = (await rt.warehouse.submissions.list('ke-1', '2026-09'))[0]?.submissionId ?? '';
    expect(firstVersionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uploads an Excel workbook written by SheetJS (read with exceljs)', async () => {
    const { page } = amina;
    const sheet = XLSX.utils.aoa_to_sheet([
      ['period', 'harm', 'age_band', 'gender', 'channel', 'count'],
      ['2026-08', 'online.sextortion', '16-17', 'girl', 'social', 31],
      ['2026-08', 'mental_health.anxiety', '13-15', 'boy', 'chat', 57],
    ]);
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, 'Month');
    const path = join(files, 'august.xlsx');
    writeFileSync(path, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    await upload(page, path);
    expect(await page.locator('h1').textContent()).toBe('Check and confirm 2026-08');
    expect(await page.locator('main').textContent()).toContain('XLSX file');
    expect(await page.locator('main').textContent()).toContain('88 cases');
    await confirmUpload(page);
    await waitLoaded(page, '2026-08', 1);
    expect(await page.locator('table.versions').textContent()).toContain('amina (xlsx)');
  });

  it('corrects a month: the report says what it replaces, the history shows both versions and the change', async () => {
    const { page } = amina;
    await uploadCsv(page, 'fixed.csv', '2026-09', september(125));
    expect(await page.locator('main').textContent()).toContain('This replaces version 1');
    // Confirming twice (a double press, a retry after a lost answer) makes one version.
    const form = {
      _csrf: (await page.locator('form[data-once] input[name=_csrf]').getAttribute('value')) ?? '',
      upload: (await page.locator('form[data-once] input[name=upload]').getAttribute('value')) ?? '',
    };
    const twice = await Promise.all(
      [1, 2].map(() => page.request.post(`${rt.url}/portal/upload/confirm`, { form, maxRedirects: 0 })),
    );
    expect(twice.map((r) => r.status())).toEqual([303, 303]);
    expect(twice[0]?.headers().location).toBe(twice[1]?.headers().location);
    await waitLoaded(page, '2026-09', 2);
    const again = await page.request.post(`${rt.url}/portal/upload/confirm`, { form, maxRedirects: 0 });
    expect(again.headers().location).toBe(twice[0]?.headers().location);
    expect((await rt.warehouse.submissions.list('ke-1', '2026-09')).length).toBe(2);
    const table = await page.locator('table.versions').textContent();
    expect(table).toContain('1 cell changed; cases 360 → 365');
    await shoot(page, 'month-history-1280');
    // Its own version downloads as CSV.
    const download = await page.request.get(`${rt.url}/portal/versions/${firstVersionId}.csv`);
    expect(download.status()).toBe(200);
    expect(await download.text()).toContain('2026-09,online.grooming,13-15,girl,chat,120');
  });
  it('enters a month by hand: totals follow, a draft is kept, bad cells are named, then sent like a file', async () => {
    const { page } = amina;
    await page.goto(`${rt.url}/portal/enter?period=2026-06`);
    await page.fill('#c-online-grooming-girl', '12');
    await page.fill('#c-online-grooming-boy', '3');
    await page.fill('#c-family-conflict-girl', 'abc');
    expect(await page.locator('[data-grand-total]').textContent()).toBe('15');
    await Promise.all([page.waitForLoadState('load'), page.click('button[value=save]')]);
    expect(await page.locator('.notice').textContent()).toContain('Draft saved');
    await page.goto(`${rt.url}/portal/enter?period=2026-06`);
    expect(await page.inputValue('#c-online-grooming-girl')).toBe('12');
    await Promise.all([page.waitForLoadState('load'), page.click('button[value=check]')]);
    const link = page.locator('.error-summary a').first();
    expect(await link.getAttribute('href')).toBe('#c-family-conflict-girl');
    expect(await link.textContent()).toContain('whole number');
    expect(await page.getAttribute('#c-family-conflict-girl', 'aria-invalid')).toBe('true');
    await shoot(page, 'enter-problems-1280');
    await page.fill('#c-family-conflict-girl', '7');
    await Promise.all([page.waitForLoadState('load'), page.click('button[value=check]')]);
    expect(await page.locator('h1').textContent()).toBe('Check and confirm 2026-06');
    expect(await page.locator('main').textContent()).toContain('22 cases');
    await confirmUpload(page);
    await waitLoaded(page, '2026-06', 1);
    expect(await page.locator('table.versions').textContent()).toContain('amina (grid)');
    // Sent: the draft is gone.
    await page.goto(`${rt.url}/portal/enter?period=2026-06`);
    expect(await page.inputValue('#c-online-grooming-girl')).toBe('');
  });
});

describe('the secretariat console', () => {
  it('`npm run admin -- user add` prints a one-time set-password link that works once', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'bin/admin.ts',
        'user',
        'add',
        '--username',
        'cli-officer',
        '--name',
        'Cli Officer',
        '--role',
        'officer',
        '--helpline',
        'ke-1',
        '--url',
        rt.url,
        '--admin-key',
        rt.adminKey,
      ],
      { timeout: 60_000 },
    );
    const link = /(http:\/\/\S+\/portal\/set-password\/\S+)/.exec(stdout)?.[1];
    expect(stdout).toContain('works once');
    expect(link).toBeDefined();
    const page = await browser.newPage();
    await page.goto(link as string);
    await page.fill('#password', 'short');
    await page.fill('#confirm', 'short');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error-summary');
    expect(await page.locator('.error-summary a').first().getAttribute('href')).toBe('#password');
    await page.fill('#password', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    await Promise.all([page.waitForURL(/sign-in\?done=password/), page.click('button[type=submit]')]);
    // Used up: the link no longer opens.
    expect((await fetch(link as string)).status).toBe(410);
    await page.close();
    const { context, page: signedIn } = await signIn('cli-officer');
    expect(signedIn.url()).toMatch(/\/portal$/);
    await context.close();
  });

  it('publishes a release after seeing the audit, and approves an unlock', async () => {
    const sec = await signIn('sec');
    const { page } = sec;
    // Protecting and auditing a release solves linear programmes: slow on a loaded machine.
    page.setDefaultTimeout(150_000);
    expect(page.url()).toMatch(/\/admin$/);
    await page.goto(`${rt.url}/admin/releases`);
    await Promise.all([
      page.waitForURL(/\/admin\/releases\/preview$/, { timeout: 150_000 }),
      page.click('text=Prepare a new release'),
    ]);
    const facts = await page.locator('.facts').textContent();
    expect(facts).toContain('Audit');
    expect(facts).toContain('passed');
    expect(facts).toMatch(/Withheld\s*\d+/);
    expect(await rt.warehouse.releases.list()).toHaveLength(0);
    await shoot(page, 'admin-release-preview-1280');
    await Promise.all([
      page.waitForURL(/\/admin\/releases\/\d{4}-\d{2}/, { timeout: 150_000 }),
      page.click('form[data-once] button'),
    ]);
    const [release] = await rt.warehouse.releases.list();
    expect(release?.span.to).toBe('2026-09');
    expect(await page.locator('h1').textContent()).toBe(`Release ${release?.id}`);

    // The helpline's month is locked now; it asks to unlock it with a reason.
    const amina = await signIn('amina');
    await amina.page.goto(`${rt.url}/portal/months/2026-09`);
    expect(await amina.page.locator('main').textContent()).toContain('Locked');
    await amina.page.fill('#reason', 'Two chat contacts were counted twice.');
    await Promise.all([amina.page.waitForURL(/months\/2026-09$/), amina.page.click('text=Ask to unlock 2026-09')]);
    expect(await amina.page.locator('main').textContent()).toContain('the secretariat has not decided yet');

    await page.goto(`${rt.url}/admin/unlocks`);
    await shoot(page, 'admin-unlocks-1280');
    await page.fill('input[name=note]', 'Approved: send the corrected month.');
    await Promise.all([page.waitForURL(/\/admin\/unlocks$/), page.click('text=Approve unlock of ke-1 2026-09')]);
    expect(await page.locator('table').textContent()).toContain('Approved by sec');

    // Its own figures beside the region's published ones.
    await amina.page.goto(`${rt.url}/portal/figures?year=2025`);
    const figures = await amina.page.locator('table').first().textContent();
    expect(figures).toContain('Online harms');
    expect(await amina.page.locator('main').textContent()).toContain(`from release ${release?.id}`);
    const own = await amina.page.request.get(`${rt.url}/portal/figures.csv?year=2026`);
    expect(await own.text()).toContain('2026-09,online,13-15,girl,chat,');
    // The correction goes through now.
    await uploadCsv(amina.page, 'after-unlock.csv', '2026-09', [['online.grooming', '13-15', 'girl', 'chat', 123]]);
    expect(await amina.page.locator('h1').textContent()).toBe('Check and confirm 2026-09');
    await amina.context.close();
    await sec.context.close();
  }, 400_000);
  it('a helpline admin invites and disables people of its own helpline', async () => {
    await setPassword(await makeUser('kadmin', 'helpline_admin', 'ke-1'));
    const { context, page } = await signIn('kadmin');
    await page.goto(`${rt.url}/portal/settings`);
    await page.fill('#username', 'newbie');
    await page.fill('#name', 'New Officer');
    await Promise.all([page.waitForLoadState('load'), page.click('text=Invite and make a set-password link')]);
    expect(await page.locator('code.link').textContent()).toMatch(/\/portal\/set-password\/[\w-]{40,}/);
    expect((await rt.portal.people.find('newbie'))?.helplineId).toBe('ke-1');
    await Promise.all([page.waitForURL(/settings$/), page.click('text=Disable newbie')]);
    expect((await rt.portal.people.find('newbie'))?.disabled).toBe(true);
    // Someone of another helpline is not theirs to disable.
    const token = await page.locator('form.sign-out input[name=_csrf]').getAttribute('value');
    const other = await page.request.post(`${rt.url}/portal/settings/disable`, {
      form: { _csrf: token ?? '', username: 'okello' },
      maxRedirects: 0,
    });
    expect(other.status()).toBe(404);
    expect((await rt.portal.people.find('okello'))?.disabled).toBe(false);
    await context.close();
  });
});

describe('attacks on the portal', () => {
  it('refuses a form without its CSRF token, or from another origin', async () => {
    const { context, page } = await signIn('amina');
    const noToken = await page.request.post(`${rt.url}/portal/sign-out-everywhere`, { form: {}, maxRedirects: 0 });
    expect(noToken.status()).toBe(403);
    const token = await page.locator('form.sign-out input[name=_csrf]').getAttribute('value');
    const otherSite = await page.request.post(`${rt.url}/portal/sign-out-everywhere`, {
      form: { _csrf: token ?? '' },
      headers: { origin: 'http://evil.example' },
      maxRedirects: 0,
    });
    expect(otherSite.status()).toBe(403);
    // A token from another session is not this session's.
    const other = await signIn('okello');
    const stolen = await other.page.request.post(`${rt.url}/portal/unlock`, {
      form: { _csrf: token ?? '', period: '2025-01', reason: 'a reason long enough' },
      maxRedirects: 0,
    });
    expect(stolen.status()).toBe(403);
    // Still signed in: nothing was changed.
    await page.goto(`${rt.url}/portal`);
    expect(page.url()).toMatch(/\/portal$/);
    await other.context.close();
    await context.close();
  });

  it('gives a new session id at sign-in (a planted one is never promoted)', async () => {
    const context = await browser.newContext();
    const url = new URL(rt.url);
    const planted = 'planted-session-value-0123456789abcdef';
    await context.addCookies([{ name: 'hl_session', value: planted, domain: url.hostname, path: '/' }]);
    const page = await context.newPage();
    await page.goto(`${rt.url}/portal/sign-in`);
    await page.fill('#username', 'amina');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/portal$/), page.click('button[type=submit]')]);
    const now = (await context.cookies()).find((c) => c.name === 'hl_session')?.value;
    expect(now).toBeDefined();
    expect(now).not.toBe(planted);
    const withPlanted = await fetch(`${rt.url}/portal`, { headers: { cookie: `hl_session=${planted}` } });
    expect(withPlanted.status).toBe(401);
    // Signing out ends the session for good: its cookie no longer opens anything.
    await Promise.all([page.waitForURL(/done=out/), page.click('form.sign-out button')]);
    expect((await fetch(`${rt.url}/portal`, { headers: { cookie: `hl_session=${now}` } })).status).toBe(401);
    await context.close();
  });

  it('limits sign-in attempts per account, with a clear message, even for the right password', async () => {
    const token = await makeUser('target', 'officer', 'ke-1');
    await setPassword(token);
    const context = await browser.newContext();
    const page = await context.newPage();
    for (let i = 0; i < 5; i++) {
      await page.goto(`${rt.url}/portal/sign-in`);
      await page.fill('#username', 'target');
      await page.fill('#password', `wrong password ${i}`);
      await page.click('button[type=submit]');
      await page.waitForSelector('.error-summary');
      expect(await page.locator('.error-summary').textContent()).toContain('not right');
    }
    await page.goto(`${rt.url}/portal/sign-in`);
    await page.fill('#username', 'target');
    await page.fill('#password', PASSWORD);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/portal/sign-in') && r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    expect(answer.status()).toBe(429);
    expect(await page.locator('.error-summary').textContent()).toMatch(
      /Too many failed sign-ins for this account\. Wait \d+ minutes?/,
    );
    await shoot(page, 'sign-in-limited-1280');
    await context.close();
  });

  it("never shows one helpline another's versions, months or downloads", async () => {
    const { context, page } = await signIn('okello');
    const theirs = await page.request.get(
      `${rt.url}/portal/versions/${(await rt.warehouse.submissions.list('ke-1', '2026-09'))[0]?.submissionId}.csv`,
    );
    expect(theirs.status()).toBe(404);
    expect(await theirs.text()).not.toContain('online.grooming');
    await page.goto(`${rt.url}/portal/months/2026-09`);
    expect(await page.locator('main').textContent()).toContain('Nothing has been sent for this month');
    await page.goto(`${rt.url}/portal/history`);
    expect(await page.locator('main').textContent()).not.toContain('2026-09');
    // Its own figures only: ug-1 sent nothing for 2026, ke-1 did.
    const figures = await page.request.get(`${rt.url}/portal/figures.csv?year=2026`);
    expect((await figures.text()).trim()).toBe('period,harm_group,age_band,gender,channel,count');
    // An officer (not a helpline admin) cannot invite people.
    const token = await page.locator('form.sign-out input[name=_csrf]').getAttribute('value');
    const invite = await page.request.post(`${rt.url}/portal/settings/invite`, {
      form: { _csrf: token ?? '', username: 'sneaky', name: 'Sneaky', role: 'helpline_admin' },
      maxRedirects: 0,
    });
    expect(invite.status()).toBe(403);
    expect(await rt.portal.people.find('sneaky')).toBeUndefined();
    // The console is the secretariat's.
    expect((await page.request.get(`${rt.url}/admin/releases`)).status()).toBe(403);
    expect((await page.request.get(`${rt.url}/admin/users`)).status()).toBe(403);
    await context.close();
  });

  it('an upload cut off mid-body leaves the server up and keeps nothing', async () => {
    const { context, page } = await signIn('amina');
    await page.goto(`${rt.url}/portal/upload`);
    const csrf = await page.locator('form[data-upload] input[name=_csrf]').getAttribute('value');
    const cookie = (await context.cookies()).find((c) => c.name === 'hl_session');
    const before = (await rt.warehouse.submissions.list('ke-1')).length;
    const boundary = 'cutcutcut';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\nContent-Type: text/csv\r\n\r\n${csv('2026-07', [['online.grooming', '13-15', 'girl', 'chat', 9]])}`;
    const port = Number(new URL(rt.url).port);
    const head = `POST /portal/upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: hl_session=${cookie?.value}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length + 5000}\r\n\r\n`;
    await rawRequest(port, [head, body], { after: 'destroy', timeoutMs: 1000 }).catch(() => undefined);
    expect((await fetch(`${rt.url}/healthz`)).status).toBe(200);
    await page.goto(`${rt.url}/portal/months/2026-07`);
    expect(await page.locator('main').textContent()).toContain('Nothing has been sent');
    expect((await rt.warehouse.submissions.list('ke-1')).length).toBe(before);
    await context.close();
  });
});

describe('every page at 360 and 1280 px', () => {
  it('is readable at phone width, under 200 KB, with no console errors and no outside requests', async () => {
    const pages: [string, string, string][] = [
      ['amina', '/portal', 'calendar'],
      ['amina', '/portal/upload', 'upload'],
      ['amina', '/portal/enter?period=2026-05', 'enter'],
      ['amina', '/portal/months/2026-09', 'month'],
      ['amina', '/portal/history', 'history'],
      ['amina', '/portal/templates', 'templates'],
      ['amina', '/portal/figures?year=2025', 'figures'],
      ['amina', '/portal/account', 'account'],
      ['amina', '/portal/settings', 'settings'],
      ['sec', '/admin', 'admin-home'],
      ['sec', '/admin/unlocks', 'admin-unlocks'],
      ['sec', '/admin/releases', 'admin-releases'],
      ['sec', '/admin/completeness', 'admin-completeness'],
      ['sec', '/admin/helplines', 'admin-helplines'],
      ['sec', '/admin/users', 'admin-users'],
    ];
    const release = (await rt.warehouse.releases.list())[0]?.id;
    pages.push(['sec', `/admin/releases/${release}`, 'admin-release']);
    for (const width of [360, 1280]) {
      const viewport = { width, height: 800 };
      const anonymous = await browser.newContext({ viewport });
      const signInPage = await anonymous.newPage();
      await signInPage.goto(`${rt.url}/portal/sign-in`);
      await shoot(signInPage, `sign-in-${width}`);
      await signInPage.goto(`${rt.url}/portal/set-password/${await makeUser(`invitee${width}`, 'officer', 'ke-1')}`);
      await shoot(signInPage, `set-password-${width}`);
      await anonymous.close();
      const sessions = { amina: await signIn('amina', viewport), sec: await signIn('sec', viewport) };
      for (const [who, path, name] of pages) {
        const { page, errors } = sessions[who as 'amina' | 'sec'];
        let bytes = 0;
        const outside: string[] = [];
        const onResponse = async (r: import('playwright-core').Response) => {
          if (!r.url().startsWith(rt.url)) outside.push(r.url());
          bytes += Number(
            (await r.headerValue('content-length').catch(() => null)) ??
              (await r.body().catch(() => Buffer.alloc(0))).length,
          );
        };
        page.on('response', onResponse);
        const answer = await page.goto(`${rt.url}${path}`);
        await page.waitForLoadState('networkidle');
        page.off('response', onResponse);
        expect(answer?.status(), path).toBe(200);
        expect(bytes, path).toBeLessThan(200 * 1024);
        expect(outside, path).toEqual([]);
        if (width === 360)
          expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(360);
        await shoot(page, `${name}-${width}`);
        expect(errors, path).toEqual([]);
      }
      await sessions.amina.context.close();
      await sessions.sec.context.close();
    }
    expect(shots.length).toBeGreaterThanOrEqual(30);
  }, 180_000);
});
