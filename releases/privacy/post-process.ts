/**
 * Post-processing of noisy counts, which costs no privacy: clamp at zero, and (optionally) make
 * parts add up to their total by largest remainders — integers in, integers out.
 */

export const clampAtZero = (x: bigint): bigint => (x < 0n ? 0n : x);

/**
 * Shares `total` among parts in proportion to their values (equally when all are zero), each part
 * an integer, the remainder going to the largest fractional shares (ties: the earlier part).
 */
export function apportion(total: bigint, parts: readonly bigint[]): bigint[] {
  if (!parts.length) return [];
  const weights = parts.some((p) => p > 0n) ? parts.map(clampAtZero) : parts.map(() => 1n);
  const whole = weights.reduce((a, b) => a + b, 0n);
  const floors = weights.map((w) => (total * w) / whole);
  const remainders = weights.map((w, i) => ({ i, r: (total * w) % whole }));
  let left = total - floors.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left <= 0n) break;
    floors[i] = (floors[i] ?? 0n) + 1n;
    left--;
  }
  return floors;
}
