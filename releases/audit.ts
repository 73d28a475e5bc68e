/**
 * The attacker's audit: knowing every published number and every additivity relation, how far can
 * each withheld cell be narrowed? For each withheld cell, minimise and maximise it subject to
 *   Σ a·x = b  (each relation, published members moved to the right-hand side),  x ≥ lower
 * as a linear program and as an integer program (HiGHS, WebAssembly). One persistent model per
 * independent block; only the objective changes between solves.
 */
import type { Highs } from 'highs';
import * as highsModule from 'highs';

// highs ships ESM and CJS builds; under NodeNext its types read as CJS, so take the default by hand.
const highsLoader = ((highsModule as { default?: unknown }).default ?? highsModule) as unknown as () => Promise<Highs>;

export interface Equation {
  /** Indices of withheld variables, each with coefficient 1 (all our relations are sums). */
  readonly vars: readonly number[];
  /** Coefficient −1 for the parent when it is withheld too: parent − Σ children = rhs. */
  readonly parent?: number;
  readonly rhs: number;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface AuditOptions {
  readonly integer: boolean;
  /** Variables' lower bounds (default 0): an insider knows its own contribution. */
  readonly lower?: readonly number[];
  /** Variables' upper bounds (default none): an insider knows cells only it contributes to. */
  readonly upper?: readonly number[];
  /** Only these variables' ranges are wanted (and only their blocks are solved). */
  readonly only?: ReadonlySet<number>;
  /**
   * Names of the variables and a memo: a block whose variables, equations and bounds are unchanged
   * since an earlier audit is not solved again (suppression re-audits after each small change).
   */
  readonly memo?: { readonly names: readonly string[]; readonly store: Map<string, Interval[]> };
  /** Integer audits: also the LP ranges, solved on the way (the LP is solved first anyway). */
  readonly lpOut?: Interval[];
  /** Each optimal solution found (the insider audit reuses them as directions). */
  readonly onSolution?: (vars: readonly number[], values: Float64Array) => void;
}

let highsPromise: Promise<Highs> | undefined;
export function loadHighs(): Promise<Highs> {
  if (!highsPromise) highsPromise = highsLoader();
  return highsPromise;
}

/** Splits variables into independent blocks: those linked through some equation. */
export function blocks(count: number, equations: readonly Equation[]): number[][] {
  const parent = Array.from({ length: count }, (_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] ?? r;
    let j = i;
    while (parent[j] !== r) {
      const next = parent[j] ?? r;
      parent[j] = r;
      j = next;
    }
    return r;
  };
  for (const e of equations) {
    const members = e.parent === undefined ? e.vars : [...e.vars, e.parent];
    const first = members[0];
    if (first === undefined) continue;
    for (const m of members.slice(1)) parent[find(m)] = find(first);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.values()];
}

/** Min and max of every variable of one block. */
async function auditBlock(
  block: readonly number[],
  equations: readonly Equation[],
  options: AuditOptions,
): Promise<Map<number, Interval>> {
  const highs = await loadHighs();
  const local = new Map(block.map((v, i) => [v, i]));
  const { rows, starts, indices, values, rhs } = blockMatrix(equations, local);
  const n = block.length;
  const lower = block.map((v) => options.lower?.[v] ?? 0);
  const upper = block.map((v) => options.upper?.[v] ?? highs.infinity);
  const create = (integer: boolean) =>
    equalityModel(highs, { lower, upper, rows: rows.length, starts, indices, values, rhs }, integer, {
      presolve: 'off',
    });
  // The integer attacker's optimum is the LP's wherever the LP's optimal solution is integral
  // (it is then feasible for the integer program, which cannot do better): the branch and bound
  // runs only where the LP stops at a fractional vertex.
  const lp = create(false);
  let ip: ReturnType<typeof create> | undefined;
  try {
    const out = new Map<number, Interval>();
    let lpValue = 0;
    const solve = (j: number, sign: 1 | -1): number => {
      const costs = new Float64Array(n);
      costs[j] = sign;
      lp.changeColsCost({ kind: 'range', from: 0, to: n - 1 }, costs);
      lp.run();
      let model = lp;
      let status = lp.getModelStatus();
      lpValue =
        status === highs.constants.modelStatus.optimal
          ? sign * lp.getObjectiveValue()
          : sign === 1
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY;
      if (options.integer && status === highs.constants.modelStatus.optimal) {
        const x = lp.getSolution().colValue;
        if (!x.every((v) => Math.abs(v - Math.round(v)) < 1e-9)) {
          ip ??= create(true);
          ip.changeColsCost({ kind: 'range', from: 0, to: n - 1 }, costs);
          ip.run();
          model = ip;
          status = ip.getModelStatus();
        }
      }
      // A time-limited integer solve reports its best solution found: a range no wider than the
      // true one, so the audit errs on the side of withholding more.
      if (status === highs.constants.modelStatus.optimal || status === highs.constants.modelStatus.timeLimit) {
        options.onSolution?.(block, model.getSolution().colValue);
        return sign * model.getObjectiveValue();
      }
      if (
        status === highs.constants.modelStatus.unbounded ||
        status === highs.constants.modelStatus.unboundedOrInfeasible
      ) {
        return sign === 1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      }
      throw new Error(`audit solve ended with HiGHS model status ${status}`);
    };
    block.forEach((v, j) => {
      if (options.only && !options.only.has(v)) return;
      const low = solve(j, 1);
      const lpLow = lpValue;
      const high = solve(j, -1);
      out.set(v, { low, high });
      if (options.lpOut) options.lpOut[v] = { low: lpLow, high: lpValue };
    });
    return out;
  } finally {
    lp.dispose();
    ip?.dispose();
  }
}

/**
 * A HiGHS model of A·x = rhs within the bounds (CSR rows), with a zero objective to be set per
 * solve; an integer one solves to optimality (no gap).
 */
export function equalityModel(
  highs: Highs,
  m: {
    readonly lower: ArrayLike<number>;
    readonly upper: ArrayLike<number>;
    readonly rows: number;
    readonly starts: readonly number[];
    readonly indices: readonly number[];
    readonly values: readonly number[];
    readonly rhs: readonly number[];
  },
  integer: boolean,
  options: Record<string, string | number | boolean> = {},
) {
  const n = m.lower.length;
  const model = highs.createModel({
    numCols: n,
    numRows: m.rows,
    colCost: new Float64Array(n),
    colLower: Array.from(m.lower),
    colUpper: Array.from(m.upper),
    rowLower: m.rhs,
    rowUpper: m.rhs,
    matrix: { format: 'csr', numRows: m.rows, numCols: n, starts: m.starts, indices: m.indices, values: m.values },
    ...(integer ? { integrality: Array.from({ length: n }, () => highs.constants.variableType.integer) } : {}),
  });
  model.options.set({ output_flag: false, ...options, ...(integer ? { mip_rel_gap: 0, mip_abs_gap: 0 } : {}) });
  return model;
}

/**
 * A block's equations as CSR rows over its local column numbers: Σ x_children − x_parent = rhs.
 * The equations are those whose first variable lies in the block (a block holds all of its own).
 */
export function blockMatrix(equations: readonly Equation[], local: ReadonlyMap<number, number>) {
  const rows = equations.filter((e) => local.has(e.parent ?? e.vars[0] ?? -1));
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rhs: number[] = [];
  for (const e of rows) {
    const entries = new Map<number, number>();
    for (const v of e.vars) {
      const j = local.get(v);
      if (j !== undefined) entries.set(j, (entries.get(j) ?? 0) + 1);
    }
    if (e.parent !== undefined) {
      const j = local.get(e.parent);
      if (j !== undefined) entries.set(j, (entries.get(j) ?? 0) - 1);
    }
    for (const [j, a] of [...entries].sort((x, y) => x[0] - y[0])) {
      indices.push(j);
      values.push(a);
    }
    starts.push(indices.length);
    rhs.push(e.rhs);
  }
  return { rows, starts, indices, values, rhs };
}

export async function auditIntervals(
  count: number,
  equations: readonly Equation[],
  options: AuditOptions,
): Promise<Interval[]> {
  const result: Interval[] = Array.from({ length: count }, () => ({ low: 0, high: Number.POSITIVE_INFINITY }));
  const byVar = new Map<number, Equation[]>();
  for (const e of equations) {
    const first = e.parent ?? e.vars[0];
    if (first === undefined) continue;
    const list = byVar.get(first);
    if (list) list.push(e);
    else byVar.set(first, [e]);
  }
  for (const block of blocks(count, equations)) {
    if (options.only && !block.some((v) => options.only?.has(v))) continue;
    const memo = options.memo;
    let signature: string | undefined;
    if (memo) {
      const rows = block
        .flatMap((v) => byVar.get(v) ?? [])
        .map(
          (e) =>
            `${e.parent === undefined ? '' : memo.names[e.parent]}:${e.vars
              .map((v) => memo.names[v])
              .sort()
              .join(',')}=${e.rhs}`,
        )
        .sort();
      const bounds = block.map((v) => `${memo.names[v]}[${options.lower?.[v] ?? 0},${options.upper?.[v] ?? 'inf'}]`);
      const only = options.only ? block.filter((v) => options.only?.has(v)).map((v) => memo.names[v]) : ['*'];
      signature = `${options.integer ? 'I' : 'L'}|${bounds.join(';')}|${rows.join(';')}|${only.join(',')}`;
      const cached = memo.store.get(signature);
      if (cached) {
        block.forEach((v, i) => {
          const interval = cached[i];
          if (interval) result[v] = interval;
        });
        continue;
      }
    }
    const intervals = await auditBlock(block, equations, options);
    for (const [v, interval] of intervals) result[v] = interval;
    if (memo && signature)
      memo.store.set(
        signature,
        block.map((v) => result[v] ?? { low: 0, high: Number.POSITIVE_INFINITY }),
      );
  }
  return result;
}
