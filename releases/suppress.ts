/**
 * Cell suppression over all linked tables of a release at once.
 *
 *   1. primary: counts 1…k withheld (k = 5; 10 for sexual violence and OCSEA); also a cell whose
 *      value minus any one helpline's own part is 1…k (that helpline could subtract itself);
 *      also a cell withheld in the previous release, or changed since it by 1…k (differencing)
 *   2. secondary, cheap rules to a fixed point: no relation may leave exactly one cell withheld,
 *      nor let the withheld cells of a relation add up to a derivable 1…k; nor leave exactly one
 *      withheld cell that some audited coalition of helplines does not know exactly
 *   3. secondary, audit-driven (the attacker problems of sdcTable's SIMPLEHEURISTIC): every
 *      attacker of insiders.ts — the public (LP and integer program), each helpline and each
 *      audited pair (LP, integer where narrow) — tries to narrow every withheld cell others
 *      contribute to; where one can, withhold the smallest published cell of a relation through
 *      it that the attacker does not know; repeat until none can
 *   4. the gate's own check and report: every withheld cell's LP and integer range
 */
import { findHarmType, geoLevel, harmLevel, parseReleaseCellKey, timeLevel } from '../domain/index.js';
import { auditIntervals, type Equation, type Interval } from './audit.js';
import type { Cube } from './cube.js';
import { type Coalition, coalitionRelationRules, coveredBy, InsiderAudit, type InsiderFailure } from './insiders.js';

export interface ProtectionParams {
  /** Counts 1…threshold are withheld. */
  readonly threshold: number;
  /** For sexual violence and the OCSEA rollup. */
  readonly sensitiveThreshold: number;
  /** The attacker's range for a withheld cell must be at least this wide. */
  readonly protectionLevel: number;
}

export const DEFAULT_PROTECTION: ProtectionParams = { threshold: 5, sensitiveThreshold: 10, protectionLevel: 5 };

export interface PreviousRelease {
  readonly withheld: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, number>;
  /** helpline → the months it submitted anew since that release (its corrections and late months). */
  readonly changed?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface AuditedCell {
  readonly key: string;
  readonly value: number;
  readonly reason: 'primary' | 'insider' | 'revision' | 'carried' | 'secondary' | 'insider-secondary' | 'coarsened';
  readonly lp: Interval;
  readonly ip: Interval;
}

export interface SuppressionResult {
  readonly withheld: Map<string, AuditedCell['reason']>;
  readonly audit: AuditedCell[];
  readonly rounds: number;
  readonly passed: boolean;
  readonly failures: string[];
  /** Breakdowns withheld whole for insider protection. */
  readonly coarsened: readonly CoarsenedUnit[];
  /** The attackers audited (the public, helplines, pairs) and the LP and integer solves it took. */
  readonly insiders: { readonly coalitions: readonly Coalition[]; readonly solves: number };
}

export function thresholdFor(key: string, p: ProtectionParams): number {
  const { harm } = parseReleaseCellKey(key);
  const sensitive = harm === 'ocsea' || findHarmType(harm)?.sensitive === true;
  return sensitive ? p.sensitiveThreshold : p.threshold;
}

const small = (n: number, k: number) => n >= 1 && n <= k;

export function primarySuppression(cube: Cube, p: ProtectionParams, previous?: PreviousRelease) {
  const withheld = new Map<string, AuditedCell['reason']>();
  for (const [key, cell] of cube.cells) {
    const k = thresholdFor(key, p);
    if (small(cell.value, k)) withheld.set(key, 'primary');
    else if (
      cell.contributions.size >= 2 &&
      [...cell.contributions.values()].some((own) => small(cell.value - own, k))
    ) {
      withheld.set(key, 'insider');
    } else if (previous?.withheld.has(key)) withheld.set(key, 'carried');
    else {
      const before = previous?.values.get(key);
      if (before !== undefined && small(Math.abs(cell.value - before), k)) withheld.set(key, 'revision');
    }
  }
  return withheld;
}

/** Step 2: relation rules to a fixed point. */
function relationRules(cube: Cube, withheld: Map<string, AuditedCell['reason']>, p: ProtectionParams): void {
  const value = (k: string) => cube.cells.get(k)?.value ?? 0;
  const pickComplement = (members: readonly string[]) =>
    members
      .filter((m) => !withheld.has(m))
      .sort(
        (a, b) => (value(a) === 0 ? 1 : 0) - (value(b) === 0 ? 1 : 0) || value(a) - value(b) || a.localeCompare(b),
      )[0];
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of cube.relations) {
      const members = [r.parent, ...r.children];
      const hidden = members.filter((m) => withheld.has(m));
      if (hidden.length === 0) continue;
      const hiddenChildren = r.children.filter((c) => withheld.has(c));
      const derivableSum = !withheld.has(r.parent) ? hiddenChildren.reduce((s, c) => s + value(c), 0) : undefined;
      const exposed =
        hidden.length === 1 ||
        (derivableSum !== undefined &&
          hiddenChildren.length >= 2 &&
          small(derivableSum, Math.max(...hiddenChildren.map((c) => thresholdFor(c, p)))));
      if (!exposed) continue;
      const complement = pickComplement(members);
      if (complement) {
        withheld.set(complement, 'secondary');
        changed = true;
      }
    }
  }
}

