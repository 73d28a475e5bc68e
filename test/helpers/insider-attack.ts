/**
 * An insider's attack on a published release, written from the outside: it knows only what the
 * public endpoints say (the release's cells through /v1/trends, its manifest, /v1/completeness,
 * the code lists of /v1/meta/dimensions) and one helpline's — or a coalition's — own submissions.
 * It never imports the warehouse's protection code: it rebuilds the additivity relations from the
 * published keys, works out which cells only the coalition can have contributed to, and solves the
 * interval problems with HiGHS itself.
 */
import type { Highs } from 'highs';
import * as highsModule from 'highs';

const highsLoader = ((highsModule as { default?: unknown }).default ?? highsModule) as unknown as () => Promise<Highs>;
let highsPromise: Promise<Highs> | undefined;
const loadHighs = () => {
  highsPromise ??= highsLoader();
  return highsPromise;
};

/** What a helpline uploaded: its periods and cells. */
export interface OwnSubmission {
  readonly period: string;
  readonly cells: readonly {
    readonly harm: string;
    readonly ageBand: string;
    readonly gender: string;
    readonly channel: string;
    readonly count: number;
  }[];
}

export interface Reporter {
  readonly id: string;
  readonly country: string;
  readonly region: string;
  readonly months: ReadonlySet<string>;
}

export interface PublicKnowledge {
  readonly release: string;
  readonly protectionLevel: number;
  /**
   * What a withheld cell is known to be at least: the manifest lists the cells withheld for
   * insiders, each chosen while published, so none is a small count.
   */
  readonly floors: ReadonlyMap<string, number>;
  /** Every published cell of the release: a number, or null where withheld. */
  readonly cells: ReadonlyMap<string, number | null>;
  readonly reporters: readonly Reporter[];
  readonly types: readonly { code: string; group: string }[];
  readonly rollups: readonly { code: string; types: readonly string[] }[];
  readonly dims: Readonly<Record<'ageBand' | 'gender' | 'channel', readonly string[]>>;
  readonly regionOf: ReadonlyMap<string, string>;
}

