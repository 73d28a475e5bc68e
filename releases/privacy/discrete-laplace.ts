/**
 * The discrete Laplace (two-sided geometric) distribution, sampled exactly (Canonne, Kamath and
 * Steinke 2020, "The Discrete Gaussian for Differential Privacy", algorithms 1 and 2): P(X = x) is
 * proportional to exp(-ε·|x|) for every integer x, with ε a rational and only integer arithmetic
 * and uniform random integers — no floating point, whose rounding leaks (Mironov 2012).
 */
import { bernoulli, randomBelow } from './random.js';
import { type Rational, rational } from './rational.js';

/** True with probability exp(-γ), γ = num/den ≥ 0. */
export function bernoulliExpNeg(gamma: Rational): boolean {
  const { num, den } = gamma;
  if (num <= den) {
    // exp(-γ) for γ ≤ 1: the parity of the first k where a Bernoulli(γ/k) fails.
    let k = 1n;
    while (bernoulli(num, den * k)) k++;
    return k % 2n === 1n;
  }
  for (let i = 0n; i < num / den; i++) if (!bernoulliExpNeg(rational(1n))) return false;
  return bernoulliExpNeg(rational(num % den, den));
}

/** One draw X with P(X = x) ∝ exp(-ε·|x|); the scale of the noise is 1/ε. */
export function sampleDiscreteLaplace(epsilon: Rational): bigint {
  if (epsilon.num <= 0n) throw new RangeError('ε must be positive');
  // exp(-|x|·s/t) with s/t = ε.
  const s = epsilon.num;
  const t = epsilon.den;
  for (;;) {
    const u = randomBelow(t);
    if (!bernoulliExpNeg(rational(u, t))) continue;
    let v = 0n;
    while (bernoulliExpNeg(rational(1n))) v++;
    const y = (u + t * v) / s;
    const negative = bernoulli(1n, 2n);
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}