/** The attacker's equations, over the withheld cells only. */
export function attackerSystem(cube: Cube, withheld: ReadonlySet<string>, lowerOf?: (key: string) => number) {
  const keys = [...withheld].sort();
  const index = new Map(keys.map((k, i) => [k, i]));
  const value = (k: string) => cube.cells.get(k)?.value ?? 0;
  const equations: Equation[] = [];
  for (const r of cube.relations) {
    const hiddenChildren = r.children.filter((c) => withheld.has(c));
    const parentHidden = withheld.has(r.parent);
    if (hiddenChildren.length === 0 && !parentHidden) continue;
    const publishedChildren = r.children.filter((c) => !withheld.has(c)).reduce((s, c) => s + value(c), 0);
    const vars = hiddenChildren.map((c) => index.get(c) as number);
    if (parentHidden) equations.push({ vars, parent: index.get(r.parent) as number, rhs: -publishedChildren });
    else equations.push({ vars, rhs: value(r.parent) - publishedChildren });
  }
  const lower = lowerOf ? keys.map(lowerOf) : undefined;
  return { keys, equations, ...(lower ? { lower } : {}) };
}

export function narrow(interval: Interval, p: ProtectionParams): boolean {
  return interval.high - interval.low < p.protectionLevel - 1e-6;
}

const relationIndex = new WeakMap<Cube, ReadonlyMap<string, readonly Cube['relations'][number][]>>();
/** cell → the relations it is a member of (built once per cube: every round's widening asks). */
function relationsThrough(cube: Cube): ReadonlyMap<string, readonly Cube['relations'][number][]> {
  let index = relationIndex.get(cube);
  if (!index) {
    const built = new Map<string, Cube['relations'][number][]>();
    for (const r of cube.relations) {
      for (const m of [r.parent, ...r.children]) {
        const list = built.get(m);
        if (list) list.push(r);
        else built.set(m, [r]);
      }
    }
    index = built;
    relationIndex.set(cube, index);
  }
  return index;
}