interface Row {
  period: string;
  value: number | null;
  [split: string]: string | number | boolean | null;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Everything public about the newest release (or `release`), read through the HTTP API only. */
export async function readPublicKnowledge(base: string, release?: string): Promise<PublicKnowledge> {
  const { releases } = await getJson<{ releases: { id: string }[] }>(`${base}/v1/releases`);
  const id = release ?? releases[0]?.id;
  if (!id) throw new Error('no release published');
  const manifest = await getJson<{
    span: { from: string; to: string };
    protection: { protectionLevel: number; threshold: number; sensitiveThreshold: number };
    cells: number;
    insiderProtection?: { withheld: { cells: string[] } };
  }>(`${base}/v1/releases/${id}`);
  const taxonomy = await getJson<{ types: { code: string; sensitive: boolean }[]; rollups: { code: string }[] }>(
    `${base}/v1/meta/harm-types`,
  );
  const sensitive = new Set([
    ...taxonomy.types.filter((t) => t.sensitive).map((t) => t.code),
    ...taxonomy.rollups.map((r) => r.code),
  ]);
  const floors = new Map(
    (manifest.insiderProtection?.withheld.cells ?? []).map((key) => [
      key,
      (sensitive.has(key.split('|')[1] ?? '')
        ? manifest.protection.sensitiveThreshold
        : manifest.protection.threshold) + 1,
    ]),
  );
  const meta = await getJson<{
    harm: { code: string; group: string }[];
    harmGroup: { code: string }[];
    rollup: { code: string; types: string[] }[];
    ageBand: { code: string }[];
    gender: { code: string }[];
    channel: { code: string }[];
    region: { code: string }[];
  }>(`${base}/v1/meta/dimensions`);
  const groups = meta.harmGroup.map((g) => g.code);
  const regions = meta.region.map((r) => r.code);
  const dims = {
    ageBand: meta.ageBand.map((d) => d.code),
    gender: meta.gender.map((d) => d.code),
    channel: meta.channel.map((d) => d.code),
  };

  // Who reported which month: /v1/completeness, year by year.
  const months = new Map<string, Set<string>>();
  const where = new Map<string, { country: string; region: string }>();
  for (let y = Number(manifest.span.from.slice(0, 4)); y <= Number(manifest.span.to.slice(0, 4)); y++) {
    const c = await getJson<{
      helplines: { id: string; country: string; region: string; months: { period: string; reported: boolean }[] }[];
    }>(`${base}/v1/completeness?year=${y}`);
    for (const h of c.helplines) {
      where.set(h.id, { country: h.country, region: h.region });
      const set = months.get(h.id) ?? new Set<string>();
      for (const m of h.months)
        if (m.reported && m.period >= manifest.span.from && m.period <= manifest.span.to) set.add(m.period);
      months.set(h.id, set);
    }
  }
  const reporters = [...where].map(([hid, w]) => ({ id: hid, ...w, months: months.get(hid) ?? new Set<string>() }));
  const regionOf = new Map(reporters.map((r) => [r.country, r.region]));

  // The release's cells, table by table, through /v1/trends.
  const cells = new Map<string, number | null>();
  const ask = async (params: Record<string, string>, keyOf: (row: Row) => string) => {
    const q = new URLSearchParams({ ...params, release: id });
    const { rows } = await getJson<{ rows: Row[] }>(`${base}/v1/trends?${q}`);
    for (const row of rows) cells.set(keyOf(row), row.value);
  };
  const byCountry = (harm: string) => (row: Row) => `${row.country}|${harm}|${row.period}|all`;
  const byRegion = (harm: string) => (row: Row) => `${row.region}|${harm}|${row.period}|all`;
  const atGeo = (geo: string, harm: string) => (row: Row) => `${geo}|${harm}|${row.period}|all`;
  for (const by of ['year', 'month']) {
    await ask({ by, split: 'country' }, byCountry('all'));
    await ask({ by, split: 'region' }, byRegion('all'));
    await ask({ by }, atGeo('world', 'all'));
    for (const harm of [...groups, ...meta.rollup.map((r) => r.code)]) {
      if (by === 'year') await ask({ by, split: 'country', harm }, byCountry(harm));
      await ask({ by, split: 'region', harm }, byRegion(harm));
      await ask({ by, harm }, atGeo('world', harm));
    }
  }
  for (const geo of ['world', ...regions.filter((r) => regionOf.size === 0 || [...regionOf.values()].includes(r))]) {
    const region = geo === 'world' ? {} : { region: geo };
    await ask({ by: 'year', split: 'harm', ...region }, (row) => `${geo}|${row.harm}|${row.period}|all`);
    for (const kind of ['ageBand', 'gender', 'channel'] as const) {
      for (const harm of [undefined, ...groups]) {
        await ask(
          { by: 'year', split: kind, ...region, ...(harm ? { harm } : {}) },
          (row) => `${geo}|${harm ?? 'all'}|${row.period}|${kind}=${row[kind]}`,
        );
      }
    }
  }
  if (cells.size !== manifest.cells)
    throw new Error(`read ${cells.size} cells of release ${id}, its manifest says ${manifest.cells}`);
  return {
    release: id,
    protectionLevel: manifest.protection.protectionLevel,
    floors,
    cells,
    reporters,
    types: meta.harm,
    rollups: meta.rollup,
    dims,
    regionOf,
  };
}

interface Relation {
  readonly parent: string;
  readonly children: readonly string[];
}

/** parent = Σ children wherever a published cell and all of its next-finer cells are published. */
export function relationsOf(k: PublicKnowledge): Relation[] {
  const keys = k.cells;
  const geos = new Set([...keys.keys()].map((key) => key.split('|')[0] ?? ''));
  const regions = [...new Set(k.regionOf.values())].filter((r) => geos.has(r)).sort();
  const countriesOf = (r: string) => [...k.regionOf].filter(([c, rr]) => rr === r && geos.has(c)).map(([c]) => c);
  const groups = [...new Set(k.types.map((t) => t.group))];
  const harmChildren = (h: string): string[] => {
    if (h === 'all') return groups;
    const rollup = k.rollups.find((r) => r.code === h);
    if (rollup) return [...rollup.types];
    if (groups.includes(h)) return k.types.filter((t) => t.group === h).map((t) => t.code);
    return [];
  };
  const months = [...new Set([...keys.keys()].map((key) => key.split('|')[2] ?? '').filter((t) => t.length === 7))];
  const relations: Relation[] = [];
  for (const key of keys.keys()) {
    const [geo = '', harm = '', time = '', dim = ''] = key.split('|');
    const lists: string[][] = [];
    if (geo === 'world') lists.push(regions.map((r) => `${r}|${harm}|${time}|${dim}`));
    else if (regions.includes(geo)) lists.push(countriesOf(geo).map((c) => `${c}|${harm}|${time}|${dim}`));
    const hc = harmChildren(harm);
    if (hc.length) lists.push(hc.map((h) => `${geo}|${h}|${time}|${dim}`));
    if (time.length === 4)
      lists.push(months.filter((m) => m.startsWith(time)).map((m) => `${geo}|${harm}|${m}|${dim}`));
    if (dim === 'all')
      for (const [kind, values] of Object.entries(k.dims))
        lists.push(values.map((v) => `${geo}|${harm}|${time}|${kind}=${v}`));
    for (const children of lists) {
      if (children.length > 0 && children.every((c) => keys.has(c))) relations.push({ parent: key, children });
    }
  }
  return relations;
}

/** Each cell's part that these submissions make up (what the coalition knows of every cell). */
export function ownParts(k: PublicKnowledge, country: string, submissions: readonly OwnSubmission[]) {
  const groupOf = new Map(k.types.map((t) => [t.code, t.group]));
  const region = k.regionOf.get(country) ?? '';
  // Two sums first (by harm type × month, and by group × year × one other dimension), then each
  // into every published cell above it.
  const byTypeMonth = new Map<string, number>();
  const byGroupYearDim = new Map<string, number>();
  const bump = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);
  for (const s of submissions) {
    for (const c of s.cells) {
      bump(byTypeMonth, `${c.harm}|${s.period}`, c.count);
      for (const d of [`ageBand=${c.ageBand}`, `gender=${c.gender}`, `channel=${c.channel}`])
        bump(byGroupYearDim, `${groupOf.get(c.harm)}|${s.period.slice(0, 4)}|${d}`, c.count);
    }
  }
  const own = new Map<string, number>();
  const add = (geos: readonly string[], harms: readonly string[], times: readonly string[], dim: string, n: number) => {
    for (const g of geos)
      for (const h of harms)
        for (const t of times) {
          const key = `${g}|${h}|${t}|${dim}`;
          if (k.cells.has(key)) bump(own, key, n);
        }
  };
  const geos = [country, region, 'world'];
  for (const [key, n] of byTypeMonth) {
    const [harm = '', period = ''] = key.split('|');
    const harms = [
      harm,
      groupOf.get(harm) ?? '',
      'all',
      ...k.rollups.filter((r) => r.types.includes(harm)).map((r) => r.code),
    ];
    add(geos, harms, [period, period.slice(0, 4)], 'all', n);
  }
  for (const [key, n] of byGroupYearDim) {
    const [group = '', year = '', dim = ''] = key.split('|');
    add(geos, [group, 'all'], [year], dim, n);
  }
  return own;
}

