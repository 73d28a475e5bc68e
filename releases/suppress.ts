/**
 * Cell suppression over all linked tables of a release at once.
 *
 *   1. primary: counts 1…k withheld (k = 5; 10 for sexual violence and OCSEA); also a cell whose
 *      value minus any one helpline's own part is 1…k (that helpline could subtract itself);
 *      also a cell withheld in the previous release, or changed since it by 1…k (differencing)
 *   2. secondary, cheap rules to a fixed point: no relation may leave exactly one cell withheld,
 *      nor let the withheld cells of a relation add up to a derivable 1…k
 *   3. secondary, audit-driven (the attacker problems of sdcTable's SIMPLEHEURISTIC): solve the
 *      attacker's LP for every withheld cell; where a range is narrower than the protection level
 *      or pins the value, withhold the smallest published cell of a relation through it; repeat
 *   4. the same with integer variables (an integer attacker can be sharper than the LP)
 *   5. the same for each helpline as an insider who knows its own cells (LP); back to 3 if it widened
 */
import { findHarmType, parseReleaseCellKey } from '../domain/index.js';
import { auditIntervals, blocks, type Equation, type Interval } from './audit.js';
import type { Cube } from './cube.js';

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
}

export interface AuditedCell {
  readonly key: string;
  readonly value: number;
  readonly reason: 'primary' | 'insider' | 'revision' | 'carried' | 'secondary';
  readonly lp: Interval;
  readonly ip: Interval;
}

export interface SuppressionResult {
  readonly withheld: Map<string, AuditedCell['reason']>;
  readonly audit: AuditedCell[];
  readonly rounds: number;
  readonly passed: boolean;
  readonly failures: string[];
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

/**
 * Step 5: insiders. A helpline knows its own part of every cell (and the whole of cells only it
 * contributes to); where a withheld cell also holds others' cases, their part must stay as wide
 * as the protection level.
 */
export async function insiderFailures(
  cube: Cube,
  withheld: ReadonlySet<string>,
  p: ProtectionParams,
  store: Map<string, Interval[]> = new Map(),
): Promise<{ key: string; helpline: string }[]> {
  const system = attackerSystem(cube, withheld);
  const cells = system.keys.map((k) => cube.cells.get(k));
  const blockOf = new Map<number, number>();
  blocks(system.keys.length, system.equations).forEach((b, id) => {
    for (const v of b) blockOf.set(v, id);
  });
  const insiders = new Set<string>();
  for (const c of cells) for (const h of c?.contributions.keys() ?? []) insiders.add(h);
  const failing: { key: string; helpline: string }[] = [];
  for (const h of [...insiders].sort()) {
    // Its knowledge only matters in blocks holding cells it contributes to; there, every withheld
    // cell whose others' part is a small count must keep a wide range — its own or not.
    const known = new Set<number>();
    cells.forEach((c, i) => {
      if (c?.contributions.has(h)) known.add(blockOf.get(i) ?? -1);
    });
    const only = new Set<number>();
    cells.forEach((c, i) => {
      const others = c ? c.value - (c.contributions.get(h) ?? 0) : 0;
      if (known.has(blockOf.get(i) ?? -2) && others >= 1 && others <= thresholdFor(system.keys[i] ?? '', p))
        only.add(i);
    });
    if (only.size === 0) continue;
    const lower = cells.map((c) => c?.contributions.get(h) ?? 0);
    const upper = cells.map((c) =>
      c && c.contributions.size === 1 && c.contributions.has(h) ? c.value : Number.POSITIVE_INFINITY,
    );
    const intervals = await auditIntervals(system.keys.length, system.equations, {
      integer: false,
      lower,
      upper,
      only,
      memo: { names: system.keys, store },
    });
    for (const i of only) {
      if (narrow(intervals[i] ?? { low: 0, high: 0 }, p)) failing.push({ key: system.keys[i] ?? '', helpline: h });
    }
  }
  return failing;
}

/** Step 3/4: add a complement next to every cell the attacker can narrow. */
function widen(
  cube: Cube,
  withheld: Map<string, AuditedCell['reason']>,
  failing: readonly string[],
  insider?: ReadonlyMap<string, string>,
): number {
  const value = (k: string) => cube.cells.get(k)?.value ?? 0;
  // Against an insider, a complement only helps if others contribute to it.
  const othersIn = (k: string, h: string | undefined) =>
    h ? value(k) - (cube.cells.get(k)?.contributions.get(h) ?? 0) : value(k);
  let added = 0;
  const relationsOf = new Map<string, Cube['relations'][number][]>();
  for (const r of cube.relations) {
    for (const m of [r.parent, ...r.children]) {
      const list = relationsOf.get(m);
      if (list) list.push(r);
      else relationsOf.set(m, [r]);
    }
  }
  for (const key of failing) {
    const h = insider?.get(key);
    // Nearest first: the relations through the cell, then through the withheld cells they reach.
    let frontier = [key];
    const visited = new Set(frontier);
    for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
      const members = frontier.flatMap((k) => (relationsOf.get(k) ?? []).flatMap((r) => [r.parent, ...r.children]));
      const options = members
        .filter((m) => !withheld.has(m) && othersIn(m, h) > 0)
        .sort((a, b) => othersIn(a, h) - othersIn(b, h) || value(a) - value(b) || a.localeCompare(b));
      const pick = options[0];
      if (pick) {
        withheld.set(pick, 'secondary');
        added++;
        break;
      }
      frontier = [...new Set(members.filter((m) => withheld.has(m) && !visited.has(m)))];
      for (const m of frontier) visited.add(m);
    }
  }
  return added;
}

