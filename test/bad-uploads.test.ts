/**
 * Bad uploads, table-driven: each is rejected whole with the exact problem entries, nothing reaches
 * Kafka, and no rejected personal value is echoed or logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubmissions } from './helpers/requests.js';
import { LogCapture, startTestRuntime, type TestRuntime, waitFor } from './helpers/runtime.js';

let rt: TestRuntime;
let key: string;
const logs = new LogCapture();

const HEADER = 'period,harm,age_band,gender,channel,count';
const ROW = '2024-03,online.sextortion,13-15,girl,chat,12';
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const cell = { harm: 'online.sextortion', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 12 };

type Expected = { row?: number; column?: string; rule: string };
interface Case {
  name: string;
  type: string;
  body: string | Buffer;
  status: number;
  problems?: Expected[];
  /** Values that must appear nowhere in the answer or the logs. */
  secret?: string;
}

const SECRETS = {
  email: 'maria.lopez@example.org',
  phone: '+44 7700 900123',
  dob: '12/03/2011',
  name: 'Maria Lopez',
  url: 'https://example.org/case/123',
};

const CASES: Case[] = [
  { name: 'empty file', type: 'text/csv', body: '', status: 422, problems: [{ rule: 'empty' }] },
  { name: 'header only', type: 'text/csv', body: csv(HEADER), status: 422, problems: [{ rule: 'empty' }] },
  {
    name: 'unknown column',
    type: 'text/csv',
    body: csv(`${HEADER},notes`, `${ROW},x`),
    status: 422,
    // The header's own text is described by its position, never repeated (it could be anything).
    problems: [{ row: 1, rule: 'unknown_column' }],
    secret: 'notes',
  },
  {
    name: 'missing column',
    type: 'text/csv',
    body: csv('period,harm,age_band,gender,channel', '2024-03,online.sextortion,13-15,girl,chat'),
    status: 422,
    problems: [{ row: 1, column: 'count', rule: 'missing_column' }],
  },
  {
    name: 'unknown harm code',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextorsion,13-15,girl,chat,12'),
    status: 422,
    problems: [{ row: 2, column: 'harm', rule: 'unknown_code' }],
  },
  {
    name: 'unknown age band',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-16,girl,chat,12'),
    status: 422,
    problems: [{ row: 2, column: 'age_band', rule: 'unknown_code' }],
  },
  {
    name: 'unknown gender',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,female,chat,12'),
    status: 422,
    problems: [{ row: 2, column: 'gender', rule: 'unknown_code' }],
  },
  {
    name: 'unknown channel',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,girl,telegram,12'),
    status: 422,
    problems: [{ row: 2, column: 'channel', rule: 'unknown_code' }],
  },
  {
    name: 'negative count',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,girl,chat,-3'),
    status: 422,
    problems: [{ row: 2, column: 'count', rule: 'negative' }],
  },
  {
    name: 'fractional count',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,girl,chat,1.5'),
    status: 422,
    problems: [{ row: 2, column: 'count', rule: 'fractional' }],
  },
  {
    name: 'non-numeric count',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,girl,chat,ten'),
    status: 422,
    problems: [{ row: 2, column: 'count', rule: 'not_a_number' }],
  },
  {
    name: 'absurd count',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,girl,chat,2000000'),
    status: 422,
    problems: [{ row: 2, column: 'count', rule: 'too_large' }],
  },
  {
    name: 'empty count',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,online.sextortion,13-15,girl,chat,'),
    status: 422,
    problems: [{ row: 2, column: 'count', rule: 'required' }],
  },
  {
    name: 'duplicate cell',
    type: 'text/csv',
    body: csv(HEADER, ROW, '2024-03,mental_health.anxiety,13-15,girl,chat,4', ROW),
    status: 422,
    problems: [{ row: 4, rule: 'duplicate_cell' }],
  },
  {
    name: 'several periods',
    type: 'text/csv',
    body: csv(HEADER, ROW, '2024-04,online.sextortion,13-15,girl,chat,12'),
    status: 422,
    problems: [{ column: 'period', rule: 'one_period' }],
  },
  {
    name: 'period in the future',
    type: 'text/csv',
    body: csv(HEADER, '2099-01,online.sextortion,13-15,girl,chat,12'),
    status: 422,
    problems: [{ column: 'period', rule: 'period_not_future' }],
  },
  {
    name: 'period before 2000',
    type: 'text/csv',
    body: csv(HEADER, '1999-12,online.sextortion,13-15,girl,chat,12'),
    status: 422,
    problems: [{ column: 'period', rule: 'period_too_old' }],
  },
  {
    name: 'period badly written',
    type: 'text/csv',
    body: csv(HEADER, '2024/03,online.sextortion,13-15,girl,chat,12'),
    status: 422,
    problems: [{ row: 2, column: 'period', rule: 'period_format' }],
  },
  {
    name: 'e-mail address in a field',
    type: 'text/csv',
    body: csv(HEADER, `2024-03,${SECRETS.email},13-15,girl,chat,12`),
    status: 422,
    problems: [{ row: 2, column: 'harm', rule: 'personal_data' }],
    secret: SECRETS.email,
  },
  {
    name: 'phone number in a field',
    type: 'text/csv',
    body: csv(HEADER, `2024-03,online.sextortion,13-15,girl,${SECRETS.phone},12`),
    status: 422,
    problems: [{ row: 2, column: 'channel', rule: 'personal_data' }],
    secret: SECRETS.phone,
  },
  {
    name: 'date of birth in a field',
    type: 'text/csv',
    body: csv(HEADER, `2024-03,online.sextortion,${SECRETS.dob},girl,chat,12`),
    status: 422,
    problems: [{ row: 2, column: 'age_band', rule: 'personal_data' }],
    secret: SECRETS.dob,
  },
  {
    name: 'a name in a field',
    type: 'text/csv',
    body: csv(HEADER, `2024-03,online.sextortion,13-15,${SECRETS.name},chat,12`),
    status: 422,
    problems: [{ row: 2, column: 'gender', rule: 'personal_data' }],
    secret: SECRETS.name,
  },
  {
    name: 'a web address in a field',
    type: 'text/csv',
    body: csv(HEADER, `2024-03,"${SECRETS.url}",13-15,girl,chat,12`),
    status: 422,
    problems: [{ row: 2, column: 'harm', rule: 'personal_data' }],
    secret: SECRETS.url,
  },
  {
    name: 'free text beyond the header',
    type: 'text/csv',
    body: csv(HEADER, `${ROW},"called about her stepfather"`),
    status: 422,
    problems: [{ row: 2, rule: 'extra_fields' }],
    secret: 'stepfather',
  },
  {
    name: 'unclosed quote',
    type: 'text/csv',
    body: csv(HEADER, '2024-03,"online.sextortion,13-15,girl,chat,12'),
    status: 422,
    problems: [{ rule: 'csv_syntax' }],
  },
  {
    name: 'not UTF-8',
    type: 'text/csv',
    body: Buffer.concat([
      Buffer.from(`${HEADER}\n2024-03,online.sextortion,13-15,`),
      Buffer.from([0xff, 0xfe, 0xe9]),
      Buffer.from(',chat,1\n'),
    ]),
    status: 422,
    problems: [{ rule: 'encoding' }],
  },
  {
    name: 'every problem of a file at once',
    type: 'text/csv',
    body: csv(
      HEADER,
      '2024-03,online.bogus,13-15,girl,chat,12',
      '2024-03,online.grooming,13-15,girl,chat,-1',
      '2024-03,online.grooming,99,girl,chat,x',
    ),
    status: 422,
    problems: [
      { row: 2, column: 'harm', rule: 'unknown_code' },
      { row: 3, column: 'count', rule: 'negative' },
      { row: 4, column: 'age_band', rule: 'unknown_code' },
      { row: 4, column: 'count', rule: 'not_a_number' },
    ],
  },
  { name: 'malformed JSON', type: 'application/json', body: '{"period": "2024-03", "cells": [', status: 400 },
  {
    name: 'JSON extra top-level field',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [cell], notes: 'x' }),
    status: 422,
    problems: [{ rule: 'unknown_field' }],
    secret: 'notes',
  },
  {
    name: 'JSON extra cell field',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [{ ...cell, childName: 'x' }] }),
    status: 422,
    problems: [{ rule: 'unknown_field' }],
    secret: 'childName',
  },
  {
    name: 'JSON count as text',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [{ ...cell, count: '12' }] }),
    status: 422,
    problems: [{ column: 'count', rule: 'not_a_number' }],
  },
  {
    name: 'JSON without period',
    type: 'application/json',
    body: JSON.stringify({ cells: [cell] }),
    status: 422,
    problems: [{ column: 'period', rule: 'required' }],
  },
  {
    name: 'JSON with no cells',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [] }),
    status: 422,
    problems: [{ column: 'cells', rule: 'empty' }],
  },
  {
    name: 'JSON totals below the cells',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [cell], totals: { contacts: 5 } }),
    status: 422,
    problems: [{ column: 'totals.contacts', rule: 'totals_consistent' }],
  },
  {
    name: 'JSON integer age instead of a band',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [{ ...cell, ageBand: 13 }] }),
    status: 422,
    problems: [{ column: 'ageBand', rule: 'type' }],
  },
  {
    name: 'JSON e-mail in a cell',
    type: 'application/json',
    body: JSON.stringify({ period: '2024-03', cells: [{ ...cell, gender: SECRETS.email }] }),
    status: 422,
    problems: [{ column: 'gender', rule: 'personal_data' }],
    secret: SECRETS.email,
  },
  { name: 'another content type', type: 'text/plain', body: csv(HEADER, ROW), status: 415 },
  { name: 'over the size limit', type: 'text/csv', body: `${HEADER}\n${`${ROW}\n`.repeat(130_000)}`, status: 413 },
  {
    name: 'over the row limit',
    type: 'text/csv',
    body: `${HEADER}\n${Array.from({ length: 20_001 }, (_, i) => `2024-03,online.sextortion,13-15,girl,chat,${i}`).join('\n')}`,
    status: 413,
  },
];

