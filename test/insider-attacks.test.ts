/**
 * Insiders attack a published release. Each attacker is a helpline (or two sharing what they
 * know) that reads only the public endpoints — the release's cells, /v1/completeness, the code
 * lists — and knows its own submissions: so it knows its own part of every cell, and all of a
 * cell nobody else can have contributed to (its country's cells when it is the country's only
 * helpline; its region's cells in a month when its country is the only one reporting there).
 * It rebuilds the additivity relations itself and solves with HiGHS itself (LP, then integer
 * where the LP range is narrow). No withheld cell others contribute to may come out narrower
 * than the protection level.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHelplines, demoSubmission, monthsBetween } from '../demo/index.js';
import type { ReleaseManifest } from '../releases/index.js';
import { type ServedWarehouse, serveFixture } from './helpers/api-app.js';
import { demoWarehouse } from './helpers/demo-warehouse.js';
import { FIXTURE_MONTHS } from './helpers/fixture-warehouse.js';
import {
  type Finding,
  insiderAttack,
  type OwnSubmission,
  ownParts,
  type PublicKnowledge,
  possibleContributors,
  readPublicKnowledge,
  relationsOf,
} from './helpers/insider-attack.js';
import { SPLIT_HELPLINES, splitBody, splitRegionWarehouse } from './helpers/split-region.js';

interface Member {
  readonly id: string;
  readonly country: string;
  readonly region: string;
  readonly submissions: readonly OwnSubmission[];
}

/**
 * Runs every coalition's attack; returns what each narrowed ("helpline+helpline: cell [low, high]").
 * `everyone` (all helplines' submissions) gives the judge the true values, to tell which withheld
 * cells others did contribute to.
 */
async function attackAll(
  k: PublicKnowledge,
  coalitions: readonly (readonly Member[])[],
  everyone: readonly Member[] = [],
) {
  const relations = relationsOf(k);
  const contributors = possibleContributors(k);
  const own = new Map<string, Map<string, number>>();
  const ownOf = (m: Member) => {
    let parts = own.get(m.id);
    if (!parts) {
      parts = ownParts(k, m.country, m.submissions);
      own.set(m.id, parts);
    }
    return parts;
  };
  const truth = new Map<string, number>();
  for (const m of everyone)
    for (const [key, n] of ownOf(m)) if (k.cells.get(key) === null) truth.set(key, (truth.get(key) ?? 0) + n);
  const found: string[] = [];
  let targets = 0;
  for (const c of coalitions) {
    const result = await insiderAttack(
      k,
      relations,
      c.map((m) => ({ id: m.id, own: ownOf(m) })),
      contributors,
      everyone.length > 0 ? (key) => truth.get(key) ?? 0 : undefined,
    );
    targets += result.targets;
    const name = c.map((m) => m.id).join('+') || 'public';
    found.push(
      ...result.findings.map(
        (f: Finding) => `${name}: ${f.cell} [${f.low}, ${f.high}]${f.integer ? ' (integer)' : ''}`,
      ),
    );
  }
  return { found, targets };
}

const pairsOf = <T>(xs: readonly T[]) => xs.flatMap((a, i) => xs.slice(i + 1).map((b) => [a, b] as const));

describe('a region where two countries split a small total', () => {
  let k: PublicKnowledge;
  let close: () => Promise<void>;
  const members: Member[] = SPLIT_HELPLINES.map((h) => ({
    ...h,
    submissions: FIXTURE_MONTHS.map((p) => splitBody(h.id, p)),
  }));

  beforeAll(async () => {
    const now = new Date('2025-01-15T10:00:00Z');
    let api: ServedWarehouse['api'];
    ({ api, close } = await serveFixture('insiders-', splitRegionWarehouse, {
      now,
      prepare: (wh) => wh.releases.publish({ now, codeVersion: 'test' }),
    }));
    k = await readPublicKnowledge(api.url);
  }, 180_000);
  afterAll(() => close?.());

  it('withholds Luxembourg’s small family count, and the attacker sees the same cells the API serves', () => {
    expect(k.cells.get('LU|family|2024|all')).toBeNull();
    expect([...k.cells.values()].filter((v) => v === null).length).toBeGreaterThanOrEqual(4);
  });

  it('no helpline, pair of helplines or outsider narrows another helpline’s withheld cell', async () => {
    const coalitions = [[], ...members.map((m) => [m]), ...pairsOf(members).map(([a, b]) => [a, b])];
    const { found, targets } = await attackAll(k, coalitions, members);
    expect(targets).toBeGreaterThan(0);
    expect(found).toEqual([]);
  }, 120_000);
});

