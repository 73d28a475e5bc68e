/**
 * A stack that heals itself: the real `npm start` (supervisor, local broker, app) takes 600 uploads
 * with corrections (120 helpline-months × 5 versions, each upload with its own Idempotency-Key and
 * retried until answered) while its app is SIGKILLed 10 times and its broker twice, by pid. Nobody
 * restarts anything: the supervisor does. Then nothing may be lost, counted twice or stale, every
 * retried key must have got its first attempt's submission, no start may have failed, and the
 * broker's log must show no corruption.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../infra/kafka/index.js';
import { expectLiveFigures, newAdminKey } from '../helpers/requests.js';
import { waitFor } from '../helpers/runtime.js';
import { BARE_STACK, brokerTrouble, type Stack, startStack, stopAndRemove } from '../helpers/stack.js';

const HELPLINES = Array.from({ length: 10 }, (_, i) => ({
  id: `heal-${i}`,
  country: ['DE', 'KE', 'BR', 'IN', 'EG'][i % 5],
}));
const MONTHS = Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`);
const VERSIONS = 5;
const HARMS = ['online.grooming', 'family.conflict', 'mental_health.anxiety', 'violence.physical'];
/** Which kills hit the broker (the rest hit the app). */
const BROKER_KILLS = new Set([3, 8]);
const KILLS = 12;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function csvFor(h: number, m: number, v: number): { text: string; total: number } {
  const counts = HARMS.map((_, i) => ((h * 31 + m * 7 + i * 13) % 40) + v * 3 + 1);
  const rows = HARMS.map((harm, i) => `${MONTHS[m]},${harm},13-15,girl,chat,${counts[i]}`);
  return {
    text: `period,harm,age_band,gender,channel,count\n${rows.join('\n')}\n`,
    total: counts.reduce((a, b) => a + b, 0),
  };
}

let stack: Stack | undefined;
afterAll(() => stopAndRemove(stack));

