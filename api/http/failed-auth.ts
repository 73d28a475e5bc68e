/**
 * Failed authentication, limited per client address and per key prefix, so keys cannot be guessed
 * online. A blocked address or prefix gets 429 without its key being checked at all — except keys
 * that have authenticated before (remembered by hash), so a helpline whose office shares an address
 * with a guesser keeps working, and a valid key is never slowed.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { keyPrefix } from '../../domain/index.js';

export interface FailedAuthPolicy {
  /** Failed attempts allowed per address within the window. */
  readonly perAddress: number;
  /** Failed attempts allowed per key prefix within the window. */
  readonly perPrefix: number;
  readonly windowMs: number;
}

export const DEFAULT_FAILED_AUTH: FailedAuthPolicy = { perAddress: 20, perPrefix: 10, windowMs: 15 * 60_000 };

interface Window {
  count: number;
  resetAt: number;
}

export interface FailedAuthLimiter {
  /** Seconds to wait if this attempt must be refused unchecked; undefined to go ahead. */
  blocked(address: string, key: string): number | undefined;
  /** Records a failed attempt; seconds to wait if the limit is now reached. */
  failed(address: string, key: string | undefined): number | undefined;
  succeeded(key: string): void;
}

export function createFailedAuthLimiter(
  clock: () => Date,
  policy: FailedAuthPolicy = DEFAULT_FAILED_AUTH,
): FailedAuthLimiter {
  const windows = new LRUCache<string, Window>({ max: 100_000 });
  const known = new LRUCache<string, true>({ max: 50_000, ttl: 24 * 3_600_000 });
  const digest = (key: string) => createHash('sha256').update(key).digest('base64url');
  const now = () => clock().getTime();
  const waitOf = (id: string, limit: number): number | undefined => {
    const w = windows.get(id);
    if (!w || w.resetAt <= now() || w.count < limit) return undefined;
    return Math.max(1, Math.ceil((w.resetAt - now()) / 1000));
  };
  const bump = (id: string) => {
    const w = windows.get(id);
    if (!w || w.resetAt <= now()) windows.set(id, { count: 1, resetAt: now() + policy.windowMs });
    else w.count++;
  };
  const worst = (address: string, key: string | undefined) => {
    const waits = [
      waitOf(`a:${address}`, policy.perAddress),
      key ? waitOf(`p:${keyPrefix(key)}`, policy.perPrefix) : undefined,
    ];
    const defined = waits.filter((w): w is number => w !== undefined);
    return defined.length > 0 ? Math.max(...defined) : undefined;
  };
  return {
    blocked(address, key) {
      if (known.has(digest(key))) return undefined;
      return worst(address, key);
    },
    failed(address, key) {
      bump(`a:${address}`);
      if (key) bump(`p:${keyPrefix(key)}`);
      return worst(address, key);
    },
    succeeded(key) {
      known.set(digest(key), true);
    },
  };
}
