/**
 * Password hashing with scrypt from node:crypto (memory-hard, no dependency).
 *
 * Parameters: N = 2^15, r = 8, p = 1 → 128·N·r = 32 MiB of memory per hash, 32-byte key, 16-byte
 * random salt; about 50–100 ms on this 2-core machine. They are stored with each hash
 * (`scrypt$15$8$1$salt$hash`), so they can be raised later and old hashes still verify.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((ok, fail) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? fail(error) : ok(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, LOG_N, R, P);
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A hash of nothing anyone knows: unknown users cost the same time as known ones. */
const DUMMY = hashPassword(randomBytes(16).toString('hex'));

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? (await DUMMY)).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!(logN >= 10 && logN <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return false;
  const key = await derive(password, Buffer.from(parts[4] ?? '', 'base64url'), logN, r, p);
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  return stored !== null && stored !== undefined && expected.length === key.length && timingSafeEqual(key, expected);
}