describe('the attacker itself', () => {
  it('recovers exactly what a sole national helpline learns from a two-country split', async () => {
    // Region R of countries A, B, C; groups g and h. A's 3 in g is withheld with B's 8 as the
    // complement in R, and A's and B's h cells close the cycle. An outsider has ranges of 11
    // and more; A's helpline knows both of A's cells and so B's exactly.
    const cells = new Map<string, number | null>([
      ['R|g|2024|all', 111],
      ['R|h|2024|all', 216],
      ['R|all|2024|all', 327],
      ['A|g|2024|all', null],
      ['A|h|2024|all', null],
      ['A|all|2024|all', 12],
      ['B|g|2024|all', null],
      ['B|h|2024|all', null],
      ['B|all|2024|all', 15],
      ['C|g|2024|all', 100],
      ['C|h|2024|all', 200],
      ['C|all|2024|all', 300],
      ['world|g|2024|all', 111],
      ['world|h|2024|all', 216],
      ['world|all|2024|all', 327],
    ]);
    const k: PublicKnowledge = {
      release: 'synthetic',
      protectionLevel: 5,
      floors: new Map(),
      cells,
      reporters: ['A', 'B', 'C'].map((c) => ({
        id: `${c.toLowerCase()}-1`,
        country: c,
        region: 'R',
        months: new Set(['2024-01']),
      })),
      types: [
        { code: 'g.x', group: 'g' },
        { code: 'h.x', group: 'h' },
      ],
      rollups: [],
      dims: { ageBand: [], gender: [], channel: [] },
      regionOf: new Map([
        ['A', 'R'],
        ['B', 'R'],
        ['C', 'R'],
      ]),
    };
    const a: Member = {
      id: 'a-1',
      country: 'A',
      region: 'R',
      submissions: [
        {
          period: '2024-01',
          cells: [
            { harm: 'g.x', ageBand: 'x', gender: 'x', channel: 'x', count: 3 },
            { harm: 'h.x', ageBand: 'x', gender: 'x', channel: 'x', count: 9 },
          ],
        },
      ],
    };
    const outsider = await attackAll(k, [[]]);
    expect(outsider.found).toEqual([]);
    const insider = await attackAll(k, [[a]]);
    expect(insider.found.sort()).toEqual(['a-1: B|g|2024|all [8, 8]', 'a-1: B|h|2024|all [7, 7]']);
  });
});

describe('the demo data', () => {
  let k: PublicKnowledge;
  let manifest: ReleaseManifest;
  let close: () => Promise<void>;
  const now = new Date('2026-12-15T10:00:00Z');
  let members: Member[];

  beforeAll(async () => {
    let api: ServedWarehouse['api'];
    ({ api, close } = await serveFixture('insiders-demo-', (path) => demoWarehouse(path, now), {
      now,
      prepare: async (wh) => {
        manifest = await wh.releases.publish({ now, codeVersion: 'test' });
      },
    }));
    k = await readPublicKnowledge(api.url);
    const months = monthsBetween(manifest.span.from, manifest.span.to);
    members = demoHelplines().map((h) => ({
      id: h.id,
      country: h.country,
      region: h.region,
      submissions: months.flatMap((m) => demoSubmission(h, m) ?? []),
    }));
  }, 900_000);
  afterAll(() => close?.());

  it('publishes at least 95% of its cells, and says what it withheld for insiders and whom it audited', () => {
    expect(manifest.audit.passed).toBe(true);
    expect(manifest.withheld.total / manifest.cells).toBeLessThanOrEqual(0.05);
    const sameRegionPairs = pairsOf(demoHelplines()).filter(([a, b]) => a.region === b.region).length;
    expect(manifest.insiderProtection?.coalitions).toEqual({ helplines: 150, pairs: sameRegionPairs, countries: 0 });
    const listed = manifest.insiderProtection?.withheld.cells ?? [];
    expect(listed.length).toBe(manifest.withheld.byReason['insider-secondary']);
    expect(listed.every((key) => k.cells.get(key) === null)).toBe(true);
    const coarsened = manifest.insiderProtection?.coarsened ?? [];
    expect(coarsened.reduce((s, c) => s + c.cells, 0)).toBeGreaterThanOrEqual(
      manifest.withheld.byReason.coarsened ?? 0,
    );
    expect(manifest.withheld.forInsiders).toBe(listed.length + (manifest.withheld.byReason.coarsened ?? 0));
  });

  it('no single helpline (nor an outsider) narrows another helpline’s withheld cell', async () => {
    const { found, targets } = await attackAll(k, [[], ...members.map((m) => [m])], members);
    expect(targets).toBeGreaterThan(10_000);
    expect(found, `${found.length} cell(s) narrowed`).toEqual([]);
  }, 900_000);

  it('no two helplines of one country, nor any two helplines of the Middle East and North Africa, do', async () => {
    const byCountry = new Map<string, Member[]>();
    for (const m of members) byCountry.set(m.country, [...(byCountry.get(m.country) ?? []), m]);
    const pairs = [
      ...[...byCountry.values()].flatMap((ms) => pairsOf(ms)),
      ...pairsOf(members.filter((m) => m.region === 'mena')),
    ];
    expect(pairs.length).toBeGreaterThan(60);
    const { found } = await attackAll(
      k,
      pairs.map(([a, b]) => [a, b]),
      members,
    );
    expect(found, `${found.length} cell(s) narrowed`).toEqual([]);
  }, 900_000);
});
