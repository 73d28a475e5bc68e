/**
 * Malformed HTTP through real sockets to every route of the running stack (real Kafka, real
 * DuckDB): cut-off and garbled bodies, truncated multipart, bad chunked framing, bad
 * content-encoding, clients that vanish mid-body or mid-response, slow bodies, piles of half-open
 * connections. After each case the server must still answer, must have kept nothing (no submission
 * row, no Kafka record), and any error it sent must be problem+json — never a 500.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaBus, type KafkaBus } from '../infra/kafka/index.js';
import { head, type RawAnswer, rawRequest } from './helpers/raw-http.js';
import { startTestRuntime, type TestRuntime } from './helpers/runtime.js';

let rt: TestRuntime;
let bus: KafkaBus;
let port: number;
let helplineKey: string;
const answers: { route: string; name: string; answer: RawAnswer }[] = [];

const LIMITS = { headersTimeoutMs: 2_000, requestTimeoutMs: 6_000, bodyIdleTimeoutMs: 1_500 };

beforeAll(async () => {
  rt = await startTestRuntime({ httpLimits: LIMITS });
  port = Number(new URL(rt.url).port);
  helplineKey = await rt.addHelpline({ id: 'fz-1', name: 'Fuzz line', country: 'KE', region: 'africa' });
  bus = createKafkaBus({ brokers: inject('kafkaBrokers'), clientId: 'fuzz-probe', logger: pino({ level: 'silent' }) });
}, 120_000);
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  await rt?.close();
});

async function kept(): Promise<number> {
  const rows = await rt.warehouse.db.all<{ n: bigint }>('SELECT count(*) AS n FROM submissions');
  let records = 0n;
  for (const end of (await bus.endOffsets(rt.topics.submissions)).values()) records += end;
  return Number(rows[0]?.n ?? 0n) + Number(records);
}

/**
 * The server runs in this test's process, so an error that would kill it in production (an
 * unhandled 'error' event) arrives here: each one is counted as a dead server.
 */
const crashes: string[] = [];
const onCrash = (error: unknown) => crashes.push(String((error as Error)?.message ?? error));
process.on('uncaughtException', onCrash);
process.on('unhandledRejection', onCrash);

async function stillAnswers(): Promise<void> {
  expect(crashes, 'errors that would have killed the server process').toEqual([]);
  const r = await fetch(`${rt.url}/healthz`, { signal: AbortSignal.timeout(5000) });
  expect(r.status).toBe(200);
}

function keyFor(path: string): Record<string, string> {
  if (path.startsWith('/v1/admin') || path === '/metrics' || path.startsWith('/admin/'))
    return { Authorization: `Bearer ${rt.adminKey}` };
  if (path.startsWith('/v1/submissions')) return { Authorization: `Bearer ${helplineKey}` };
  return {};
}