/** Step 3/4: add a complement next to every cell the attacker can narrow. */
function widen(
  cube: Cube,
  withheld: Map<string, AuditedCell['reason']>,
  failing: readonly string[],
  insider?: ReadonlyMap<string, readonly string[]>,
  reason: AuditedCell['reason'] = 'secondary',
  knownBefore: (key: string, members: readonly string[]) => boolean = () => false,
): number {
  const value = (k: string) => cube.cells.get(k)?.value ?? 0;
  // Against an insider, a complement only helps if others contribute to it.
  const othersIn = (k: string, h: readonly string[] | undefined) => {
    const cell = cube.cells.get(k);
    let own = 0;
    for (const m of h ?? []) own += cell?.contributions.get(m) ?? 0;
    return value(k) - own;
  };
  let added = 0;
  const relationsOf = relationsThrough(cube);
  // Against an insider, a total of all harms (a country's, region's or the world's year or month)
  // is the last resort: withholding one takes its months or countries with it.
  const isTotal = (k: string) => {
    const { harm, dim } = parseReleaseCellKey(k);
    return harm === 'all' && dim === 'all';
  };
  const search = (key: string, h: readonly string[] | undefined, totals: boolean): string | undefined => {
    // Nearest first: the relations through the cell, then through the withheld cells they reach.
    let frontier = [key];
    const visited = new Set(frontier);
    for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
      const members = frontier.flatMap((k) => (relationsOf.get(k) ?? []).flatMap((r) => [r.parent, ...r.children]));
      const pick = members
        .filter((m) => !withheld.has(m) && othersIn(m, h) > 0 && (totals || !isTotal(m)) && !(h && knownBefore(m, h)))
        .sort((a, b) => othersIn(a, h) - othersIn(b, h) || value(a) - value(b) || a.localeCompare(b))[0];
      if (pick) return pick;
      frontier = [...new Set(members.filter((m) => withheld.has(m) && !visited.has(m)))];
      for (const m of frontier) visited.add(m);
    }
    return undefined;
  };
  for (const key of failing) {
    const h = insider?.get(key);
    const pick = (h ? search(key, h, false) : undefined) ?? search(key, h, true);
    if (!pick) continue;
    withheld.set(pick, reason);
    added++;
  }
  return added;
}

/** A unit published only in coarser form, for insider protection. */
export interface CoarsenedUnit {
  /** e.g. 'NP × harm group and OCSEA × 2013', 'africa × harm group and OCSEA × 2013-01'. */
  readonly unit: string;
  readonly cells: readonly string[];
  readonly why: string;
}

/**
 * Coarsening: where more than half of a country's harm breakdown for a year (T1, T6a), or of a
 * region's or the world's harm breakdown for a month (T4, T6b), is withheld, some of it so that
 * a helpline learns no other's, the whole breakdown is withheld: the country is then published
 * only within its region (and as its total), the month only within its year (and as its total).
 */
function coarsen(cube: Cube, withheld: Map<string, AuditedCell['reason']>): CoarsenedUnit[] {
  const units = new Map<string, string[]>();
  for (const key of cube.cells.keys()) {
    const { geo, harm, time, dim } = parseReleaseCellKey(key);
    if (dim !== 'all' || harm === 'all' || harmLevel(harm) === 'type') continue;
    const country = geoLevel(geo) === 'country';
    if (country !== (timeLevel(time) === 'year')) continue;
    const unit = `${geo}|${time}`;
    units.set(unit, [...(units.get(unit) ?? []), key]);
  }
  const out: CoarsenedUnit[] = [];
  for (const [unit, cells] of units) {
    const hidden = cells.filter((k) => withheld.has(k));
    if (hidden.length * 2 <= cells.length || hidden.length === cells.length) continue;
    if (!hidden.some((k) => withheld.get(k) === 'insider-secondary')) continue;
    const [geo = '', time = ''] = unit.split('|');
    for (const k of cells) if (!withheld.has(k)) withheld.set(k, 'coarsened');
    const country = geoLevel(geo) === 'country';
    out.push({
      unit: `${geo} × harm group and OCSEA × ${time}`,
      cells,
      why: country
        ? `more than half of it was withheld, some so that a helpline knowing its own figures learns no other's: ${geo} is published for ${time} only within ${cube.regionOf.get(geo) ?? 'its region'} and as its total`
        : `more than half of it was withheld, some so that a helpline knowing its own figures learns no other's: ${geo}'s harm breakdown for ${time} is published only within ${time.slice(0, 4)} and as the month's total`,
    });
  }
  return out;
}

