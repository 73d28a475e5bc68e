/**
 * Uniform random integers from node:crypto, exactly: rejection sampling on whole bytes, so every
 * value below n is equally likely. Bytes are drawn in blocks (one system call per 64 KiB).
 */
import { randomFillSync } from 'node:crypto';

const pool = new Uint8Array(65536);
let used = pool.length;

function nextByte(): bigint {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const byte = pool[used] ?? 0;
  used++;
  return BigInt(byte);
}

/** A uniform integer in [0, n). */
export function randomBelow(n: bigint): bigint {
  if (n <= 0n) throw new RangeError('randomBelow needs n > 0');
  if (n === 1n) return 0n;
  let bits = 0n;
  while (1n << bits < n) bits++;
  const bytes = (bits + 7n) / 8n;
  const mask = (1n << bits) - 1n;
  for (;;) {
    let x = 0n;
    for (let i = 0n; i < bytes; i++) x = (x << 8n) | nextByte();
    x &= mask;
    if (x < n) return x;
  }
}

/** True with probability num/den exactly. */
export const bernoulli = (num: bigint, den: bigint): boolean => randomBelow(den) < num;
