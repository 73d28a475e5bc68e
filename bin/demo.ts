/**
 * The demo on `npm start`: the seed, resumed at every start until it has completed once, then the
 * first protected release (only for the demo: in production the secretariat decides).
 *
 *   seed state (warehouse meta `demo_seed`):
 *     none, warehouse empty (or an older demo's keys file) → start   'started' → resume
 *     'complete' → nothing to seed                                   none, other data → never
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Logger } from 'pino';
import {
  demoHelplines,
  FIRST_DEMO_PERIOD,
  lastFullMonth,
  monthsBetween,
  seedDemo,
  writeJsonAtomic,
} from '../demo/index.js';
import type { Runtime } from './runtime.js';

type SeedState = 'started' | 'complete';

async function readState(runtime: Runtime): Promise<SeedState | undefined> {
  const rows = await runtime.warehouse.db.all<{ value: string }>("SELECT value FROM meta WHERE key = 'demo_seed'");
  const value = rows[0]?.value;
  return value === 'started' || value === 'complete' ? value : undefined;
}

async function writeState(runtime: Runtime, state: SeedState): Promise<void> {
  await runtime.warehouse.db.transaction((tx) =>
    tx.run(
      `INSERT INTO meta (key, value) VALUES ('demo_seed', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [state],
    ),
  );
}

function hasDemoKeys(keysFile: string): boolean {
  if (!existsSync(keysFile)) return false;
  try {
    const saved = JSON.parse(readFileSync(keysFile, 'utf8')) as { helplines?: Record<string, string> };
    return Object.keys(saved.helplines ?? {}).length > 0;
  } catch {
    return false;
  }
}

export interface DemoOptions {
  readonly runtime: Runtime;
  readonly keysFile: string;
  readonly adminKey: string;
  readonly logger: Logger;
  readonly say: (line: string) => void;
  readonly helplines?: number;
  readonly from?: string;
}

/** Seeds (or resumes seeding) when the demo is not complete yet. False: the seed stopped early. */
export async function seedIfNeeded(options: DemoOptions): Promise<boolean> {
  const { runtime, say, logger } = options;
  const registry = runtime.warehouse.registry;
  const state = await readState(runtime);
  if (state === 'complete') return true;
  const fresh = (await registry.countHelplines()) === 0;
  // A data folder with other data and no seed record is never seeded into.
  if (state === undefined && !fresh && !hasDemoKeys(options.keysFile)) return true;
  const resuming = state === 'started' || !fresh;
  await writeState(runtime, 'started');
  say(
    resuming
      ? 'Resuming the demo seed (an earlier start was interrupted); months already loaded are skipped…'
      : 'Seeding demo data through the upload API (first start; resumed if interrupted)…',
  );
  const bar = new SingleBar({
    format: ' {phase} [{bar}] {percentage}% | {value}/{total} helpline-months | {eta_formatted} left',
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: true,
  });
  let phase = '';
  const now = new Date();
  try {
    const result = await seedDemo({
      baseUrl: runtime.url,
      registerHelpline: async (h) =>
        (await registry.findHelpline(h.id))
          ? // Registered by an interrupted seed whose key was never written down: a new key.
            (await registry.rotateKey(h.id, now, 0)).key
          : (await registry.addHelpline(h, now)).key,
      registerHelplines: async (hs) => {
        const found = await Promise.all(hs.map((h) => registry.findHelpline(h.id)));
        const keys = await registry.addHelplines(
          hs.filter((_, i) => !found[i]),
          now,
        );
        for (const [i, h] of hs.entries()) if (found[i]) keys.set(h.id, (await registry.rotateKey(h.id, now, 0)).key);
        return keys;
      },
      loadedMonths: async () => {
        const rows = await runtime.warehouse.db.all<{ k: string }>(
          "SELECT helpline_id || '|' || period AS k FROM current_versions",
        );
        return new Set(rows.map((r) => r.k));
      },
      loadedCount: () => runtime.warehouse.helplineMonths(),
      keysFile: options.keysFile,
      adminKey: options.adminKey,
      now,
      ...(options.helplines ? { helplines: demoHelplines().slice(0, options.helplines) } : {}),
      ...(options.from ? { months: monthsBetween(options.from ?? FIRST_DEMO_PERIOD, lastFullMonth(now)) } : {}),
      progress: (done, total, p) => {
        if (p !== phase) {
          if (phase) bar.stop();
          phase = p;
          bar.start(total, done, { phase: p.padEnd(6) });
        }
        bar.update(done, { phase: p.padEnd(6) });
      },
    });
    bar.stop();
    await writeState(runtime, 'complete');
    logger.info({ ...result, keys: undefined }, 'demo seed complete');
    say(
      `Seeded ${result.helplines} helplines, ${result.submissions} helpline-months, ${result.cells} cells` +
        (result.alreadyLoaded > 0 ? ` (${result.alreadyLoaded} of them loaded before the interruption).` : '.'),
    );
    return true;
  } catch (error) {
    bar.stop();
    logger.error({ err: error }, 'demo seed stopped');
    say(`The demo seed stopped: ${(error as Error).message}\nIt resumes at the next start.`);
    return false;
  }
}