beforeAll(async () => {
  rt = await startTestRuntime({ logs });
  key = await rt.addHelpline({ id: 'pt-1', name: 'Portugal test line', country: 'PT', region: 'europe' });
});
afterAll(async () => {
  await rt?.close();
});

describe('bad uploads are rejected whole, with every problem', () => {
  it.each(CASES)('$name → $status', async (c) => {
    const response = await fetch(`${rt.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': c.type },
      body: c.body,
    });
    const text = await response.text();
    expect(response.status, text).toBe(c.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as { status: number; title: string; errors?: (Expected & { message: string })[] };
    expect(problem.status).toBe(c.status);
    expect(problem.title.length).toBeGreaterThan(5);
    if (c.problems) {
      const got = (problem.errors ?? []).map((e) => ({
        ...(e.row === undefined || c.problems?.every((p) => p.row === undefined) ? {} : { row: e.row }),
        ...(e.column === undefined || c.problems?.every((p) => p.column === undefined) ? {} : { column: e.column }),
        rule: e.rule,
      }));
      expect(got).toEqual(c.problems);
      for (const e of problem.errors ?? []) expect(e.message.length).toBeGreaterThan(10);
    }
    if (c.secret) expect(text).not.toContain(c.secret);
  });

  it('suggests the closest valid code', async () => {
    const r = await fetch(`${rt.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: csv(HEADER, '2024-03,online.sextorsion,13-15,girl,chat,12'),
    });
    const body = (await r.json()) as { errors: { suggestions?: string[]; message: string; value?: string }[] };
    expect(body.errors[0]?.suggestions?.[0]).toBe('online.sextortion');
    // A near miss is still not a code: described, with the codes it may have meant.
    expect(body.errors[0]?.value).toBeUndefined();
    expect(body.errors[0]?.message).toBe(
      'row 2: the value is not a valid harm type code; did you mean "online.sextortion"?',
    );
  });

  it('kept nothing of any rejected upload, and logged no rejected value', async () => {
    // A good upload after all the bad ones is version 1: nothing before it reached the warehouse.
    const ok = await fetch(`${rt.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: csv(HEADER, ROW),
    });
    expect(ok.status).toBe(202);
    const { statusUrl } = (await ok.json()) as { statusUrl: string };
    const loaded = await waitFor('load', async () => {
      const s = (await (
        await fetch(`${rt.url}${statusUrl}`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as {
        status: string;
        version: number;
      };
      return s.status === 'loaded' ? s : undefined;
    });
    expect(loaded.version).toBe(1);
    const list = await listSubmissions(rt.url, key);
    expect(list).toHaveLength(1);
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const secret of [...Object.values(SECRETS), 'stepfather']) expect(logs.text).not.toContain(secret);
  });
});

describe('authentication and ownership', () => {
  it('needs a valid key and keeps each helpline to its own data', async () => {
    const other = await rt.addHelpline({ id: 'es-1', name: 'Spain test line', country: 'ES', region: 'europe' });
    const post = (k: string | undefined, body = csv(HEADER, '2024-05,online.grooming,13-15,boy,chat,7')) =>
      fetch(`${rt.url}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', ...(k ? { authorization: `Bearer ${k}` } : {}) },
        body,
      });
    expect((await post(undefined)).status).toBe(401);
    expect((await post('hk_not-a-real-key')).status).toBe(401);
    const mine = (await (await post(key)).json()) as { submissionId: string; helplineId: string };
    expect(mine.helplineId).toBe('pt-1');
    // Another helpline cannot read it, nor write as someone else.
    const peek = await fetch(`${rt.url}/v1/submissions/${mine.submissionId}`, {
      headers: { authorization: `Bearer ${other}` },
    });
    expect(peek.status).toBe(403);
    const spoof = await fetch(`${rt.url}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${other}`, 'x-helpline-id': 'pt-1' },
      body: csv(HEADER, '2024-06,online.grooming,13-15,boy,chat,7'),
    });
    const spoofed = (await spoof.json()) as { helplineId: string };
    expect(spoofed.helplineId).toBe('es-1');
    const theirs = await listSubmissions<{ helplineId: string }>(rt.url, other);
    expect(theirs.every((s) => s.helplineId === 'es-1')).toBe(true);
    // Helpline keys are not admin keys.
    const admin = await fetch(`${rt.url}/v1/admin/helplines`, { headers: { authorization: `Bearer ${key}` } });
    expect(admin.status).toBe(403);
  });
});