/**
 * The helplines that may have contributed to a cell, as the public can tell: those of its
 * geography that reported in its period, less a country whose published totals show it had none
 * there (a country-month or country-year published as 0, or 0 in the harm group or rollup).
 */
export function possibleContributors(k: PublicKnowledge) {
  const months = [...new Set(k.reporters.flatMap((r) => [...r.months]))];
  const groupOf = new Map(k.types.map((t) => [t.code, t.group]));
  const byCountry = new Map<string, Reporter[]>();
  for (const r of k.reporters) byCountry.set(r.country, [...(byCountry.get(r.country) ?? []), r]);
  const zero = (key: string) => k.cells.get(key) === 0;
  const memo = new Map<string, string[]>();
  return (key: string): string[] => {
    const known = memo.get(key);
    if (known) return known;
    const [geo = '', harm = '', time = ''] = key.split('|');
    const countries =
      geo === 'world'
        ? [...byCountry.keys()]
        : [...k.regionOf.values()].includes(geo)
          ? [...byCountry.keys()].filter((c) => k.regionOf.get(c) === geo)
          : [geo];
    const year = time.slice(0, 4);
    const ms = time.length === 7 ? [time] : months.filter((m) => m.startsWith(year));
    const out: string[] = [];
    for (const c of countries) {
      if (zero(`${c}|all|${year}|all`)) continue;
      const group = groupOf.get(harm) ?? (harm !== 'all' && !k.rollups.some((r) => r.code === harm) ? harm : undefined);
      if (group && zero(`${c}|${group}|${year}|all`)) continue;
      if (k.rollups.some((r) => (r.code === harm || r.types.includes(harm)) && zero(`${c}|${r.code}|${year}|all`)))
        continue;
      const active = ms.filter((m) => !zero(`${c}|all|${m}|all`));
      for (const r of byCountry.get(c) ?? []) if (active.some((m) => r.months.has(m))) out.push(r.id);
    }
    memo.set(key, out);
    return out;
  };
}

