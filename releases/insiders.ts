/**
 * The insider audit. An insider is a helpline — or two sharing what they know — that reads the
 * public endpoints and knows its own submissions. So it knows
 *   - its own part of every cell (a lower bound), and
 *   - all of a cell nobody else can have contributed to, as the public can tell: who reported
 *     which month is public (/v1/completeness), and a published 0 for a country-month, a
 *     country-year, or a country's harm group or OCSEA in a year says that country had none there.
 *     Its country's cells when it is the country's only helpline; its region's (and, through the
 *     world totals, others') cells in a month when its country is the only one reporting there.
 * The public itself is the empty coalition: it knows a cell is 0 where nobody can have
 * contributed. For every withheld cell others may have contributed to, the coalition's range
 * must be at least the protection level wide: by LP, then by integer program where the LP range
 * is under twice the protection level.
 *
 * Audited: the public; every helpline; every pair of helplines of one region (the helplines of
 * one country are such a pair); the helplines of a country with more than two, together.
 *
 * Cost. A coalition's problem differs from the outsider's only in its bounds, so a solution of
 * anyone's problem is a direction d (solution − truth, with A·d = 0) that another coalition can
 * follow as far as its own bounds allow: truth + λ·d is one of its solutions for every λ up to
 * the first cell that would fall below the coalition's own part, or any move of a cell it knows
 * exactly. Two such solutions bound a range from inside, so most (coalition, cell) pairs pass on
 * directions found earlier; only the rest are solved, and their solutions join the pool.
 */
import type { Highs } from 'highs';
import { harmLevel, parseReleaseCellKey, ROLLUPS, timeLevel } from '../domain/index.js';
import { blockMatrix, blocks, type Equation, equalityModel, loadHighs } from './audit.js';
import type { Cube } from './cube.js';
import type { PreviousRelease } from './suppress.js';

export interface Coalition {
  /** 'public', a helpline id, or ids joined by '+'. */
  readonly id: string;
  readonly members: readonly string[];
}

export interface InsiderFailure {
  readonly key: string;
  readonly coalition: Coalition;
  readonly low: number;
  readonly high: number;
  /** The independent block of withheld cells it lies in (this round's numbering). */
  readonly block: number;
}

/** The attackers audited: the public, each helpline, each pair in one region, each country's helplines. */
export function auditedCoalitions(cube: Pick<Cube, 'reporters'>): Coalition[] {
  const ids = [...cube.reporters].sort((a, b) => a.id.localeCompare(b.id));
  const out: Coalition[] = [{ id: 'public', members: [] }, ...ids.map((h) => ({ id: h.id, members: [h.id] }))];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i];
      const b = ids[j];
      if (a && b && a.region === b.region) out.push({ id: `${a.id}+${b.id}`, members: [a.id, b.id] });
    }
  const byCountry = new Map<string, string[]>();
  for (const h of ids) byCountry.set(h.country, [...(byCountry.get(h.country) ?? []), h.id]);
  for (const members of byCountry.values()) if (members.length > 2) out.push({ id: members.join('+'), members });
  return out;
}

const OCSEA = ROLLUPS[0];
const OCSEA_TYPES = new Set<string>(OCSEA?.types ?? []);

/** What does not change with the pattern: each country's helplines and months, each region's countries. */
interface ContributorBase {
  readonly byCountry: ReadonlyMap<string, readonly { id: string; months: ReadonlySet<string> }[]>;
  readonly countriesOf: ReadonlyMap<string, readonly string[]>;
  readonly monthsOf: Map<string, readonly string[]>;
}

const contributorCache = new WeakMap<
  Cube,
  { base: ContributorBase; zeros?: string; who?: (key: string) => readonly string[] }
>();

function contributorBase(cube: Cube): ContributorBase {
  const byCountry = new Map<string, { id: string; months: Set<string> }[]>();
  for (const r of cube.reporters)
    byCountry.set(r.country, [...(byCountry.get(r.country) ?? []), { id: r.id, months: new Set(r.months) }]);
  const countriesOf = new Map<string, string[]>();
  for (const c of byCountry.keys()) {
    const region = cube.regionOf.get(c) ?? '';
    countriesOf.set(region, [...(countriesOf.get(region) ?? []), c]);
  }
  return { byCountry, countriesOf, monthsOf: new Map() };
}