export async function protect(
  cube: Cube,
  p: ProtectionParams,
  previous?: PreviousRelease,
  maxRounds = 60,
): Promise<SuppressionResult> {
  // 1–2.
  const withheld = primarySuppression(cube, p, previous);
  relationRules(cube, withheld, p);
  // 3–4.
  let rounds = 0;
  let lp: Interval[] = [];
  let ip: Interval[] = [];
  let insiderFailing: string[] = [];
  const store = new Map<string, Interval[]>();
  // Withholding a cell only removes what the attacker knows, so ranges never shrink as the
  // pattern grows: a cell that passed stays passed, and each round re-checks only the cells
  // that failed and the ones just added.
  for (let pass = 0; pass < 50 && rounds < maxRounds; pass++) {
    // 3. LP attacker until every withheld cell passes.
    let pending = new Set(withheld.keys());
    while (pending.size > 0 && rounds < maxRounds) {
      rounds++;
      const system = attackerSystem(cube, new Set(withheld.keys()));
      const only = new Set(system.keys.flatMap((k, i) => (pending.has(k) ? [i] : [])));
      const intervals = await auditIntervals(system.keys.length, system.equations, { integer: false, only });
      const failing = system.keys.filter((_, i) => only.has(i) && narrow(intervals[i] ?? { low: 0, high: 0 }, p));
      if (failing.length === 0) break;
      const before = new Set(withheld.keys());
      if (widen(cube, withheld, failing) === 0) break;
      relationRules(cube, withheld, p);
      pending = new Set([...failing, ...[...withheld.keys()].filter((k) => !before.has(k))]);
    }
    // 5. Insiders (LP), then 4. the integer attacker over everything.
    const insiders = await insiderFailures(cube, new Set(withheld.keys()), p, store);
    insiderFailing = [...new Set(insiders.map((f) => f.key))];
    if (insiders.length > 0) {
      if (widen(cube, withheld, insiderFailing, new Map(insiders.map((f) => [f.key, f.helpline]))) === 0) break;
      relationRules(cube, withheld, p);
      continue;
    }
    rounds++;
    const system = attackerSystem(cube, new Set(withheld.keys()));
    ip = await auditIntervals(system.keys.length, system.equations, {
      integer: true,
      memo: { names: system.keys, store },
    });
    const failing = system.keys.filter((_, i) => narrow(ip[i] ?? { low: 0, high: 0 }, p));
    if (failing.length === 0) break;
    if (widen(cube, withheld, failing) === 0) break;
    relationRules(cube, withheld, p);
  }
  // The final pattern's LP intervals (the integer loop may have added cells).
  const final = attackerSystem(cube, new Set(withheld.keys()));
  if (final.keys.length !== lp.length)
    lp = await auditIntervals(final.keys.length, final.equations, { integer: false });
  if (final.keys.length !== ip.length) ip = await auditIntervals(final.keys.length, final.equations, { integer: true });
  const failures: string[] = [...insiderFailing];
  const audit = final.keys.map((key, i): AuditedCell => {
    const l = lp[i] ?? { low: 0, high: 0 };
    const n = ip[i] ?? { low: 0, high: 0 };
    if (narrow(l, p) || narrow(n, p)) failures.push(key);
    return { key, value: cube.cells.get(key)?.value ?? 0, reason: withheld.get(key) ?? 'secondary', lp: l, ip: n };
  });
  return { withheld, audit, rounds, passed: failures.length === 0, failures };
}