export interface Finding {
  readonly cell: string;
  readonly low: number;
  readonly high: number;
  readonly integer: boolean;
}

export interface AttackResult {
  /** Withheld cells others may have contributed to, in blocks the coalition knows something of. */
  readonly targets: number;
  /** Cells whose range the coalition can narrow below the protection level (LP or integer). */
  readonly findings: Finding[];
  readonly solves: number;
}

/**
 * The coalition's attack: every withheld cell is at least the coalition's own part of it, and
 * exactly that where nobody else can have contributed; for every withheld cell others may have
 * contributed to, min and max by LP, then by integer program where the LP range is under twice
 * the protection level.
 */
export async function insiderAttack(
  k: PublicKnowledge,
  relations: readonly Relation[],
  /** Each member's own part of the cells (`ownParts` of its submissions). */
  coalition: readonly { id: string; own: ReadonlyMap<string, number> }[],
  contributors: (key: string) => readonly string[] = possibleContributors(k),
  /**
   * The judge's view, not the attacker's: the true value of a withheld cell. An insider's finding
   * counts where others did contribute to the cell (where their part is 0 the cell is the
   * coalition's own, and a 0 would be published anyway). Without it every target counts.
   */
  truth?: (key: string) => number,
): Promise<AttackResult> {
  const highs = await loadHighs();
  const hidden = [...k.cells].filter(([, v]) => v === null).map(([key]) => key);
  const index = new Map(hidden.map((key, i) => [key, i]));
  const own = new Float64Array(hidden.length);
  for (const member of coalition) {
    hidden.forEach((key, i) => {
      own[i] = (own[i] ?? 0) + (member.own.get(key) ?? 0);
    });
  }
  const ids = new Set(coalition.map((m) => m.id));
  const sole = hidden.map((key) => contributors(key).every((h) => ids.has(h)));
  // Equations over the withheld cells.
  const rows: { vars: Map<number, number>; rhs: number }[] = [];
  for (const r of relations) {
    const vars = new Map<number, number>();
    let rhs = 0;
    for (const c of r.children) {
      const i = index.get(c);
      if (i === undefined) rhs -= k.cells.get(c) ?? 0;
      else vars.set(i, (vars.get(i) ?? 0) + 1);
    }
    const p = index.get(r.parent);
    if (p === undefined) rhs += k.cells.get(r.parent) ?? 0;
    else vars.set(p, (vars.get(p) ?? 0) - 1);
    if (vars.size > 0) rows.push({ vars, rhs });
  }
  // Blocks: cells linked through some equation.
  const root = hidden.map((_, i) => i);
  const find = (i: number): number => {
    while (root[i] !== i) {
      const up = root[i] ?? i;
      root[i] = root[up] ?? up;
      i = up;
    }
    return i;
  };
  for (const row of rows) {
    const [first, ...rest] = [...row.vars.keys()];
    for (const v of rest) if (first !== undefined) root[find(v)] = find(first);
  }
  const blocks = new Map<number, number[]>();
  hidden.forEach((_, i) => {
    const b = find(i);
    blocks.set(b, [...(blocks.get(b) ?? []), i]);
  });
  const rowsOf = new Map<number, typeof rows>();
  for (const row of rows) {
    const b = find([...row.vars.keys()][0] ?? 0);
    rowsOf.set(b, [...(rowsOf.get(b) ?? []), row]);
  }

  const findings: Finding[] = [];
  const P = k.protectionLevel;
  let targets = 0;
  let solves = 0;
  for (const [b, members] of blocks) {
    const knows = members.some((i) => (own[i] ?? 0) > 0 || sole[i] || k.floors.has(hidden[i] ?? ''));
    const wanted = members.filter(
      (i) => !sole[i] && (coalition.length === 0 || !truth || truth(hidden[i] ?? '') - (own[i] ?? 0) > 0),
    );
    if (!knows || wanted.length === 0) continue;
    targets += wanted.length;
    const local = new Map(members.map((v, j) => [v, j]));
    const blockRows = rowsOf.get(b) ?? [];
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const row of blockRows) {
      for (const [v, a] of [...row.vars].sort((x, y) => (local.get(x[0]) ?? 0) - (local.get(y[0]) ?? 0))) {
        indices.push(local.get(v) ?? 0);
        values.push(a);
      }
      starts.push(indices.length);
    }
    const n = members.length;
    const rhs = blockRows.map((r) => r.rhs);
    // A finite cap keeps the aggregate objectives bounded; a cell that reaches it is wide anyway.
    const CAP = 1e7;
    const model = (integer: boolean) =>
      highs.createModel({
        numCols: n,
        numRows: blockRows.length,
        colCost: new Float64Array(n),
        colLower: members.map((i) =>
          sole[i] ? (own[i] ?? 0) : Math.max(own[i] ?? 0, k.floors.get(hidden[i] ?? '') ?? 0),
        ),
        colUpper: members.map((i) => (sole[i] ? (own[i] ?? 0) : CAP)),
        rowLower: rhs,
        rowUpper: rhs,
        matrix: { format: 'csr', numRows: blockRows.length, numCols: n, starts, indices, values },
        ...(integer ? { integrality: Array.from({ length: n }, () => highs.constants.variableType.integer) } : {}),
      });
    // Any two solutions of the coalition's system bound a cell's range from inside: a cell whose
    // values across the solutions found spread by P (integer solutions) or 2P (any) is wide,
    // and needs no solve of its own.
    const seen = wanted.map(() => ({ lo: Infinity, hi: -Infinity, ilo: Infinity, ihi: -Infinity }));
    const settled = (w: number) => {
      const s = seen[w];
      return s !== undefined && (s.ihi - s.ilo >= P || s.hi - s.lo >= 2 * P);
    };
    const record = (x: Float64Array) => {
      const integral = x.every((v) => Math.abs(v - Math.round(v)) < 1e-7);
      wanted.forEach((i, w) => {
        const v = x[local.get(i) ?? 0] ?? 0;
        const s = seen[w];
        if (!s) return;
        s.lo = Math.min(s.lo, v);
        s.hi = Math.max(s.hi, v);
        if (integral) {
          s.ilo = Math.min(s.ilo, v);
          s.ihi = Math.max(s.ihi, v);
        }
      });
    };
    const run = (m: ReturnType<typeof model>, cost: Float64Array): number => {
      solves++;
      m.changeColsCost({ kind: 'range', from: 0, to: n - 1 }, cost);
      m.run();
      const status = m.getModelStatus();
      if (status !== highs.constants.modelStatus.optimal) throw new Error(`attack solve: HiGHS model status ${status}`);
      record(m.getSolution().colValue);
      return m.getObjectiveValue();
    };
    const lp = model(false);
    try {
      lp.options.set({ output_flag: false });
      let seed = 0x9e3779b9 ^ b;
      const random = () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 2 ** 32;
      };
      for (let round = 0; round < 6; round++) {
        const cost = new Float64Array(n);
        for (const i of wanted) cost[local.get(i) ?? 0] = round === 0 ? 1 : round === 1 ? -1 : random() < 0.5 ? 1 : -1;
        run(lp, cost);
      }
      const narrow: number[] = [];
      const lpRange = new Map<number, { low: number; high: number }>();
      wanted.forEach((i, w) => {
        if (settled(w)) return;
        const j = local.get(i) ?? 0;
        const cost = new Float64Array(n);
        cost[j] = 1;
        const low = run(lp, cost);
        if (settled(w)) return;
        cost[j] = -1;
        const high = -run(lp, cost);
        lpRange.set(i, { low, high });
        if (high - low < 2 * P) narrow.push(i);
      });
      if (narrow.length > 0) {
        const ip = model(true);
        try {
          ip.options.set({ output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0 });
          for (const i of narrow) {
            const j = local.get(i) ?? 0;
            const r = lpRange.get(i) ?? { low: 0, high: 0 };
            if (r.high - r.low < P - 1e-6) {
              findings.push({ cell: hidden[i] ?? '', ...r, integer: false });
              continue;
            }
            const cost = new Float64Array(n);
            cost[j] = 1;
            const low = run(ip, cost);
            cost[j] = -1;
            const high = -run(ip, cost);
            if (high - low < P - 1e-6) findings.push({ cell: hidden[i] ?? '', low, high, integer: true });
          }
        } finally {
          ip.dispose();
        }
      }
    } finally {
      lp.dispose();
    }
  }
  return { targets, findings, solves };
}