/**
 * Who may have contributed to a cell, as the public can tell (see the head of this file), given
 * the cells withheld now: a published zero is knowledge, a withheld one is not. The answer
 * depends on the pattern only through its withheld zeros, so it is kept while they stay the same
 * (the audit asks again every round).
 */
export function publicContributors(cube: Cube, withheld: ReadonlySet<string>): (key: string) => readonly string[] {
  let cached = contributorCache.get(cube);
  if (!cached) {
    cached = { base: contributorBase(cube) };
    contributorCache.set(cube, cached);
  }
  const zeros = [...withheld]
    .filter((k) => cube.cells.get(k)?.value === 0)
    .sort()
    .join(';');
  if (cached.who && cached.zeros === zeros) return cached.who;
  const who = contributorsGiven(cube, cached.base, withheld);
  cached.zeros = zeros;
  cached.who = who;
  return who;
}

function contributorsGiven(
  cube: Cube,
  { byCountry, countriesOf, monthsOf }: ContributorBase,
  withheld: ReadonlySet<string>,
): (key: string) => readonly string[] {
  const zero = (key: string) => cube.cells.get(key)?.value === 0 && !withheld.has(key);
  const groupOf = (harm: string): string | undefined => {
    const level = harmLevel(harm);
    if (level === 'group') return harm;
    if (level === 'type') return harm.split('.')[0];
    return undefined;
  };
  const monthsIn = (time: string) => {
    let months = monthsOf.get(time);
    if (!months) {
      const year = time.slice(0, 4);
      months = timeLevel(time) === 'month' ? [time] : cube.months.filter((m) => m.startsWith(year));
      monthsOf.set(time, months);
    }
    return months;
  };
  // A country's helplines that reported a month of `time` its published total does not show as 0.
  const reportingIn = new Map<string, readonly string[]>();
  const reporting = (c: string, time: string) => {
    const at = `${c}|${time}`;
    let ids = reportingIn.get(at);
    if (!ids) {
      const active = monthsIn(time).filter((m) => !zero(`${c}|all|${m}|all`));
      ids = (byCountry.get(c) ?? []).filter((h) => active.some((m) => h.months.has(m))).map((h) => h.id);
      reportingIn.set(at, ids);
    }
    return ids;
  };
  const allCountries = [...byCountry.keys()];
  // Keyed by what the answer depends on: the dimension and, within a group, the type do not matter.
  const memo = new Map<string, readonly string[]>();
  const byKey = new Map<string, readonly string[]>();
  return (key) => {
    const known = byKey.get(key);
    if (known) return known;
    const [geo = '', harm = '', time = ''] = key.split('|');
    const group = groupOf(harm);
    const ocsea = OCSEA !== undefined && (harm === OCSEA.code || OCSEA_TYPES.has(harm));
    const at = `${geo}|${group ?? ''}|${ocsea ? 'o' : ''}|${time}`;
    let out = memo.get(at);
    if (!out) {
      const countries = geo === 'world' ? allCountries : (countriesOf.get(geo) ?? (byCountry.has(geo) ? [geo] : []));
      const year = time.slice(0, 4);
      const list: string[] = [];
      for (const c of countries) {
        if (zero(`${c}|all|${year}|all`)) continue;
        if (group && zero(`${c}|${group}|${year}|all`)) continue;
        if (ocsea && zero(`${c}|${OCSEA?.code}|${year}|all`)) continue;
        list.push(...reporting(c, time));
      }
      out = list;
      memo.set(at, out);
    }
    byKey.set(key, out);
    return out;
  };
}

/** A solution of some coalition's problem as a move from the truth (sparse, by cell key). */
interface Direction {
  readonly keys: readonly string[];
  readonly moves: readonly number[];
  readonly integral: boolean;
}