export async function protect(
  cube: Cube,
  p: ProtectionParams,
  previous?: PreviousRelease,
  maxRounds = 200,
): Promise<SuppressionResult> {
  // 1–2.
  const withheld = primarySuppression(cube, p, previous);
  const covered = coveredBy(cube);
  const rules = () => {
    for (let more = true; more; ) {
      relationRules(cube, withheld, p);
      const added = coalitionRelationRules(cube, new Set(withheld.keys()), covered);
      for (const key of added) withheld.set(key, 'insider-secondary');
      more = added.length > 0;
    }
  };
  rules();
  // The manifest lists the cells withheld for insiders, so everyone knows each is no small count
  // (it was published before it was chosen): every attacker is given that.
  const floorOf = (key: string) => (withheld.get(key) === 'insider-secondary' ? thresholdFor(key, p) + 1 : 0);
  // 3–4. Withholding a cell only removes what any attacker knows, so ranges never shrink as the
  // pattern grows: what passed stays passed, and each round checks what failed and what is new.
  const attackers = new InsiderAudit(cube, p.protectionLevel, undefined, previous);
  let rounds = 0;
  let failing: InsiderFailure[] = [];
  const coarsened: CoarsenedUnit[] = [];
  while (rounds < maxRounds) {
    rounds++;
    const system = attackerSystem(cube, new Set(withheld.keys()));
    failing = await attackers.failures(new Set(withheld.keys()), system.equations, system.keys, floorOf);
    if (failing.length === 0) {
      const more = coarsen(cube, withheld);
      if (more.length === 0) break;
      coarsened.push(...more);
      rules();
      continue;
    }
    // One complement per attacker and block a round: one leak often shows in several cells, and
    // the next round re-checks them all against the wider pattern.
    const against = new Map<string, readonly string[]>();
    const seen = new Set<string>();
    for (const f of failing) {
      // (Against the public, as before: a complement for every cell it narrows.)
      const where = f.coalition.members.length === 0 ? f.key : `${f.coalition.id}|${f.block}`;
      if (seen.has(where) || against.has(f.key)) continue;
      seen.add(where);
      against.set(f.key, f.coalition.members);
    }
    const outsider = [...against].filter(([, m]) => m.length === 0).map(([k]) => k);
    const insider = new Map([...against].filter(([, m]) => m.length > 0));
    const added =
      widen(cube, withheld, outsider) +
      widen(cube, withheld, [...insider.keys()], insider, 'insider-secondary', (key, members) =>
        attackers.knowsFromPrevious(key, members),
      );
    if (added === 0) break;
    rules();
  }
  // 5. The gate's own check, and the report: every withheld cell's LP and integer range.
  const final = attackerSystem(cube, new Set(withheld.keys()));
  const lp: Interval[] = [];
  const ip = await auditIntervals(final.keys.length, final.equations, {
    integer: true,
    lpOut: lp,
    lower: final.keys.map(floorOf),
  });
  const failures: string[] = failing.map((f) => `${f.key} (${f.coalition.id})`);
  const audit = final.keys.map((key, i): AuditedCell => {
    const l = lp[i] ?? { low: 0, high: 0 };
    const n = ip[i] ?? { low: 0, high: 0 };
    if (narrow(l, p) || narrow(n, p)) failures.push(key);
    return { key, value: cube.cells.get(key)?.value ?? 0, reason: withheld.get(key) ?? 'secondary', lp: l, ip: n };
  });
  return {
    withheld,
    audit,
    rounds,
    passed: failures.length === 0,
    failures,
    coarsened,
    insiders: { coalitions: attackers.audited, solves: attackers.solves },
  };
}
