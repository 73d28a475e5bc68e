/**
 * The secretariat registers helplines and rotates keys over the admin API; helplines map their own
 * codes, retry safely with Idempotency-Key, dry-run a file, upload from a browser form, and get a
 * warning for a month far from their history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubmissions } from './helpers/requests.js';
import { startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let rt: TestRuntime;
const admin = () => ({ authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json' });

beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.close();
});

async function register(id: string, country: string) {
  const r = await fetch(`${rt.url}/v1/admin/helplines`, {
    method: 'POST',
    headers: admin(),
    body: JSON.stringify({ id, name: `${id} line`, country }),
  });
  expect(r.status).toBe(201);
  return (await r.json()) as { helpline: { region: string }; key: string };
}

const csvUpload = (key: string, text: string, extra: Record<string, string> = {}, query = '') =>
  fetch(`${rt.url}/v1/submissions${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', ...extra },
    body: text,
  });

async function loaded(key: string, id: string) {
  return waitFor('load', async () => {
    const s = (await (
      await fetch(`${rt.url}/v1/submissions/${id}`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as {
      status: string;
      version: number;
      cellValues: unknown[];
    };
    return s.status === 'loaded' ? s : undefined;
  });
}

describe('helpline accounts', () => {
  it('registers a helpline once, derives its region, and stores only a hash of the key', async () => {
    const { helpline, key } = await register('ke-1', 'KE');
    expect(helpline.region).toBe('africa');
    expect(key).toMatch(/^hk_[\w-]{40,}$/);
    const again = await fetch(`${rt.url}/v1/admin/helplines`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ id: 'ke-1', name: 'x line', country: 'KE' }),
    });
    expect(again.status).toBe(409);
    const wrongRegion = await fetch(`${rt.url}/v1/admin/helplines`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ id: 'ke-2', name: 'x line', country: 'KE', region: 'europe' }),
    });
    expect(wrongRegion.status).toBe(422);
    const stored = await rt.warehouse.db.all<{ key_hash: string }>(
      "SELECT key_hash FROM api_keys WHERE helpline_id = 'ke-1'",
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('rotates keys: the new key works, the old one keeps working through the grace period', async () => {
    const { key: old } = await register('gh-1', 'GH');
    const r = await fetch(`${rt.url}/v1/admin/helplines/gh-1/keys`, { method: 'POST', headers: admin() });
    expect(r.status).toBe(201);
    const rotated = (await r.json()) as { key: string; previousKeysValidUntil: string };
    expect(rotated.key).not.toBe(old);
    const graceDays = (Date.parse(rotated.previousKeysValidUntil) - Date.now()) / 86_400_000;
    expect(graceDays).toBeGreaterThan(6.9);
    expect(graceDays).toBeLessThan(7.1);
    for (const k of [old, rotated.key]) {
      const list = await fetch(`${rt.url}/v1/submissions`, { headers: { authorization: `Bearer ${k}` } });
      expect(list.status).toBe(200);
    }
    // Past the grace period the old key is refused.
    const later = new Date(Date.now() + 8 * 86_400_000);
    expect(await rt.warehouse.registry.authenticate(old, later)).toBeUndefined();
    expect(await rt.warehouse.registry.authenticate(rotated.key, later)).toEqual({
      role: 'helpline',
      helplineId: 'gh-1',
    });
  });

  it('accepts a helpline’s own codes once the admin has mapped them', async () => {
    const { key } = await register('ug-1', 'UG');
    const local = 'period,harm,age_band,gender,channel,count\n2024-01,SEXT,13-15,F,chat,9\n';
    const before = await csvUpload(key, local);
    expect(before.status).toBe(422);
    const map = await fetch(`${rt.url}/v1/admin/helplines/ug-1/mappings`, {
      method: 'PUT',
      headers: admin(),
      body: JSON.stringify({ harm: { SEXT: 'online.sextortion' }, gender: { F: 'girl' } }),
    });
    expect(map.status).toBe(200);
    const badMap = await fetch(`${rt.url}/v1/admin/helplines/ug-1/mappings`, {
      method: 'PUT',
      headers: admin(),
      body: JSON.stringify({ harm: { X: 'child.pornography' } }),
    });
    expect(badMap.status).toBe(422);
    const after = await csvUpload(key, local);
    expect(after.status).toBe(202);
    const s = await loaded(key, ((await after.json()) as { submissionId: string }).submissionId);
    expect(s.cellValues).toEqual([
      { harm: 'online.sextortion', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 9 },
    ]);
  });

  it('returns the same submission for a retry with the same Idempotency-Key, and refuses its reuse', async () => {
    const { key } = await register('tz-1', 'TZ');
    const text = 'period,harm,age_band,gender,channel,count\n2024-01,peer.friendship,13-15,boy,sms,21\n';
    const first = await csvUpload(key, text, { 'idempotency-key': 'upload-2024-01-a' });
    expect(first.status).toBe(202);
    const a = (await first.json()) as { submissionId: string };
    const retry = await csvUpload(key, text, { 'idempotency-key': 'upload-2024-01-a' });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { submissionId: string }).submissionId).toBe(a.submissionId);
    const reuse = await csvUpload(key, text.replace(',21', ',22'), { 'idempotency-key': 'upload-2024-01-a' });
    expect(reuse.status).toBe(422);
    await loaded(key, a.submissionId);
    const list = await listSubmissions(rt.url, key);
    expect(list).toHaveLength(1);
  });

  it('dry-runs a correction: reports what it would replace and produces nothing', async () => {
    const { key } = await register('zm-1', 'ZM');
    const v1 = await csvUpload(
      key,
      'period,harm,age_band,gender,channel,count\n2024-03,family.conflict,10-12,girl,phone,30\n',
    );
    const first = (await v1.json()) as { submissionId: string };
    await loaded(key, first.submissionId);
    const dry = await csvUpload(
      key,
      'period,harm,age_band,gender,channel,count\n2024-03,family.conflict,10-12,girl,phone,31\n',
      {},
      '?dryRun=true',
    );
    expect(dry.status).toBe(200);
    const report = (await dry.json()) as {
      dryRun: boolean;
      status: string;
      replaces: { submissionId: string; version: number };
    };
    expect(report).toMatchObject({
      dryRun: true,
      status: 'validated',
      replaces: { submissionId: first.submissionId, version: 1 },
    });
    const list = await listSubmissions(rt.url, key);
    expect(list).toHaveLength(1);
  });

  it('takes a browser form upload and warns about a month far above the helpline’s usual level', async () => {
    const { key } = await register('rw-1', 'RW');
    for (const month of ['01', '02', '03', '04']) {
      const r = await csvUpload(
        key,
        `period,harm,age_band,gender,channel,count\n2023-${month},mental_health.anxiety,13-15,girl,chat,40\n`,
      );
      await loaded(key, ((await r.json()) as { submissionId: string }).submissionId);
    }
    const form = new FormData();
    form.append(
      'file',
      new Blob(
        ['\uFEFFPERIOD;HARM;AGE_BAND;GENDER;CHANNEL;COUNT\r\n2023-05;mental_health.anxiety;13-15;girl;chat;4000\r\n'],
        {
          type: 'text/csv',
        },
      ),
      'may.csv',
    );
    const r = await fetch(`${rt.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(r.status).toBe(202);
    const receipt = (await r.json()) as { warnings: string[]; cases: number };
    expect(receipt.cases).toBe(4000);
    expect(receipt.warnings.length).toBeGreaterThan(0);
    expect(receipt.warnings.join(' ')).toMatch(/usual/);
  });

  it('serves the CSV template with the contract header and an example row', async () => {
    const r = await fetch(`${rt.url}/v1/templates/submission.csv`);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, example] = (await r.text()).trim().split(/\r?\n/);
    expect(header).toBe('period,harm,age_band,gender,channel,count');
    expect(example?.split(',')).toHaveLength(6);
  });
});

describe('command-line tools', () => {
  it('npm run admin adds a helpline and npm run upload sends its months with a per-file result', async () => {
    const { execFile } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const run = (script: string, args: string[]) =>
      new Promise<{ code: number; out: string }>((ok) => {
        execFile(
          'npx',
          ['tsx', script, ...args],
          { env: { ...process.env, ADMIN_KEY: rt.adminKey } },
          (error, stdout, stderr) =>
            ok({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
    const added = await run('bin/admin.ts', [
      'helpline',
      'add',
      '--id',
      'mw-1',
      '--name',
      'Malawi line',
      '--country',
      'MW',
      '--url',
      rt.url,
    ]);
    expect(added.code, added.out).toBe(0);
    const key = (JSON.parse(added.out) as { key: string }).key;
    const dir = mkdtempSync(join(tmpdir(), 'upload-cli-'));
    const good = join(dir, '2024-01.csv');
    const bad = join(dir, '2024-02.csv');
    writeFileSync(good, 'period,harm,age_band,gender,channel,count\n2024-01,online.grooming,13-15,girl,chat,8\n');
    writeFileSync(bad, 'period,harm,age_band,gender,channel,count\n2024-02,online.groomin,13-15,girl,chat,8\n');
    const uploaded = await run('bin/upload.ts', ['--key', key, '--url', rt.url, good, bad]);
    expect(uploaded.code).toBe(1);
    expect(uploaded.out).toMatch(/accepted\s+\S*2024-01\.csv/);
    expect(uploaded.out).toMatch(/rejected \(HTTP 422\)\s+\S*2024-02\.csv/);
    expect(uploaded.out).toContain('did you mean "online.grooming"');
    expect(uploaded.out).toContain('1 of 2 file(s) accepted');
    // Running it again is safe: same content, same submission, no new version.
    const again = await run('bin/upload.ts', ['--key', key, '--url', rt.url, good]);
    expect(again.code, again.out).toBe(0);
    const list = await listSubmissions(rt.url, key);
    expect(list).toHaveLength(1);
  }, 60_000);
});
