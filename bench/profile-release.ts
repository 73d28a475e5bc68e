/**
 * `npx tsx bench/profile-release.ts [warehouse.duckdb]` (with `node --cpu-prof --import tsx` to
 * profile): one suppression release of the demo warehouse, and where its time goes. Works on a
 * copy of the warehouse (default /work/scratch/base.duckdb, or $RELEASE_WAREHOUSE), never on it.
 *
 *   split    the steps on this thread, timed: cube build, primary suppression and the relation
 *            rules, each audit round (the public, the insiders), the final gate
 *   publish  the release as the app publishes it (worker thread, store): wall and CPU time
 *
 * `--only=split` or `--only=publish` runs one of them.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCube } from '../releases/cube.js';
import { withReleases } from '../releases/index.js';
import { InsiderAudit } from '../releases/insiders.js';
import { releaseSpanAndId } from '../releases/publish.js';
import { DEFAULT_PROTECTION, primarySuppression, protect } from '../releases/suppress.js';
import { openWarehouse } from '../warehouse/index.js';

const source =
  process.argv.find((a) => a.endsWith('.duckdb')) ?? process.env.RELEASE_WAREHOUSE ?? '/work/scratch/base.duckdb';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const now = new Date('2026-12-15T10:00:00Z');
const say = (line: string) => process.stdout.write(`${line}\n`);
const ms = (n: number) => `${(n / 1000).toFixed(2)} s`;
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const work = mkdtempSync(join(tmpdir(), 'helpline-release-profile-'));
const copy = join(work, 'warehouse.duckdb');
copyFileSync(source, copy);
const wh = withReleases(await openWarehouse(copy));
try {
  if (only !== 'publish') {
    say('— split (this thread)');
    const t0 = performance.now();
    const c0 = cpuNow();
    const span = await releaseSpanAndId(wh.db, now);
    const cube = await wh.db.snapshot((reader) => buildCube(reader, { from: span.from, to: span.to }));
    const tCube = performance.now() - t0;
    say(
      `cube build         ${ms(tCube)} wall, ${ms(cpuNow() - c0)} CPU  (${cube.cells.size} cells, ${cube.relations.length} relations)`,
    );
    const tp = performance.now();
    const primary = primarySuppression(cube, DEFAULT_PROTECTION);
    say(`primary            ${ms(performance.now() - tp)}  (${primary.size} cells)`);
    // Timing hooks on the audit's methods (their behaviour unchanged).
    const proto = InsiderAudit.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const rounds: { publicMs: number; insiderMs: number; insiderCpu: number; failures: number }[] = [];
    let current = { publicMs: 0, insiderMs: 0, insiderCpu: 0, failures: 0 };
    const failures = proto.failures as (...args: unknown[]) => Promise<unknown[]>;
    proto.failures = async function (this: unknown, ...args: unknown[]) {
      current = { publicMs: 0, insiderMs: 0, insiderCpu: 0, failures: 0 };
      const out = await failures.apply(this, args);
      current.failures = out.length;
      rounds.push(current);
      return out;
    };
    const audit = proto.audit as (...args: unknown[]) => unknown[];
    proto.audit = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      const c = cpuNow();
      const out = audit.apply(this, args);
      const coalition = args[0] as { members: readonly string[] };
      if (coalition.members.length === 0) current.publicMs += performance.now() - t;
      else {
        current.insiderMs += performance.now() - t;
        current.insiderCpu += cpuNow() - c;
      }
      return out;
    };
    const tProtect = performance.now();
    const cpuProtect = cpuNow();
    const result = await protect(cube, DEFAULT_PROTECTION);
    const protectMs = performance.now() - tProtect;
    const protectCpu = cpuNow() - cpuProtect;
    proto.failures = failures;
    proto.audit = audit;
    const publicMs = rounds.reduce((s, r) => s + r.publicMs, 0);
    const insiderMs = rounds.reduce((s, r) => s + r.insiderMs, 0);
    const insiderCpu = rounds.reduce((s, r) => s + r.insiderCpu, 0);
    say(`protect            ${ms(protectMs)} wall, ${ms(protectCpu)} CPU, ${result.rounds} rounds`);
    say(`  public audit     ${ms(publicMs)}`);
    say(`  insider audit    ${ms(insiderMs)} wall, ${ms(insiderCpu)} CPU`);
    say(`  rules, widening, coarsening, round set-up and the final gate  ${ms(protectMs - publicMs - insiderMs)}`);
    for (const [i, r] of rounds.entries())
      say(`  round ${i + 1}: public ${ms(r.publicMs)}, insiders ${ms(r.insiderMs)}, ${r.failures} failures`);
    const byReason: Record<string, number> = {};
    for (const reason of result.withheld.values()) byReason[reason] = (byReason[reason] ?? 0) + 1;
    say(
      `withheld           ${result.withheld.size} of ${cube.cells.size} (published ${(100 - (100 * result.withheld.size) / cube.cells.size).toFixed(2)}%), ${JSON.stringify(byReason)}`,
    );
    say(`passed ${result.passed}, solves ${result.insiders.solves}, coarsened units ${result.coarsened.length}`);
  }
  if (only !== 'split') {
    say('— publish (as the app does: worker thread, store)');
    const t = performance.now();
    const cpu = cpuNow();
    const manifest = await wh.releases.publish({ now, codeVersion: 'bench' });
    say(`publish            ${ms(performance.now() - t)} wall, ${ms(cpuNow() - cpu)} CPU (all threads)`);
    say(
      `release ${manifest.id}: ${manifest.withheld.total} of ${manifest.cells} withheld, rounds ${manifest.audit.rounds}, ${JSON.stringify(manifest.withheld.byReason)}`,
    );
  }
} finally {
  wh.close();
  rmSync(work, { recursive: true, force: true });
}