/** A fresh demo shows charts: the first protected release, if there is none yet. */
export async function publishFirstRelease(runtime: Runtime, say: (line: string) => void): Promise<void> {
  const { releases } = runtime.warehouse;
  if ((await releases.list()).length > 0 || (await runtime.warehouse.helplineMonths()) === 0) return;
  say('Publishing the first protected release (suppression + audit)…');
  const manifest = await releases.publish({ now: new Date(), codeVersion: 'helpline-analytics', baseUrl: runtime.url });
  say(
    `Release ${manifest.id}: ${manifest.cells} cells, ${manifest.withheld.total} withheld (${manifest.withheld.secondary} to protect others), audit passed.`,
  );
  const exported = await runtime.jobs.run('export', { args: { release: manifest.id } });
  say(`Release ${manifest.id} exported (Parquet, Arrow, CSV, HXL): ${exported.outcome}.`);
}

export interface DemoUsers {
  readonly helpline: { readonly username: string; readonly password: string; readonly helplineId: string };
  readonly secretariat: { readonly username: string; readonly password: string };
}

/**
 * One helpline officer and one secretariat user for the demo, written to the keys file under
 * "users" (the demo's own throwaway passwords). Checked at every start: a user missing from the
 * warehouse is created, a password that no longer matches (or was never kept) is set anew.
 */
export async function ensureDemoUsers(runtime: Runtime, keysFile: string): Promise<DemoUsers | undefined> {
  const { people } = runtime.portal;
  const helplineId = (await runtime.warehouse.registry.listHelplines())[0]?.id;
  if (!helplineId) return undefined;
  const saved = existsSync(keysFile) ? (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, unknown>) : {};
  const known = (saved.users ?? {}) as Partial<Record<'helpline' | 'secretariat', { password?: string }>>;
  const now = new Date();
  const ready = async (
    username: string,
    role: 'officer' | 'secretariat',
    password: string | undefined,
    id?: string,
  ) => {
    const pw = password ?? randomBytes(12).toString('base64url');
    const existing = await people.find(username);
    if (existing && password && (await people.verify(username, password))) return pw;
    const link = existing
      ? await people.resetLink(username, now)
      : await people.add(
          {
            username,
            name: role === 'secretariat' ? 'Demo secretariat' : 'Demo data officer',
            role,
            ...(id ? { helplineId: id } : {}),
          },
          now,
          'demo',
        );
    await people.setPassword(link.token, pw, now);
    return pw;
  };
  const users: DemoUsers = {
    helpline: {
      username: 'demo-officer',
      password: await ready('demo-officer', 'officer', known.helpline?.password, helplineId),
      helplineId,
    },
    secretariat: {
      username: 'demo-secretariat',
      password: await ready('demo-secretariat', 'secretariat', known.secretariat?.password),
    },
  };
  writeJsonAtomic(keysFile, { ...saved, users });
  return users;
}