interface Round {
  readonly keys: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly truth: Float64Array;
  /** What everyone knows a cell is at least (a cell the manifest lists as withheld for insiders). */
  readonly floor: Float64Array;
  readonly blockOf: Int32Array;
  readonly blockVars: readonly (readonly number[])[];
  readonly equations: readonly Equation[];
  readonly contributors: readonly (readonly string[])[];
  /** helpline → its part of each withheld cell it contributes to (variable index → count). */
  readonly ownOf: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** helpline → withheld cells whose possible contributors are few and include it. */
  readonly fewOf: ReadonlyMap<string, readonly number[]>;
  /** Cells nobody can have contributed to: known to be 0 by everyone. */
  readonly nobody: readonly number[];
  /** Possible contributors of any cell, as the public can tell. */
  readonly who: (key: string) => readonly string[];
  /** Per withheld cell published in the previous release: who submitted anew for its months since. */
  readonly changers: readonly (readonly string[] | undefined)[];
  /** The newest directions through each variable: index into `dirs` and the variable's move. */
  readonly through: { id: number; move: number }[][];
  readonly dirs: { idx: Int32Array; moves: Float64Array; integral: boolean }[];
  /** A number for the pattern of a cell's year as it is now: the same while nothing there changes. */
  readonly eraOf: (key: string) => number;
}

/** A coalition's failures in one block, and the era of the block's year they hold for. */
interface Verdict {
  readonly era: number;
  readonly failures: { readonly key: string; readonly low: number; readonly high: number }[];
}

const yearOf = (key: string) => (key.split('|')[2] ?? '').slice(0, 4);

const EPS = 1e-6;
/** Directions kept per cell: the newest (found for the coalitions audited last) serve best. */
const KEEP = 24;
/** Contributor sets this small are indexed: an audited coalition can cover them. */
const FEW = 4;
/** Directions kept in all. */
const POOL = 20_000;

function pushThrough(through: Round['through'], i: number, id: number, move: number): void {
  const list = through[i];
  if (!list) return;
  list.push({ id, move });
  if (list.length > KEEP) list.shift();
}

type Model = ReturnType<Highs['createModel']>;

/** The public's LP of the others' parts of a year's cells, against one coalition. */
interface OthersModel {
  readonly model: Model;
  readonly column: ReadonlyMap<string, number>;
  readonly n: number;
}

export class InsiderAudit {
  private readonly pool: Direction[] = [];
  /** coalition id → withheld cells it has been shown unable to narrow (more withheld keeps it so). */
  private readonly passed = new Map<string, Set<string>>();
  /** coalition id → the first cell of a block → its failures there, for the year's pattern then. */
  private readonly verdicts = new Map<string, Map<string, Verdict>>();
  /** year → the withheld cells of the year last round, and that pattern's number. */
  private readonly eras = new Map<string, { cells: string; era: number }>();
  private lastEra = 0;
  private readonly coalitions: readonly Coalition[];
  solves = 0;

  constructor(
    private readonly cube: Cube,
    private readonly protectionLevel: number,
    coalitions?: readonly Coalition[],
    private readonly previous?: PreviousRelease,
  ) {
    this.coalitions = coalitions ?? auditedCoalitions(cube);
  }

  /**
   * The helplines that submitted anew, since the previous release, a month a cell covers, where
   * that release published the cell; undefined where it did not. When they are all in a
   * coalition, the others' part is as it was, which the coalition learnt from that release
   * (published value less its own part then): it knows the cell exactly, and withholding it now
   * hides only the coalition's own correction, from others.
   */
  private changersOf(key: string): readonly string[] | undefined {
    const changed = this.previous?.changed;
    if (!changed || !this.previous?.values.has(key)) return undefined;
    const time = key.split('|')[2] ?? '';
    const covers = (m: string) => (timeLevel(time) === 'month' ? m === time : m.startsWith(time.slice(0, 4)));
    const who = this.who ?? publicContributors(this.cube, new Set());
    return who(key).filter((h) => [...(changed.get(h) ?? [])].some(covers));
  }

  /** Whether this coalition knows the cell from the previous release (see changersOf). */
  knowsFromPrevious(key: string, members: readonly string[]): boolean {
    const changers = this.changersOf(key);
    return changers !== undefined && changers.length > 0 && changers.every((h) => members.includes(h));
  }

  private who?: (key: string) => readonly string[];

  get audited(): readonly Coalition[] {
    return this.coalitions;
  }