/** Every route of the OpenAPI document, with its path parameters filled in. */
async function routes(): Promise<{ method: string; path: string; page: boolean }[]> {
  const doc = (await (await fetch(`${rt.url}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { tags?: string[] }>>;
  };
  const fill: Record<string, string> = {
    id: 'fz-1',
    name: 'completeness',
    file: 'trend.svg',
    chart: 'trend',
  };
  const out: { method: string; path: string; page: boolean }[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const concrete = path.replace(/\{(\w+)\}/g, (_m, p: string) => fill[p] ?? 'x');
    for (const [method, op] of Object.entries(ops))
      out.push({ method: method.toUpperCase(), path: concrete, page: op.tags?.includes('portal') ?? false });
  }
  return out;
}

const BOUNDARY = 'XXfuzz';
const multipartHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n`;

/** The cases: each a name, the bytes to write, and how the client behaves. */
function cases(method: string, path: string) {
  const key = keyFor(path);
  const body = (type: string, bytes: string, extra: Record<string, string> = {}) =>
    head(method, path, { ...key, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(bytes)), ...extra }) +
    bytes;
  return [
    {
      name: 'multipart cut off inside the file (complete HTTP)',
      pieces: [body(`multipart/form-data; boundary=${BOUNDARY}`, `${multipartHead}period,harm`)],
    },
    {
      name: 'multipart with a wrong boundary',
      pieces: [body('multipart/form-data; boundary=other', `${multipartHead}period\r\n--${BOUNDARY}--\r\n`)],
    },
    { name: 'multipart without a boundary', pieces: [body('multipart/form-data', 'garbage')] },
    {
      name: 'multipart whose part headers never end',
      pieces: [body(`multipart/form-data; boundary=${BOUNDARY}`, `--${BOUNDARY}\r\nContent-Disposition: form-`)],
    },
    {
      name: 'body shorter than Content-Length, then half-close',
      pieces: [head(method, path, { ...key, 'Content-Type': 'application/json', 'Content-Length': '500' }), '{"per'],
      after: 'end' as const,
    },
    {
      name: 'client resets mid-body',
      pieces: [head(method, path, { ...key, 'Content-Type': 'text/csv', 'Content-Length': '5000' }), 'period,harm,'],
      after: 'destroy' as const,
    },
    {
      name: 'multipart cut off by the client',
      pieces: [
        head(method, path, {
          ...key,
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
          'Content-Length': '4000',
        }),
        `${multipartHead}period,harm,age_band`,
      ],
      after: 'end' as const,
    },
    {
      name: 'bad chunk size',
      pieces: [
        head(method, path, { ...key, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }),
        'zz\r\n{}\r\n0\r\n\r\n',
      ],
    },
    {
      name: 'chunked body that stops mid-chunk',
      pieces: [
        head(method, path, { ...key, 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' }),
        'ff\r\nperiod,harm',
      ],
      after: 'end' as const,
    },
    { name: 'garbage gzip', pieces: [body('application/json', 'not gzip at all', { 'Content-Encoding': 'gzip' })] },
    { name: 'unknown content-encoding', pieces: [body('text/csv', 'period', { 'Content-Encoding': 'x-zip' })] },
    { name: 'invalid JSON', pieces: [body('application/json', '{"period": "2024-01", "cells": [')] },
    { name: 'deeply nested JSON', pieces: [body('application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`)] },
    { name: 'binary CSV', pieces: [body('text/csv', '\u0000\u00ff\u00fe\u0001,\r\n\u0000')] },
    { name: 'conflicting lengths', pieces: [body('text/csv', 'a', { 'Transfer-Encoding': 'chunked' })] },
    { name: 'garbage request line', pieces: [`${method} ${path} HTTP/9.9 nonsense\r\n\r\n`] },
    { name: 'header without a colon', pieces: [`${method} ${path} HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n`] },
    { name: 'huge header', pieces: [head(method, path, { ...key, 'X-Big': 'a'.repeat(20_000) })] },
  ];
}

function expectProblem(route: string, name: string, answer: RawAnswer | undefined, page = false) {
  if (!answer) return;
  answers.push({ route, name, answer });
  expect(answer.status, `${route} ${name}`).not.toBe(500);
  // The portal's pages are for people: their errors are HTML pages (portal/http.ts), not problem+json.
  if (page && answer.status >= 400 && /^text\/html/.test(answer.headers['content-type'] ?? '')) return;
  if (answer.status >= 400) {
    expect(answer.headers['content-type'], `${route} ${name}: ${answer.body.slice(0, 120)}`).toMatch(
      /^application\/problem\+json/,
    );
    expect(() => JSON.parse(answer.body), `${route} ${name}`).not.toThrow();
  }
}

describe('HTTP fuzz', () => {
  it('survives malformed requests to every route, keeping nothing', async () => {
    const list = await routes();
    expect(list.length).toBeGreaterThan(30);
    const before = await kept();
    const slow: string[] = [];
    for (const { method, path, page } of list) {
      for (const c of cases(method, path)) {
        const started = Date.now();
        const { answer } = await rawRequest(port, c.pieces, {
          timeoutMs: 8000,
          ...(c.after ? { after: c.after } : {}),
        });
        if (Date.now() - started > 3000) slow.push(`${method} ${path} ${c.name}`);
        expectProblem(`${method} ${path}`, c.name, answer, page);
        await stillAnswers();
      }
    }
    // Nothing waits for a timeout it should not need: a stuck request would show here.
    expect(slow).toEqual([]);
    expect(await kept()).toBe(before);
  }, 600_000);

  it('answers the truncated multipart upload with a problem, not a dead process', async () => {
    const { answer } = await rawRequest(port, [
      head('POST', '/v1/submissions?dryRun=true', {
        Authorization: `Bearer ${helplineKey}`,
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Content-Length': String(Buffer.byteLength(`${multipartHead}period,harm`)),
      }),
      `${multipartHead}period,harm`,
    ]);
    expect(answer?.status).toBe(400);
    expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ code: 'upload_incomplete' });
    await stillAnswers();
  });

  // A CSV upload's head that promises 400 bytes of body.
  const uploadPromising400Bytes = () =>
    head('POST', '/v1/submissions', {
      Authorization: `Bearer ${helplineKey}`,
      'Content-Type': 'text/csv',
      'Content-Length': '400',
    });

  it('cuts off a body that stalls with 408, and one that crawls past the request timeout', async () => {
    const before = await kept();
    const stalled = await rawRequest(port, [uploadPromising400Bytes(), 'period,'], { after: 'keep', timeoutMs: 6000 });
    stalled.socket.destroy();
    expect(stalled.answer?.status).toBe(408);
    expect(stalled.answer?.headers['content-type']).toMatch(/problem\+json/);
    // One byte a second never stalls for long, but never finishes either.
    const crawl = Array.from({ length: 12 }, () => 'p');
    const crawling = await rawRequest(port, [uploadPromising400Bytes(), ...crawl], {
      pauseMs: 1000,
      after: 'keep',
      timeoutMs: 15_000,
    });
    crawling.socket.destroy();
    expect(crawling.answer?.status).toBe(408);
    await stillAnswers();
    expect(await kept()).toBe(before);
  }, 30_000);

  it('keeps serving while hundreds of half-open connections sit on it, and closes them', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 300 }, () =>
        rawRequest(port, ['GET /v1/meta/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '], {
          after: 'keep',
          timeoutMs: 50,
        }),
      ),
    );
    await stillAnswers();
    const regions = await fetch(`${rt.url}/v1/meta/regions`);
    expect(regions.status).toBe(200);
    // The headers timeout closes every one of them.
    await new Promise((r) => setTimeout(r, LIMITS.headersTimeoutMs + 2500));
    const open = sockets.filter(({ socket }) => !socket.destroyed && socket.readyState === 'open');
    for (const { socket } of sockets) socket.destroy();
    expect(open.length).toBe(0);
  }, 30_000);

  it('survives clients that go away mid-response', async () => {
    for (const path of ['/v1/trends?by=month&split=country&format=csv', '/charts/map.png', '/v1/openapi.json', '/']) {
      for (let i = 0; i < 3; i++) {
        await rawRequest(port, [head('GET', path)], { dropAfterBytes: 200, timeoutMs: 8000 });
      }
      await stillAnswers();
    }
  }, 60_000);

  it('answered something parseable in most cases (the suite is not just timing out)', () => {
    expect(answers.length).toBeGreaterThan(200);
    expect(answers.filter((a) => a.answer.status >= 400).length).toBeGreaterThan(200);
  });
});
