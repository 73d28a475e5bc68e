/**
 * The audit must catch a known-weak suppression pattern: a 4×4 table with its margins published,
 * at least two withheld cells in every row and column, yet one withheld cell pinned exactly
 * (it bridges two cycles of withheld cells). And it must pass a properly protected pattern.
 */
import { describe, expect, it } from 'vitest';
import { auditIntervals, type Equation } from './audit.js';

const TABLE = [
  [120, 47, 312, 88],
  [64, 230, 51, 97],
  [75, 143, 29, 410],
  [201, 58, 166, 33],
];

/** Equations of a 2-D table with published row and column totals, for a set of withheld cells. */
function system(withheld: readonly [number, number][]) {
  const index = new Map(withheld.map(([r, c], i) => [`${r},${c}`, i]));
  const equations: Equation[] = [];
  for (let r = 0; r < 4; r++) {
    const vars = [0, 1, 2, 3].flatMap((c) => (index.has(`${r},${c}`) ? [index.get(`${r},${c}`) as number] : []));
    const rhs = [0, 1, 2, 3].reduce((s, c) => s + (index.has(`${r},${c}`) ? (TABLE[r]?.[c] ?? 0) : 0), 0);
    if (vars.length) equations.push({ vars, rhs });
  }
  for (let c = 0; c < 4; c++) {
    const vars = [0, 1, 2, 3].flatMap((r) => (index.has(`${r},${c}`) ? [index.get(`${r},${c}`) as number] : []));
    const rhs = [0, 1, 2, 3].reduce((s, r) => s + (index.has(`${r},${c}`) ? (TABLE[r]?.[c] ?? 0) : 0), 0);
    if (vars.length) equations.push({ vars, rhs });
  }
  return equations;
}

describe('audit', () => {
  it('catches the weak pattern: two cycles joined by a bridge cell, which is pinned', async () => {
    const weak: [number, number][] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1], // cycle on rows 0–1, columns 0–1
      [2, 2],
      [2, 3],
      [3, 2],
      [3, 3], // cycle on rows 2–3, columns 2–3
      [0, 2], // the bridge
    ];
    for (const integer of [false, true]) {
      const intervals = await auditIntervals(weak.length, system(weak), { integer });
      const bridge = intervals[8];
      expect(bridge?.low).toBeCloseTo(312, 6);
      expect(bridge?.high).toBeCloseTo(312, 6);
      // The cycle cells are not pinned.
      expect((intervals[0]?.high ?? 0) - (intervals[0]?.low ?? 0)).toBeGreaterThan(5);
    }
  });

  it('passes a protected pattern: every withheld cell has a wide interval', async () => {
    const safe: [number, number][] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 2],
      [2, 3],
      [3, 2],
      [3, 3],
    ];
    const intervals = await auditIntervals(safe.length, system(safe), { integer: true });
    intervals.forEach((interval, i) => {
      const [r, c] = safe[i] ?? [0, 0];
      const value = TABLE[r]?.[c] ?? 0;
      expect(interval.low).toBeLessThanOrEqual(value);
      expect(interval.high).toBeGreaterThanOrEqual(value);
      expect(interval.high - interval.low).toBeGreaterThanOrEqual(5);
    });
    // Cell (0,1)=47 in the cycle (0,0)=120, (1,0)=64, (1,1)=230: it can fall until it or (1,0)
    // reaches 0 (by 47) and rise until (0,0) or (1,1) reaches 0 (by 120).
    expect(intervals[1]).toEqual({ low: 0, high: 47 + 120 });
  });
});
