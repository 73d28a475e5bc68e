/**
 * Seeds the demo data the way helplines would send it: register the helplines, then upload each
 * helpline's history through the real HTTP API (multi-month uploads of a few years each, one Kafka
 * record per helpline-month), then wait until it is loaded.
 *
 * Idempotent per helpline-month, so an interrupted seed is simply run again: keys already issued
 * are read back from the keys file (written after each new key), months already loaded are
 * skipped, and a month accepted but not loaded yet is sent again (same content: no new version).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HelplineInfo, SubmissionBody } from '../domain/index.js';
import {
  type DemoHelpline,
  demoHelplines,
  demoSubmission,
  FIRST_DEMO_PERIOD,
  lastFullMonth,
  monthsBetween,
} from './generator.js';

export interface SeedDeps {
  readonly baseUrl: string;
  /**
   * Registers a helpline and returns its new key; for one registered already (an interrupted
   * seed), a new key for it, or undefined if it cannot have one.
   */
  readonly registerHelpline: (h: HelplineInfo) => Promise<string | undefined>;
  /** The same for many helplines at once (one transaction); preferred when given. */
  readonly registerHelplines?: (hs: readonly HelplineInfo[]) => Promise<ReadonlyMap<string, string>>;
  /** Helpline-months (`helpline|period`) the warehouse holds already: not uploaded again. */
  readonly loadedMonths?: () => Promise<ReadonlySet<string>>;
  /** How many helpline-months the warehouse holds (to wait for the load). */
  readonly loadedCount: () => Promise<number>;
  readonly keysFile: string;
  readonly adminKey: string;
  readonly now: Date;
  readonly progress?: (done: number, total: number, phase: string) => void;
  readonly helplines?: readonly DemoHelpline[];
  readonly months?: readonly string[];
  readonly concurrency?: number;
}

export interface SeedResult {
  readonly helplines: number;
  readonly submissions: number;
  readonly cells: number;
  /** Of `submissions`, the ones found loaded already (a resumed seed). */
  readonly alreadyLoaded: number;
  readonly keys: Record<string, string>;
}

function readKeys(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { helplines?: Record<string, string> }).helplines ?? {};
  } catch {
    return {};
  }
}

/** Writes the file next to its final place, then renames: never a half-written key file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The multi-month upload (ingest/multi-month.ts). */
export const MANY_MONTHS_PATH = '/v1/submissions/batch';

export async function uploadWithRetry(
  baseUrl: string,
  key: string,
  body: SubmissionBody | { months: readonly SubmissionBody[] },
  path = '/v1/submissions',
  attempts = 8,
): Promise<{ status: number; json: unknown }> {
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let json: unknown;
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      status = response.status;
      json = await response.json().catch(() => undefined);
      if (status < 500 && status !== 429) return { status, json };
    } catch {
      status = 0;
    }
    if (attempt >= attempts) return { status, json };
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 8000);
  }
}

export async function seedDemo(deps: SeedDeps): Promise<SeedResult> {
  const helplines = deps.helplines ?? demoHelplines();
  const months = deps.months ?? monthsBetween(FIRST_DEMO_PERIOD, lastFullMonth(deps.now));
  const progress = deps.progress ?? (() => {});

  // 1. Register and keep the keys where a new user finds them, one at a time: a key issued is
  // never lost to a crash.
  const known = readKeys(deps.keysFile);
  const keys: Record<string, string> = { ...known };
  const missing = helplines.filter((h) => !known[h.id]);
  if (deps.registerHelplines && missing.length > 0) {
    // All at once; a crash before the keys file is written leaves helplines without a known key,
    // which the next run gives new keys (registerHelplines / registerHelpline rotate them).
    const issued = await deps.registerHelplines(
      missing.map((h) => ({ id: h.id, name: h.name, country: h.country, region: h.region })),
    );
    for (const [id, key] of issued) keys[id] = key;
  }
  for (const h of deps.registerHelplines ? [] : helplines) {
    const key =
      known[h.id] ?? (await deps.registerHelpline({ id: h.id, name: h.name, country: h.country, region: h.region }));
    if (!key) continue;
    keys[h.id] = key;
    if (!known[h.id]) writeJsonAtomic(deps.keysFile, { admin: deps.adminKey, helplines: keys });
  }
  writeJsonAtomic(deps.keysFile, { admin: deps.adminKey, helplines: keys });
  const loaded = (await deps.loadedMonths?.()) ?? new Set<string>();

  // 2. Upload each helpline's months not loaded yet as multi-month uploads of a year each (as a
  // helpline joining the network sends its history), a few at a time. A month accepted but not loaded
  // before an interruption is sent again: same content, so no new version.
  // Each upload's months are generated when it is sent, not all up front: 2.4 million cells held
  // at once were most of the app's heap during the seed.
  const jobs: { key: string; h: DemoHelpline; periods: string[] }[] = [];
  let alreadyLoaded = 0;
  let alreadyCells = 0;
  let total = 0;
  for (const h of helplines) {
    const key = keys[h.id];
    if (!key) continue;
    const pending: string[] = [];
    for (const period of months) {
      // demoSubmission has no month before the helpline's first (h.since).
      if (period < h.since) continue;
      total++;
      if (loaded.has(`${h.id}|${period}`)) {
        alreadyLoaded++;
        alreadyCells += demoSubmission(h, period)?.cells.length ?? 0;
      } else pending.push(period);
    }
    // One request per helpline-year: few requests, and an interrupted seed resumes with only the
    // years it had not finished (a request per whole history left nothing to resume mid-way).
    const years = new Map<string, string[]>();
    for (const period of pending) {
      const year = period.slice(0, 4);
      years.set(year, [...(years.get(year) ?? []), period]);
    }
    for (const periods of years.values()) jobs.push({ key, h, periods });
  }
  let done = alreadyLoaded;
  /** Months actually sent (a month the generator leaves empty is not a month). */
  let sent = 0;
  let cells = alreadyCells;
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (!job) break;
      const bodies = job.periods.flatMap((p) => demoSubmission(job.h, p) ?? []);
      const { status, json } = await uploadWithRetry(deps.baseUrl, job.key, { months: bodies }, MANY_MONTHS_PATH);
      if (status !== 202 && status !== 200) {
        const span = `${job.periods[0]}…${job.periods.at(-1)}`;
        failures.push(`${job.h.id} ${span}: HTTP ${status} ${JSON.stringify(json).slice(0, 500)}`);
      }
      for (const m of bodies) cells += m.cells.length;
      done += bodies.length;
      sent += bodies.length;
      progress(done, total, 'upload');
    }
  };
  await Promise.all(Array.from({ length: deps.concurrency ?? 4 }, worker));
  if (failures.length > 0) {
    throw new Error(`${failures.length} demo upload(s) failed, e.g.:\n${failures.slice(0, 5).join('\n')}`);
  }

  // 3. Wait until the consumer has loaded everything.
  const expected = alreadyLoaded + sent;
  for (;;) {
    const loaded = await deps.loadedCount();
    progress(Math.min(loaded, expected), expected, 'load');
    if (loaded >= expected) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { helplines: helplines.length, submissions: expected, cells, alreadyLoaded, keys };
}
