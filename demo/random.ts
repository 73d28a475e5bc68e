/**
 * A small seeded PRNG for demo data only (never for privacy noise, which uses node:crypto).
 * Each helpline-month gets its own stream, so adding months never changes earlier ones.
 */
import { createHash } from 'node:crypto';

export type Rng = () => number;

export function seededRng(...parts: (string | number)[]): Rng {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  let a = digest.readUInt32LE(0);
  // mulberry32
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson draw: Knuth for small means, a rounded normal approximation above 30. */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
    return k;
  }
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
}

export function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x <= 0) return item;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('pickWeighted needs at least one item');
  return last[0];
}