  /** A solution found elsewhere: x over these cells. */
  addSolution(names: readonly string[], values: ArrayLike<number>): Direction | undefined {
    const keys: string[] = [];
    const moves: number[] = [];
    let integral = true;
    names.forEach((name, j) => {
      const move = (values[j] ?? 0) - (this.cube.cells.get(name)?.value ?? 0);
      if (Math.abs(move) < 1e-9) return;
      keys.push(name);
      moves.push(move);
      if (Math.abs(move - Math.round(move)) > 1e-7) integral = false;
    });
    if (keys.length === 0) return undefined;
    const direction = { keys, moves, integral };
    this.pool.push(direction);
    // The oldest directions go first: the newest reflect the pattern as it is.
    if (this.pool.length > POOL) this.pool.splice(0, this.pool.length - POOL);
    return direction;
  }

  /**
   * Every (coalition, withheld cell) where the coalition narrows a cell others contribute to.
   * The public must also fail to narrow any cell by the integer program; insiders by the LP, and
   * by the integer program where the LP range is under twice the protection level.
   */
  async failures(
    withheld: ReadonlySet<string>,
    equations: readonly Equation[],
    keys: readonly string[],
    floorOf: (key: string) => number = () => 0,
  ): Promise<InsiderFailure[]> {
    const round = this.round(withheld, equations, keys, floorOf);
    const highs = await loadHighs();
    const models = new Map<number, Model>();
    const failures: InsiderFailure[] = [];
    try {
      // The public first: while it narrows a cell, so does every insider, and the pattern changes.
      // Otherwise every coalition in one round: fewer rounds, each re-checking only what failed.
      for (const coalition of this.coalitions) {
        if (coalition.members.length > 0 && failures.some((f) => f.coalition.members.length === 0)) break;
        failures.push(...this.audit(coalition, round, highs, models));
      }
    } finally {
      for (const m of models.values()) m.dispose();
    }
    return failures;
  }

  private round(
    withheld: ReadonlySet<string>,
    equations: readonly Equation[],
    keys: readonly string[],
    floorOf: (key: string) => number,
  ): Round {
    const index = new Map(keys.map((k, i) => [k, i]));
    const truth = Float64Array.from(keys, (k) => this.cube.cells.get(k)?.value ?? 0);
    const floor = Float64Array.from(keys, floorOf);
    const blockOf = new Int32Array(keys.length);
    const blockVars = blocks(keys.length, equations);
    blockVars.forEach((b, id) => {
      for (const v of b) blockOf[v] = id;
    });
    const who = publicContributors(this.cube, withheld);
    // Every relation lies within one year: a year's blocks depend only on its own withheld cells
    // (and on who may have contributed, which changes only with the withheld zeros).
    const sameWho = who === this.who;
    this.who = who;
    const cellsOfYear = new Map<string, string[]>();
    for (const k of keys) {
      const year = yearOf(k);
      const list = cellsOfYear.get(year);
      if (list) list.push(k);
      else cellsOfYear.set(year, [k]);
    }
    const eraOfYear = new Map<string, number>();
    for (const [year, list] of cellsOfYear) {
      const cells = list.join(';');
      const before = this.eras.get(year);
      const era = sameWho && before?.cells === cells ? before.era : ++this.lastEra;
      this.eras.set(year, { cells, era });
      eraOfYear.set(year, era);
    }
    const eraOf = (key: string) => eraOfYear.get(yearOf(key)) ?? 0;
    const contributors = keys.map(who);
    const changers = keys.map((k) => this.changersOf(k));
    const ownOf = new Map<string, Map<number, number>>();
    keys.forEach((k, i) => {
      for (const [h, n] of this.cube.cells.get(k)?.contributions ?? []) {
        if (n <= 0) continue;
        const m = ownOf.get(h) ?? new Map<number, number>();
        m.set(i, n);
        ownOf.set(h, m);
      }
    });
    const fewOf = new Map<string, number[]>();
    const nobody: number[] = [];
    contributors.forEach((list, i) => {
      if (list.length === 0) nobody.push(i);
      if (list.length > FEW) return;
      for (const h of list) fewOf.set(h, [...(fewOf.get(h) ?? []), i]);
    });
    const through: Round['through'] = keys.map(() => []);
    const dirs: Round['dirs'] = [];
    for (const d of this.pool) {
      const idx = Int32Array.from(d.keys, (k) => index.get(k) ?? -1);
      // A move of a cell published now cannot happen (cells are only ever added to the pattern).
      if (idx.some((i) => i < 0)) continue;
      const id = dirs.length;
      dirs.push({ idx, moves: Float64Array.from(d.moves), integral: d.integral });
      idx.forEach((i, e) => {
        pushThrough(through, i, id, d.moves[e] ?? 0);
      });
    }
    return {
      keys,
      index,
      truth,
      floor,
      blockOf,
      blockVars,
      equations,
      contributors,
      ownOf,
      fewOf,
      nobody,
      who,
      changers,
      through,
      dirs,
      eraOf,
    };
  }