describe('a stack that heals itself', () => {
  it('comes back by itself from 10 app and 2 broker SIGKILLs during uploads: nothing lost or doubled, every retry its first answer', async () => {
    const adminKey = newAdminKey();
    const s = await startStack({ ...BARE_STACK, ADMIN_KEY: adminKey, RATE_LIMIT_PER_MINUTE: '1000000' });
    stack = s;
    const started = Date.now();
    await s.waitForOutput(/Press Ctrl-C to stop/);
    const firstStartSeconds = (Date.now() - started) / 1000;
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const keys: string[] = [];
    for (const h of HELPLINES) {
      const r = await fetch(`${s.url}/v1/admin/helplines`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ id: h.id, name: `${h.id} line`, country: h.country }),
      });
      expect(r.status).toBe(201);
      keys.push(((await r.json()) as { key: string }).key);
    }

    // ── uploads: each helpline-month's versions in order, about three uploads a second ─────────
    type Answer = { submissionId: string; status: number };
    const answers = new Map<string, Answer[]>();
    const unanswered = new Set<string>(); // keys with an attempt whose outcome the client never saw
    let accepted = 0;
    const upload = async (h: number, m: number, v: number) => {
      const key = `heal-${h}-${m}-v${v}`;
      const { text } = csvFor(h, m, v);
      for (;;) {
        try {
          const r = await fetch(`${s.url}/v1/submissions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${keys[h]}`, 'content-type': 'text/csv', 'idempotency-key': key },
            body: text,
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await r.json().catch(() => ({}))) as { submissionId?: string };
          if (r.status === 202 || r.status === 200) {
            answers.set(key, [
              ...(answers.get(key) ?? []),
              { submissionId: body.submissionId ?? '', status: r.status },
            ]);
            break;
          }
          if (r.status < 500 && r.status !== 429)
            throw new Error(`upload ${key} refused: HTTP ${r.status} ${JSON.stringify(body)}`);
          // 503: Kafka did not acknowledge in time; it may still have the record.
          unanswered.add(key);
        } catch (error) {
          if ((error as Error).message.includes('refused')) throw error;
          unanswered.add(key); // the connection died with the app
        }
        await sleep(300);
      }
      accepted++;
    };
    const months = MONTHS.flatMap((_, m) => HELPLINES.map((_, h) => ({ h, m })));
    let next = 0;
    let pace: Promise<unknown> = Promise.resolve();
    const lanes = Array.from({ length: 6 }, async () => {
      while (next < months.length) {
        const job = months[next++];
        if (!job) break;
        for (let v = 1; v <= VERSIONS; v++) {
          pace = pace.then(() => sleep(300));
          await pace;
          await upload(job.h, job.m, v);
        }
      }
    });
    let uploadError: unknown;
    const uploads = Promise.all(lanes).catch((error: unknown) => {
      uploadError = error;
    });

    // ── kills: by pid, while uploads run; each time the stack must come back by itself ─────────
    const recoveries: { which: string; seconds: number }[] = [];
    let upSince = Date.now();
    for (let k = 0; k < KILLS; k++) {
      const which = BROKER_KILLS.has(k) ? 'broker' : 'app';
      // Mid-load, and the app up for over 10 s: kills sooner would be fast failures, which the
      // supervisor counts towards giving up (as it should).
      const before = accepted;
      await waitFor(
        'uploads to progress',
        async () => {
          if (uploadError) throw uploadError;
          return accepted >= before + 15 && Date.now() - upSince > 11_000 ? true : undefined;
        },
        300_000,
      );
      const beforeState = s.state();
      const t0 = Date.now();
      const pid = await s.kill(which);
      await waitFor(
        `the ${which} to be restarted and the stack ready`,
        async () => {
          const now = s.state();
          const child = which === 'app' ? now.app : now.broker;
          if (!child?.pid || child.pid === pid) return undefined;
          return (await s.ready()) ? true : undefined;
        },
        180_000,
      );
      recoveries.push({ which, seconds: (Date.now() - t0) / 1000 });
      expect(s.state().pid).toBe(beforeState.pid);
      if (which === 'app') upSince = Date.now();
    }
    await uploads;
    if (uploadError) throw uploadError;
    expect(accepted).toBe(months.length * VERSIONS);

    // ── the data: everything loaded once, the newest version current ────────────────────────────
    const expected = new Map<string, number>();
    for (const { h, m } of months) {
      const k = `${MONTHS[m]}|${HELPLINES[h]?.country}`;
      expected.set(k, (expected.get(k) ?? 0) + csvFor(h, m, VERSIONS).total);
    }
    await expectLiveFigures('every upload to be loaded', s.url, adminKey, expected);

    // ── Idempotency-Key: one submission per key, and every answer to a key the same ─────────────
    const problems: string[] = [];
    for (const { h, m } of months) {
      const r = await fetch(`${s.url}/v1/submissions?period=${MONTHS[m]}`, {
        headers: { authorization: `Bearer ${keys[h]}` },
      });
      const history = (
        (await r.json()) as { submissions: { submissionId: string; status: string; version: number | null }[] }
      ).submissions;
      const answered = new Set<string>();
      for (let v = 1; v <= VERSIONS; v++) {
        const key = `heal-${h}-${m}-v${v}`;
        const ids = new Set((answers.get(key) ?? []).map((a) => a.submissionId));
        if (ids.size !== 1) problems.push(`${key}: answered ${[...ids].join(', ')}`);
        for (const id of ids) answered.add(id);
      }
      const listed = new Set(history.map((x) => x.submissionId));
      const extra = [...listed].filter((id) => !answered.has(id));
      const missing = [...answered].filter((id) => !listed.has(id));
      if (extra.length || missing.length) {
        problems.push(`heal-${h} ${MONTHS[m]}: extra ${extra.join(',')} missing ${missing.join(',')}`);
      }
      const current = history.filter((x) => x.status === 'loaded');
      if (current.length !== 1 || current[0]?.version !== VERSIONS) {
        problems.push(`heal-${h} ${MONTHS[m]}: current ${JSON.stringify(current)}`);
      }
    }
    expect(problems).toEqual([]);

    // ── the processes: every restart by the supervisor, none failed, no corruption ──────────────
    const state = s.state();
    expect(state.app.starts).toBe(1 + KILLS - BROKER_KILLS.size);
    expect(state.app.failedStarts).toBe(0);
    expect(state.broker?.starts).toBe(1 + BROKER_KILLS.size);
    expect(state.broker?.failedStarts).toBe(0);
    expect(s.output()).not.toMatch(/did not start|Start failed|giving up|not restarting/i);
    expect(brokerTrouble(s.brokerLog())).toEqual([]);

    // ── Ctrl-C stops everything ──────────────────────────────────────────────────────────────────
    const { app, broker } = s.state();
    const t0 = Date.now();
    const exit = await s.stop('SIGINT');
    const stopSeconds = (Date.now() - t0) / 1000;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.pid !== null && isAlive(app.pid)).toBe(false);
    expect(broker?.pid != null && isAlive(broker.pid)).toBe(false);

    const report = {
      firstStartSeconds,
      kills: recoveries.length,
      appRestarts: state.app.starts - 1,
      brokerRestarts: (state.broker?.starts ?? 1) - 1,
      recoverySeconds: recoveries.map((r) => `${r.which} ${r.seconds.toFixed(1)}`),
      keysWithAnUnansweredAttempt: unanswered.size,
      uploads: accepted,
      stopSeconds,
      totalSeconds: (Date.now() - started) / 1000,
    };
    process.stdout.write(`kill test: ${JSON.stringify(report)}\n`);
    // The kills must have cut uploads in flight, or the retries proved nothing.
    expect(unanswered.size).toBeGreaterThan(0);
  });
});
