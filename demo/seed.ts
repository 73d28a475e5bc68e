/**
 * Seeds the demo data the way helplines would send it: register the helplines, then upload every
 * helpline-month through the real HTTP API (and so through Kafka), then wait until it is loaded.
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

export async function uploadWithRetry(
  baseUrl: string,
  key: string,
  body: SubmissionBody,
  attempts = 8,
): Promise<{ status: number; json: unknown }> {
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let json: unknown;
    try {
      const response = await fetch(`${baseUrl}/v1/submissions`, {
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
  for (const h of helplines) {
    const key =
      known[h.id] ?? (await deps.registerHelpline({ id: h.id, name: h.name, country: h.country, region: h.region }));
    if (!key) continue;
    keys[h.id] = key;
    if (!known[h.id]) writeJsonAtomic(deps.keysFile, { admin: deps.adminKey, helplines: keys });
  }
  writeJsonAtomic(deps.keysFile, { admin: deps.adminKey, helplines: keys });
  const loaded = (await deps.loadedMonths?.()) ?? new Set<string>();

  // 2. Upload every helpline-month through the API, a few at a time.
  const jobs: { key: string; body: SubmissionBody; id: string }[] = [];
  let alreadyLoaded = 0;
  let alreadyCells = 0;
  // Month by month, as helplines submit: parallel uploads then use different keys (each key has
  // its own rate limit).
  for (const period of months) {
    for (const h of helplines) {
      const key = keys[h.id];
      const body = key ? demoSubmission(h, period) : undefined;
      if (!key || !body) continue;
      if (loaded.has(`${h.id}|${period}`)) {
        alreadyLoaded++;
        alreadyCells += body.cells.length;
      } else jobs.push({ key, body, id: h.id });
    }
  }
  const total = jobs.length + alreadyLoaded;
  let done = alreadyLoaded;
  let cells = alreadyCells;
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (!job) break;
      const { status, json } = await uploadWithRetry(deps.baseUrl, job.key, job.body);
      if (status !== 202 && status !== 200)
        failures.push(`${job.id} ${job.body.period}: HTTP ${status} ${JSON.stringify(json)}`);
      cells += job.body.cells.length;
      progress(++done, total, 'upload');
    }
  };
  await Promise.all(Array.from({ length: deps.concurrency ?? 24 }, worker));
  if (failures.length > 0) {
    throw new Error(`${failures.length} demo upload(s) failed, e.g.:\n${failures.slice(0, 5).join('\n')}`);
  }

  // 3. Wait until the consumer has loaded everything.
  const expected = total;
  for (;;) {
    const loaded = await deps.loadedCount();
    progress(Math.min(loaded, expected), expected, 'load');
    if (loaded >= expected) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { helplines: helplines.length, submissions: total, cells, alreadyLoaded, keys };
}