  private addDirection(round: Round, x: Float64Array, vars: readonly number[]): void {
    const names = vars.map((v) => round.keys[v] ?? '');
    const d = this.addSolution(names, x);
    if (!d) return;
    const idx = Int32Array.from(d.keys, (k) => round.index.get(k) ?? -1);
    const id = round.dirs.length;
    round.dirs.push({ idx, moves: Float64Array.from(d.moves), integral: d.integral });
    idx.forEach((i, e) => {
      pushThrough(round.through, i, id, d.moves[e] ?? 0);
    });
  }

  private audit(coalition: Coalition, round: Round, highs: Highs, models: Map<number, Model>): InsiderFailure[] {
    const P = this.protectionLevel;
    const isPublic = coalition.members.length === 0;
    const members = new Set(coalition.members);
    // What the coalition knows: its part of cells, and all of the cells only it can have filled.
    const own = new Map<number, number>();
    for (const m of coalition.members) for (const [i, n] of round.ownOf.get(m) ?? []) own.set(i, (own.get(i) ?? 0) + n);
    const exact = new Set<number>(round.nobody);
    const knowsBlock = new Set<number>();
    for (const m of coalition.members)
      for (const i of round.fewOf.get(m) ?? [])
        if ((round.contributors[i] ?? []).every((h) => members.has(h))) {
          exact.add(i);
          knowsBlock.add(round.blockOf[i] ?? -1);
        }
    if (!isPublic)
      round.changers.forEach((changers, i) => {
        if (changers && changers.length > 0 && changers.every((h) => members.has(h))) {
          exact.add(i);
          knowsBlock.add(round.blockOf[i] ?? -1);
        }
      });
    for (const i of own.keys()) knowsBlock.add(round.blockOf[i] ?? -1);
    // The public's problem is every block's (integer); a coalition's differs from it only where
    // it knows something.
    const blockIds = isPublic ? round.blockVars.map((_, b) => b) : [...knowsBlock];
    const passed = this.passed.get(coalition.id) ?? new Set<string>();
    this.passed.set(coalition.id, passed);
    const least = (i: number) => Math.max(own.get(i) ?? 0, round.floor[i] ?? 0);
    const slack = (i: number) => (round.truth[i] ?? 0) - least(i);

    // How far each direction can be followed, both ways, by this coalition.
    const reach = new Map<number, { fwd: number; back: number }>();
    const reachOf = (id: number) => {
      let r = reach.get(id);
      if (r) return r;
      const d = round.dirs[id];
      let fwd = Number.POSITIVE_INFINITY;
      let back = Number.POSITIVE_INFINITY;
      if (d) {
        for (let e = 0; e < d.idx.length; e++) {
          const j = d.idx[e] ?? 0;
          const move = d.moves[e] ?? 0;
          if (exact.has(j)) {
            fwd = 0;
            back = 0;
            break;
          }
          if (move < 0) fwd = Math.min(fwd, slack(j) / -move);
          else back = Math.min(back, slack(j) / move);
        }
      }
      r = { fwd, back };
      reach.set(id, r);
      return r;
    };
    // Whether the solutions known show cell i's range wide enough (integer solutions by P; any
    // by 2P, unless this is the public, which must be shown wide by integer solutions).
    const shown = (i: number) => {
      let up = 0;
      let down = 0;
      let iup = 0;
      let idown = 0;
      for (const { id, move } of round.through[i] ?? []) {
        const d = round.dirs[id];
        if (!d) continue;
        const { fwd, back } = reachOf(id);
        const [f, b] = move > 0 ? [fwd, back] : [back, fwd];
        const size = Math.abs(move);
        up = Math.max(up, f * size);
        down = Math.max(down, b * size);
        if (d.integral) {
          iup = Math.max(iup, Math.floor(f + EPS) * size);
          idown = Math.max(idown, Math.floor(b + EPS) * size);
        }
        if (iup + idown >= P - EPS || (!isPublic && up + down >= 2 * P)) return true;
      }
      return false;
    };

    const failures: InsiderFailure[] = [];
    const othersModels = new Map<string, OthersModel>();
    try {
      const verdicts = this.verdicts.get(coalition.id) ?? new Map<string, Verdict>();
      this.verdicts.set(coalition.id, verdicts);
      for (const b of blockIds) {
        const vars = round.blockVars[b] ?? [];
        // A block of a year whose pattern is as it was when this coalition last audited the block
        // gives the same answer (its equations, bounds and contributors are the same).
        const head = round.keys[vars[0] ?? -1] ?? '';
        const era = round.eraOf(head);
        const known = verdicts.get(head);
        if (known?.era === era) {
          for (const f of known.failures) failures.push({ ...f, coalition, block: b });
          continue;
        }
        const verdict: Verdict = { era, failures: [] };
        verdicts.set(head, verdict);
        // An insider's targets are the cells others did contribute to: where their part is 0 the
        // cell is the coalition's own (and a 0 would be published anyway).
        const open = vars.filter(
          (i) =>
            !exact.has(i) &&
            (isPublic || (round.truth[i] ?? 0) - (own.get(i) ?? 0) > 0) &&
            !passed.has(round.keys[i] ?? ''),
        );
        const todo: number[] = [];
        for (const i of open) {
          if (shown(i)) passed.add(round.keys[i] ?? '');
          else todo.push(i);
        }
        if (todo.length === 0) continue;
        const local = new Map(vars.map((v, j) => [v, j]));
        let model = models.get(b);
        if (!model) {
          model = this.model(highs, round, vars, local, false);
          models.set(b, model);
        }
        const lower = Float64Array.from(vars, (v) => (exact.has(v) ? (round.truth[v] ?? 0) : least(v)));
        const upper = Float64Array.from(vars, (v) => (exact.has(v) ? (round.truth[v] ?? 0) : highs.infinity));
        const n = vars.length;
        const run = (m: Model, cost: Float64Array) => {
          this.solves++;
          m.changeColsCost({ kind: 'range', from: 0, to: n - 1 }, cost);
          m.run();
          const status = m.getModelStatus();
          if (status === highs.constants.modelStatus.optimal) {
            this.addDirection(round, m.getSolution().colValue, vars);
            return m.getObjectiveValue();
          }
          if (
            status === highs.constants.modelStatus.unbounded ||
            status === highs.constants.modelStatus.unboundedOrInfeasible
          )
            return Number.NEGATIVE_INFINITY;
          throw new Error(`insider audit solve ended with HiGHS model status ${status}`);
        };
        if (todo.length >= 3) {
          // A few solutions at once, moving many cells: within a cap, so none is unbounded.
          const capped = Float64Array.from(vars, (v, j) =>
            exact.has(v) ? (upper[j] ?? 0) : 2 * (round.truth[v] ?? 0) + 4 * P,
          );
          model.changeColsBounds({ kind: 'range', from: 0, to: n - 1 }, lower, capped);
          for (let k = 0; k < 4; k++) {
            const cost = new Float64Array(n);
            for (const i of todo)
              cost[local.get(i) ?? 0] = k === 0 ? 1 : k === 1 ? -1 : ((i * 2654435761 + k) >>> 7) % 2 ? 1 : -1;
            run(model, cost);
          }
        }
        model.changeColsBounds({ kind: 'range', from: 0, to: n - 1 }, lower, upper);
        let mip: Model | undefined;
        try {
          for (const i of todo) {
            if (shown(i)) {
              passed.add(round.keys[i] ?? '');
              continue;
            }
            const j = local.get(i) ?? 0;
            const cost = new Float64Array(n);
            cost[j] = 1;
            const low = run(model, cost);
            if (shown(i)) {
              passed.add(round.keys[i] ?? '');
              continue;
            }
            cost[j] = -1;
            const high = -run(model, cost);
            if (shown(i)) {
              passed.add(round.keys[i] ?? '');
              continue;
            }
            let range = { low, high };
            if (high - low >= P - EPS && (isPublic || high - low < 2 * P)) {
              // The LP's extremes are fractional and the range narrow: the integer attacker.
              if (!mip) {
                mip = this.model(highs, round, vars, local, true);
                mip.changeColsBounds({ kind: 'range', from: 0, to: n - 1 }, lower, upper);
              }
              cost[j] = 1;
              const ilow = run(mip, cost);
              cost[j] = -1;
              range = { low: ilow, high: -run(mip, cost) };
            }
            if (range.high - range.low >= P - EPS) passed.add(round.keys[i] ?? '');
            else if (
              isPublic ||
              !this.publicKnowsAsMuch(coalition, round.keys[i] ?? '', round, highs, range, othersModels)
            ) {
              const failure = { key: round.keys[i] ?? '', ...range };
              verdict.failures.push(failure);
              failures.push({ ...failure, coalition, block: b });
            }
          }
        } finally {
          mip?.dispose();
        }
      }
    } finally {
      for (const m of othersModels.values()) m.model.dispose();
    }
    return failures;
  }

