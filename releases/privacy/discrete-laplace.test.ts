/**
 * The sampler against the exact distribution P(X = x) = (1-p)/(1+p) · p^|x|, p = exp(-ε): the
 * probability of zero and the tails within six standard errors, symmetry, a chi-square over bins,
 * and the privacy loss itself — for counts c and c+1 the log ratio of output frequencies stays
 * within ε plus sampling error. (Floating point is fine here: these are the checks, not the sampler.)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleDiscreteLaplace } from './discrete-laplace.js';
import { apportion } from './post-process.js';
import { parseRational, type Rational, rational, toDecimalString } from './rational.js';

const asNumber = (r: Rational) => Number(r.num) / Number(r.den);

function draws(epsilon: Rational, n: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = Number(sampleDiscreteLaplace(epsilon));
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  return counts;
}

/** The chi-square critical value for `df` at about p = 1e-6 (Wilson–Hilferty). */
const chiSquareCritical = (df: number) => df * (1 - 2 / (9 * df) + 4.75 * Math.sqrt(2 / (9 * df))) ** 3;

describe('discrete Laplace sampler', () => {
  const N = 40_000;
  it.each(['1', '0.5', '0.1', '2', '1/54'])('matches the exact distribution for ε = %s', (text) => {
    const epsilon = parseRational(text);
    const p = Math.exp(-asNumber(epsilon));
    const pmf = (x: number) => ((1 - p) / (1 + p)) * p ** Math.abs(x);
    const tail = (k: number) => (2 * p ** k) / (1 + p); // P(|X| >= k), k >= 1
    const counts = draws(epsilon, N);
    const within = (observed: number, probability: number) => {
      const se = Math.sqrt((probability * (1 - probability)) / N);
      expect(
        Math.abs(observed / N - probability),
        `observed ${observed / N}, exact ${probability}`,
      ).toBeLessThanOrEqual(6 * se);
    };
    within(counts.get(0) ?? 0, pmf(0));
    const scale = 1 / asNumber(epsilon);
    for (const k of [Math.ceil(scale), Math.ceil(3 * scale)]) {
      const observed = [...counts].filter(([x]) => Math.abs(x) >= k).reduce((s, [, c]) => s + c, 0);
      within(observed, tail(k));
    }
    // Symmetry: as many above zero as below.
    const pos = [...counts].filter(([x]) => x > 0).reduce((s, [, c]) => s + c, 0);
    const neg = [...counts].filter(([x]) => x < 0).reduce((s, [, c]) => s + c, 0);
    expect(Math.abs(pos - neg)).toBeLessThanOrEqual(6 * Math.sqrt(pos + neg));
    // Chi-square over bins with at least 50 expected draws, plus the two tails.
    let k = 0;
    while (N * pmf(k + 1) >= 50) k++;
    let chi = 0;
    let bins = 0;
    for (let x = -k; x <= k; x++) {
      const expected = N * pmf(x);
      chi += ((counts.get(x) ?? 0) - expected) ** 2 / expected;
      bins++;
    }
    for (const side of [-1, 1]) {
      const expected = (N * tail(k + 1)) / 2;
      const observed = [...counts].filter(([x]) => x * side > k).reduce((s, [, c]) => s + c, 0);
      chi += (observed - expected) ** 2 / expected;
      bins++;
    }
    expect(chi, `chi-square ${chi.toFixed(1)} over ${bins} bins`).toBeLessThan(chiSquareCritical(bins - 1));
  });

  it('loses no more privacy than ε: a million draws for counts c and c+1', () => {
    const epsilon = rational(1n, 2n);
    const c = 7;
    const n = 500_000;
    const a = draws(epsilon, n);
    const b = draws(epsilon, n);
    let checked = 0;
    let worst = 0;
    for (let y = c - 20; y <= c + 21; y++) {
      const fa = a.get(y - c) ?? 0;
      const fb = b.get(y - c - 1) ?? 0;
      if (fa < 1000 || fb < 1000) continue;
      const loss = Math.abs(Math.log(fa / fb));
      // Standard error of a log ratio of two counts: sqrt(1/fa + 1/fb).
      expect(loss, `output ${y}`).toBeLessThanOrEqual(asNumber(epsilon) + 6 * Math.sqrt(1 / fa + 1 / fb));
      worst = Math.max(worst, loss);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
    // The bound is reached, not just respected: outputs away from c and c+1 have loss ε exactly.
    expect(worst).toBeGreaterThan(asNumber(epsilon) * 0.8);
  }, 120_000);
});

describe('exact arithmetic', () => {
  it('parses ε exactly and prints it back', () => {
    expect(parseRational('0.1')).toEqual({ num: 1n, den: 10n });
    expect(parseRational('1/9')).toEqual({ num: 1n, den: 9n });
    expect(toDecimalString(rational(1n, 40n))).toBe('0.025');
    expect(toDecimalString(rational(1n, 9n))).toBe('1/9');
    expect(() => parseRational('-1')).toThrow();
    expect(() => parseRational('1e-3')).toThrow();
  });

  it('apportions a total among parts as integers that add up', () => {
    expect(apportion(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(apportion(7n, [0n, 0n])).toEqual([4n, 3n]);
    expect(apportion(100n, [50n, 30n, 0n])).toEqual([63n, 37n, 0n]);
    const parts = apportion(1234n, [17n, 3n, 99n, 0n, 41n]);
    expect(parts.reduce((s, x) => s + x, 0n)).toBe(1234n);
  });
});

describe('the privacy module', () => {
  const dir = import.meta.dirname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('contains no floating-point maths and no Math.random', () => {
    expect(sources).toEqual(expect.arrayContaining(['discrete-laplace.ts', 'random.ts', 'rational.ts']));
    for (const file of sources) {
      const code = readFileSync(join(dir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/'[^'\n]*'|`[^`\n]*`/g, "''");
      expect(code, file).not.toMatch(
        /\bMath\b|parseFloat|\bNumber\s*\(|Number\.|toFixed|toPrecision|Float(32|64)Array/,
      );
      // No number literal with a fraction or exponent: 0.5, 1e-3.
      expect(code, file).not.toMatch(/(?<![\w.])\d+\.\d|\d[eE][+-]?\d/);
      expect(code, file).not.toMatch(/Math\.random|randomInt|getRandomValues/);
    }
  });

  it('is guarded by a lint rule that fails on Math.random', () => {
    const biome = join(dir, '..', '..', 'node_modules', '.bin', 'biome');
    // A probe file in the module's folder, linted with the project's configuration, then removed.
    const probe = join(dir, `lint-probe-${process.pid}.ts`);
    const lint = (source: string) => {
      writeFileSync(probe, source);
      try {
        execFileSync(biome, ['lint', probe], { cwd: join(dir, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
        return 'passed';
      } catch (error) {
        const e = error as { stdout?: Buffer; stderr?: Buffer };
        return String(e.stdout ?? '') + String(e.stderr ?? '');
      } finally {
        rmSync(probe, { force: true });
      }
    };
    expect(lint('export const x = Math.random();\n')).toMatch(/noRestrictedGlobals/);
    expect(lint("export const x = parseFloat('0.5');\n")).toMatch(/noRestrictedGlobals/);
    expect(lint('export const x = 1n + 2n;\n')).toBe('passed');
  });
});
