/**
 * Failed sign-ins counted per account and per address over a sliding window. Past the limit, the
 * account (or the address) is refused until its oldest failure leaves the window, without even
 * checking the password: guessing costs the guesser time, and the owner sees why.
 * Kept in memory: a restart forgives, which is an acceptable gift to an attacker at this scale.
 */
export interface SignInPolicy {
  readonly perAccount: number;
  readonly perAddress: number;
  readonly windowMs: number;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 };

export function createSignInLimits(clock: () => Date, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY) {
  const accounts = new Map<string, number[]>();
  const addresses = new Map<string, number[]>();
  const recent = (map: Map<string, number[]>, key: string, now: number) => {
    const kept = (map.get(key) ?? []).filter((t) => now - t < policy.windowMs);
    if (kept.length === 0) map.delete(key);
    else map.set(key, kept);
    return kept;
  };
  const wait = (times: number[], limit: number, now: number) =>
    times.length >= limit ? Math.ceil(((times[times.length - limit] ?? now) + policy.windowMs - now) / 1000) : 0;
  return {
    /** Seconds to wait, and for what, when this attempt may not even be checked. */
    blocked(username: string, address: string): { seconds: number; by: 'account' | 'address' } | undefined {
      const now = clock().getTime();
      const byAccount = wait(recent(accounts, username, now), policy.perAccount, now);
      if (byAccount > 0) return { seconds: byAccount, by: 'account' };
      const byAddress = wait(recent(addresses, address, now), policy.perAddress, now);
      return byAddress > 0 ? { seconds: byAddress, by: 'address' } : undefined;
    },
    failed(username: string, address: string): void {
      const now = clock().getTime();
      accounts.set(username, [...recent(accounts, username, now), now]);
      addresses.set(address, [...recent(addresses, address, now), now]);
      // Bound the memory an attacker can make us spend on made-up usernames.
      if (accounts.size > 50_000) accounts.delete(accounts.keys().next().value as string);
      if (addresses.size > 50_000) addresses.delete(addresses.keys().next().value as string);
    },
    succeeded(username: string): void {
      accounts.delete(username);
    },
  };
}

export type SignInLimits = ReturnType<typeof createSignInLimits>;