  /**
   * Whether the public narrows the others' part of a cell as far as the coalition does: then the
   * coalition learns nothing of the others there that everyone cannot (say a region's year total
   * less a sole reporter's own month is the other months' published totals). The others' parts
   * of one year's cells form the same additive system; the public knows a published cell's
   * others' part exactly where the coalition cannot have contributed to it, within [0, value]
   * where it can, and that of a withheld cell only it can have filled is 0.
   */
  private publicKnowsAsMuch(
    coalition: Coalition,
    key: string,
    round: Round,
    highs: Highs,
    range: { low: number; high: number },
    models: Map<string, OthersModel>,
  ): boolean {
    const year = parseReleaseCellKey(key).time.slice(0, 4);
    // One model per coalition, year and round: only the objective differs between its cells.
    let others = models.get(year);
    if (!others) {
      others = this.othersModel(coalition, year, round, highs);
      models.set(year, others);
    }
    const col = others.column.get(key);
    if (col === undefined) {
      // A cell in no relation: known (a constant) where only the coalition can have filled it,
      // unbounded otherwise.
      return round.who(key).every((h) => coalition.members.includes(h));
    }
    const { model, n } = others;
    const extreme = (sign: 1 | -1) => {
      this.solves++;
      const cost = new Float64Array(n);
      cost[col] = sign;
      model.changeColsCost({ kind: 'range', from: 0, to: n - 1 }, cost);
      model.run();
      const status = model.getModelStatus();
      if (status !== highs.constants.modelStatus.optimal) return sign * Number.NEGATIVE_INFINITY;
      return sign * model.getObjectiveValue();
    };
    const own = range.high - range.low;
    return extreme(-1) - extreme(1) <= own + EPS;
  }

