/**
 * How far a noisy count typically is from the true one, for display: the 95% interval of the
 * discrete Laplace noise (exact for one cell, a normal approximation for sums of cells). Reporting
 * only — the sampler in privacy/ never uses floating point; this may.
 */

/** The per-cell noise parameter ε/Δ of a table, from the manifest's fractions. */
export function alphaOf(epsilon: string, sensitivity: number): number {
  const [num, den] = epsilon.includes('/') ? epsilon.split('/').map(Number) : [Number(epsilon), 1];
  return (num ?? 0) / (den ?? 1) / sensitivity;
}

/** The smallest k with P(|X| > k) ≤ 5% for P(X = x) ∝ exp(-α|x|). */
export function margin95(alpha: number): number {
  const p = Math.exp(-alpha);
  // P(|X| > k) = 2p^(k+1) / (1 + p)
  const k = Math.log((0.05 * (1 + p)) / 2) / Math.log(p) - 1;
  return Math.max(0, Math.ceil(k - 1e-9));
}

export const variance = (alpha: number): number => {
  const p = Math.exp(-alpha);
  return (2 * p) / (1 - p) ** 2;
};

/** The 95% margin of a sum of independent cells with these parameters. */
export function sumMargin95(alphas: readonly number[]): number {
  if (alphas.length === 1) return margin95(alphas[0] ?? 1);
  return Math.ceil(1.96 * Math.sqrt(alphas.reduce((s, a) => s + variance(a), 0)));
}