  /** The others' parts of one year's cells as the public knows them, against this coalition (above). */
  private othersModel(coalition: Coalition, year: string, round: Round, highs: Highs): OthersModel {
    const members = new Set(coalition.members);
    const relations = this.relationsOfYear(year);
    const column = new Map<string, number>();
    const lower: number[] = [];
    const upper: number[] = [];
    /** The others' part of a cell: a constant, or a column of the LP. */
    const term = (k: string): { col?: number; constant: number } => {
      const known = column.get(k);
      if (known !== undefined) return { col: known, constant: 0 };
      const value = this.cube.cells.get(k)?.value ?? 0;
      const who = round.who(k);
      const withheld = round.index.has(k);
      const mayOwn = who.some((h) => members.has(h));
      if (withheld && who.every((h) => members.has(h))) return { constant: 0 };
      if (!withheld && !mayOwn) return { constant: value };
      const col = lower.length;
      column.set(k, col);
      lower.push(0);
      upper.push(withheld ? highs.infinity : value);
      return { col, constant: 0 };
    };
    const rows: { entries: Map<number, number>; rhs: number }[] = [];
    for (const r of relations) {
      const entries = new Map<number, number>();
      let rhs = 0;
      const add = (k: string, sign: number) => {
        const t = term(k);
        if (t.col === undefined) rhs -= sign * t.constant;
        else entries.set(t.col, (entries.get(t.col) ?? 0) + sign);
      };
      add(r.parent, -1);
      for (const c of r.children) add(c, 1);
      if (entries.size > 0) rows.push({ entries, rhs });
    }
    const n = lower.length;
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const row of rows) {
      for (const [j, a] of [...row.entries].sort((x, y) => x[0] - y[0])) {
        indices.push(j);
        values.push(a);
      }
      starts.push(indices.length);
    }
    const rhs = rows.map((r) => r.rhs);
    const model = equalityModel(highs, { lower, upper, rows: rows.length, starts, indices, values, rhs }, false);
    return { model, column, n };
  }

  private yearRelations?: Map<string, Cube['relations'][number][]>;
  private relationsOfYear(year: string): readonly Cube['relations'][number][] {
    if (!this.yearRelations) {
      this.yearRelations = new Map();
      for (const r of this.cube.relations) {
        const y = parseReleaseCellKey(r.parent).time.slice(0, 4);
        const list = this.yearRelations.get(y);
        if (list) list.push(r);
        else this.yearRelations.set(y, [r]);
      }
    }
    return this.yearRelations.get(year) ?? [];
  }

  private model(
    highs: Highs,
    round: Round,
    vars: readonly number[],
    local: ReadonlyMap<number, number>,
    integer: boolean,
  ): Model {
    const { rows, starts, indices, values, rhs } = blockMatrix(round.equations, local);
    const n = vars.length;
    return equalityModel(
      highs,
      {
        lower: new Float64Array(n),
        upper: Array.from({ length: n }, () => highs.infinity),
        rows: rows.length,
        starts,
        indices,
        values,
        rhs,
      },
      integer,
    );
  }
}

/** Whether the audit covers this set of helplines as one coalition (or a part of one). */
export function coveredBy(cube: Pick<Cube, 'reporters'>): (members: ReadonlySet<string>) => boolean {
  const where = new Map(cube.reporters.map((r) => [r.id, r]));
  const byCountry = new Map<string, number>();
  for (const r of cube.reporters) byCountry.set(r.country, (byCountry.get(r.country) ?? 0) + 1);
  return (members) => {
    if (members.size <= 1) return true;
    const list = [...members].map((m) => where.get(m));
    const [first] = list;
    if (!first || list.some((r) => !r)) return false;
    if (members.size === 2) return list.every((r) => r?.region === first.region);
    return list.every((r) => r?.country === first.country) && byCountry.get(first.country) === members.size;
  };
}

/**
 * The cheap rule, before any solve: in a relation, if some audited coalition knows every withheld
 * member but one exactly, it knows that one too. Withhold a further member others contribute to
 * (the smallest such part; a cell many can have contributed to first), to a fixed point.
 * Returns the cells it withheld.
 */
export function coalitionRelationRules(
  cube: Cube,
  withheld: ReadonlySet<string>,
  covered: (members: ReadonlySet<string>) => boolean,
): string[] {
  const who = publicContributors(cube, withheld);
  const hiddenNow = new Set(withheld);
  const added: string[] = [];
  const othersIn = (key: string, members: ReadonlySet<string>) => {
    const cell = cube.cells.get(key);
    let own = 0;
    for (const m of members) own += cell?.contributions.get(m) ?? 0;
    return (cell?.value ?? 0) - own;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of cube.relations) {
      const members = [r.parent, ...r.children];
      const hidden = members.filter((m) => hiddenNow.has(m));
      if (hidden.length < 2) continue;
      // Members many helplines can have contributed to are known exactly by no small coalition.
      const small = hidden.filter((m) => (who(m).length ?? 0) <= 2);
      if (small.length < hidden.length - 1) continue;
      for (const target of hidden) {
        const rest = hidden.filter((m) => m !== target);
        if (rest.some((m) => who(m).length > 2)) continue;
        const union = new Set(rest.flatMap((m) => [...who(m)]));
        if (union.size === 0 || !covered(union)) continue;
        if (who(target).every((h) => union.has(h))) continue;
        // The target's others' part is then the published members' (those the coalition cannot
        // have contributed to): everyone knows it as well, and the coalition learns nothing more.
        if (members.every((m) => hiddenNow.has(m) || who(m).every((h) => !union.has(h)))) continue;
        const pick = members
          .filter((m) => !hiddenNow.has(m) && othersIn(m, union) > 0)
          .sort(
            (a, b) =>
              (a === r.parent ? 1 : 0) - (b === r.parent ? 1 : 0) ||
              othersIn(a, union) - othersIn(b, union) ||
              a.localeCompare(b),
          )[0];
        if (!pick) continue;
        hiddenNow.add(pick);
        added.push(pick);
        changed = true;
        break;
      }
    }
  }
  return added;
}
